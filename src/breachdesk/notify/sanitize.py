"""Making person data safe to put in a message: names for text and headers, addresses checked.

Names and addresses come from the retailer's database, which the attacker may have written
to (a sign-up form): a name with CR/LF could add mail headers or fake lines of the notice,
HTML could add links, and bidirectional-override characters could make text read backwards.
"""

from __future__ import annotations

import re
import unicodedata

from breachdesk.errors import UserInputError

NAME_LIMIT = 80
ADDRESS_LIMIT = 254
# C0/C1 controls, bidi embeddings/overrides/isolates and marks, zero-width and BOM characters,
# line and paragraph separators.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_SPACES = re.compile(r"\s+")
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


class BadAddress(UserInputError):
    """An email address that cannot be used safely (the notice needs another channel)."""


def clean_name(name: str | None) -> str | None:
    """A one-line name without control or direction-changing characters, at most 80 long."""
    if name is None:
        return None
    text = unicodedata.normalize("NFC", name)
    text = _UNSAFE.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > NAME_LIMIT:
        text = text[: NAME_LIMIT - 1].rstrip() + "…"
    return text or None


def clean_address(address: str | None) -> str:
    """``address`` as a plain ``local@domain`` (IDNA domain), or BadAddress saying why.

    Only the dot-atom form of RFC 5322 is accepted: no quoted local parts, comments, display
    names or whitespace, so nothing in an address can end a header line or name another
    recipient.
    """
    if address is None or not address.strip():
        raise BadAddress("no email address")
    text = address.strip()
    if len(text) > ADDRESS_LIMIT or _UNSAFE.search(text) or any(c.isspace() for c in text):
        raise BadAddress("the email address holds control or space characters")
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise BadAddress("the email address has no '@'")
    if (
        not _LOCAL.fullmatch(local)
        or local.startswith(".")
        or local.endswith(".")
        or (".." in local)
    ):
        raise BadAddress("the email address has characters a notice cannot use before '@'")
    return f"{local}@{ascii_domain(domain)}"


def ascii_domain(domain: str) -> str:
    """The domain in its ASCII (IDNA) form, lower-cased; BadAddress when it is not one."""
    try:
        ascii_form = domain.rstrip(".").encode("idna").decode("ascii").lower()
    except (UnicodeError, ValueError):
        raise BadAddress("the email address's domain is not a valid domain name") from None
    labels = ascii_form.split(".")
    if len(labels) < 2 or len(ascii_form) > 253 or not all(_LABEL.fullmatch(x) for x in labels):
        raise BadAddress("the email address's domain is not a valid domain name")
    return ascii_form


def domain_of(address: str) -> str:
    """The domain part of a cleaned address."""
    return address.rpartition("@")[2]
