"""Notice ids and verification codes: deterministic ids, human-typable codes, blind indexes.

A notice id is a keyed hash (HMAC through the workspace's blind-index key) of the incident,
the campaign and the person's key, so planning twice gives the same ids and a leaked id says
nothing about the person. A verification code is 80 bits from the campaign's random secret
and the notice id, keyed the same way: it is re-derived when the notice is rendered (a resend
carries the same code) and the store keeps only its blind index.
"""

from __future__ import annotations

import re

from breachdesk.store import FieldCipher

# Crockford's base 32: no I, L, O or U, so a code read aloud or retyped survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 16  # 16 × 5 = 80 bits
_GROUP = 4
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_SEPARATORS = re.compile(r"[\s\-_.·‐-―]+")


def notice_id(cipher: FieldCipher, incident_id: str, campaign: str, person_key: str) -> str:
    """The notice's id: 32 hex characters (128 bits) of a keyed hash."""
    message = "\x1f".join((incident_id, campaign, person_key))
    return cipher.blind_index(message, "notices.id")[:32]


def verification_code(cipher: FieldCipher, campaign_secret: str, notice: str) -> str:
    """The code printed in the notice, grouped for reading: ``7KQM-3XJD-9PRA-WT4C``."""
    digest = cipher.blind_index(f"{campaign_secret}\x1f{notice}", "notices.code")
    number = int(digest[:20], 16)  # 80 bits
    chars = []
    for _ in range(CODE_CHARS):
        number, rest = divmod(number, 32)
        chars.append(ALPHABET[rest])
    raw = "".join(reversed(chars))
    return "-".join(raw[i : i + _GROUP] for i in range(0, CODE_CHARS, _GROUP))


def normalise_code(text: str) -> str | None:
    """The code as stored for lookup (16 characters), or None when it cannot be a code.

    Case, spaces, dashes and the usual misreadings (O for 0, I or L for 1) are forgiven.
    """
    if len(text) > 64:
        return None
    flat = _SEPARATORS.sub("", text.strip().upper()).translate(_TYPO)
    if len(flat) != CODE_CHARS or any(c not in ALPHABET for c in flat):
        return None
    return flat


def code_index(cipher: FieldCipher, code: str) -> str | None:
    """The blind index stored for ``code`` (as typed), or None when it is not a code."""
    flat = normalise_code(code)
    return None if flat is None else cipher.blind_index(flat, "notices.verification")
