"""Header values of hostile mail: encoded words decoded by us, addresses validated by us.

The standard library's decoders trust their input too much for this job: encoded words
that decode to newlines (CVE-2024-6923), addresses that ``getaddresses`` splits wrongly
(CVE-2023-27043). Here every trick is decoded into plain text and reported as an anomaly.
"""

from __future__ import annotations

import binascii
import codecs
import re
from dataclasses import dataclass

from breachdesk.phishing.domains import to_idna

MAX_HEADER_CHARS = 16_384
MAX_ADDRESS_CHARS = 4_096
MAX_MAILBOXES = 50
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?\s]{0,4096})\?=")
_GAP = re.compile(r"[ \t]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ADDRESS_LIKE = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[^\s@<>\"'(),;:]{2,}")
# Codecs that are no text encodings or cost more than linear time on hostile input.
_REFUSED_CODECS = {"punycode", "idna", "unicode-escape", "raw-unicode-escape", "uu"}


def _codec(charset: str) -> str | None:
    name = charset.split("*", 1)[0].strip().strip('"').lower()
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if (
        not getattr(info, "_is_text_encoding", True)
        or info.name.replace("_", "-") in _REFUSED_CODECS
    ):
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None, anomalies: set[str]) -> str:
    """``data`` in ``charset``; an unknown or refused charset is read as UTF-8, and noted."""
    name = "utf-8"
    if charset:
        found = _codec(charset)
        if found is None:
            anomalies.add("invalid-charset")
        else:
            name = found
    try:
        return data.decode(name, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        anomalies.add("invalid-charset")
        return data.decode("utf-8", "replace")


def raw_text(raw: object) -> str:
    """A header value as the parser kept it (8-bit bytes as surrogates) made into text."""
    value = str(raw)[:MAX_HEADER_CHARS]
    try:
        return value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8", "replace")


def decode_header_value(raw: object, anomalies: set[str]) -> str:
    """Unfolded, encoded words decoded, control characters made spaces; tricks noted."""
    value = re.sub(r"\r\n|\r|\n", "", raw_text(raw))
    parts: list[str] = []
    position = 0
    previous_was_word = False
    for found in _ENCODED_WORD.finditer(value):
        between = value[position : found.start()]
        if not (previous_was_word and _GAP.fullmatch(between)):
            parts.append(between)
        parts.append(_decode_word(found, anomalies))
        position = found.end()
        previous_was_word = True
    parts.append(value[position:])
    text = "".join(parts)
    if "\n" in text or "\r" in text:
        anomalies.add("encoded-newline")
    if "\x00" in text:
        anomalies.add("nul-in-header")
    return " ".join(_CONTROL.sub(" ", text).split())


def _decode_word(found: re.Match[str], anomalies: set[str]) -> str:
    charset, encoding, payload = found.group(1), found.group(2).lower(), found.group(3)
    try:
        if encoding == "b":
            cleaned = re.sub(r"[^A-Za-z0-9+/]", "", payload)
            data = binascii.a2b_base64(cleaned + "=" * (-len(cleaned) % 4))
        else:
            data = binascii.a2b_qp(payload.replace("_", " ").encode("ascii", "replace"))
    except (binascii.Error, ValueError):
        anomalies.add("bad-encoded-word")
        return found.group(0)
    return decode_bytes(data, charset, anomalies)


@dataclass(frozen=True)
class Mailbox:
    """One address of a header: the display name, and the address when it is valid."""

    display: str
    address: str | None
    domain: str | None
    display_address: str | None = None

    @property
    def local(self) -> str:
        return self.address.rpartition("@")[0] if self.address else ""


def parse_mailboxes(text: str, anomalies: set[str]) -> list[Mailbox]:
    """The mailboxes of a decoded address header, validated; problems noted as anomalies.

    An address is the content of the last angle brackets, or the whole mailbox when there
    are none; a second address anywhere in the mailbox makes it ``ambiguous-address``.
    """
    value = text[:MAX_ADDRESS_CHARS]
    boxes = []
    for segment in _split(value, anomalies)[:MAX_MAILBOXES]:
        box = _mailbox(segment, anomalies)
        if box is not None:
            boxes.append(box)
    return boxes


def _split(value: str, anomalies: set[str]) -> list[str]:
    segments: list[str] = []
    current: list[str] = []
    quote = False
    escape = False
    comment = 0
    angle = False
    for ch in value:
        if escape:
            escape = False
        elif quote:
            if ch == "\\":
                escape = True
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
        elif ch == "(":
            comment += 1
        elif ch == ")" and comment:
            comment -= 1
        elif comment:
            pass
        elif ch == "<":
            angle = True
        elif ch == ">":
            angle = False
        elif ch in ",;" and not angle:
            segments.append("".join(current))
            current = []
            continue
        elif ch == ":" and not angle and "@" not in "".join(current):
            current = []  # group syntax "friends: a@x, b@y;" — drop the group name
            continue
        current.append(ch)
    segments.append("".join(current))
    if quote or comment or angle:
        anomalies.add("malformed-address")
    return [s.strip() for s in segments if s.strip()]


def _mailbox(segment: str, anomalies: set[str]) -> Mailbox | None:
    angles = re.findall(r"<([^<>]*)>", segment)
    if angles:
        spec = angles[-1].strip()
        display = re.sub(r"<[^<>]*>", " ", segment)
        if len(angles) > 1:
            anomalies.add("ambiguous-address")
    else:
        comments: list[str] = []
        spec = segment
        for _ in range(8):  # nested comments, innermost first
            comments += re.findall(r"\(([^()]*)\)", spec)
            stripped = re.sub(r"\([^()]*\)", " ", spec)
            if stripped == spec:
                break
            spec = stripped
        spec = spec.strip()
        display = " ".join(comments)
        if "<" in segment or ">" in segment:
            anomalies.add("malformed-address")
            candidates = _ADDRESS_LIKE.findall(segment)
            spec = candidates[-1] if candidates else ""
    display = " ".join(display.replace('"', " ").replace("\\", "").split())
    address, domain = _validate(spec, anomalies)
    shown = _ADDRESS_LIKE.search(display)
    if address is not None and len(_ADDRESS_LIKE.findall(segment)) > 1 + bool(shown):
        anomalies.add("ambiguous-address")
    if address is None and not display:
        return None
    return Mailbox(display, address, domain, shown.group(0).lower() if shown else None)


def _validate(spec: str, anomalies: set[str]) -> tuple[str | None, str | None]:
    value = re.sub(r"^(@[^,:]*,?)+:", "", spec.strip())  # obsolete source route
    if not value:
        return None, None
    if value.count("@") != 1 and not value.startswith('"'):
        anomalies.add("ambiguous-address" if value.count("@") > 1 else "malformed-address")
        return None, None
    local, _, host = value.rpartition("@")
    host = host.strip().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        domain: str | None = host
    else:
        domain = to_idna(host) if "." in host else None
    quoted = len(local) >= 2 and local[0] == local[-1] == '"'
    if not local or domain is None or (not quoted and re.search(r"\s", local)):
        anomalies.add("malformed-address")
        return None, None
    return f"{local}@{domain}", domain


def find_addresses(text: str) -> list[str]:
    """Address-looking tokens of ``text`` (lower-cased): lenient, for recipients only."""
    return [a.lower() for a in _ADDRESS_LIKE.findall(text[:MAX_ADDRESS_CHARS])][:MAX_MAILBOXES]
