"""Hardened parsing of one email: caps on size, parts, depth and time; tricks reported.

The bytes are checked and cut before the ``email`` package sees them (it is quadratic on
huge MIME trees and deep nesting), fed to it in chunks under a deadline, and walked
iteratively. The result holds only decoded, capped text: never the ``Message`` object.
"""

from __future__ import annotations

import binascii
import re
import time
from dataclasses import dataclass, field
from email.feedparser import BytesFeedParser
from email.message import Message
from email.policy import compat32

from breachdesk.phishing.domains import organisational_domain, to_idna
from breachdesk.phishing.headers import (
    Mailbox,
    decode_bytes,
    decode_header_value,
    find_addresses,
    parse_mailboxes,
    raw_text,
)
from breachdesk.phishing.precheck import cut_structure

_CHUNK = 64 * 1024
_HIDDEN_PART = re.compile(r"(?im)^(--\S+\s*$|content-type\s*:)")
MAX_EMBEDDED = 4
MAX_AUTH_RESULTS = 10


@dataclass(frozen=True)
class Limits:
    """The caps one message is parsed under; what lies beyond them is not analysed."""

    max_bytes: int = 10 * 1024 * 1024
    max_header_bytes: int = 256 * 1024
    max_parts: int = 500
    max_multiparts: int = 64
    max_depth: int = 16
    max_text_chars: int = 512 * 1024
    max_part_bytes: int = 2 * 1024 * 1024
    max_attachments: int = 100
    seconds: float = 2.0


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Envelope:
    """The headers that matter, of the message or of one message embedded in it."""

    from_: tuple[Mailbox, ...]
    reply_to: tuple[Mailbox, ...]
    return_path: tuple[Mailbox, ...]
    to: tuple[str, ...]
    subject: str
    auth_results: tuple[str, ...]
    embedded: bool
    # Organisational domains of List-Id, List-Post, Mailing-List and Sender: a mailing
    # list legitimately sets Reply-To and Return-Path to itself.
    list_domains: tuple[str, ...] = ()


@dataclass
class ParsedEmail:
    envelopes: list[Envelope] = field(default_factory=list)
    text: str = ""
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    anomalies: set[str] = field(default_factory=set)
    size: int = 0
    parts: int = 0
    depth: int = 0
    timed_out: bool = False
    seconds: float = 0.0


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() > self.end


def parse_message(data: bytes, limits: Limits | None = None) -> ParsedEmail:
    """Parse ``data`` (one RFC 5322 message) under ``limits``; never raises on bad input."""
    limits = limits or Limits()
    started = time.monotonic()
    deadline = _Deadline(limits.seconds)
    result = ParsedEmail(size=len(data))
    cleaned = cut_structure(
        data,
        max_bytes=limits.max_bytes,
        max_header_bytes=limits.max_header_bytes,
        max_delimiters=limits.max_parts * 2 + 2,
        max_containers=limits.max_multiparts,
        anomalies=result.anomalies,
    )
    message = _feed(cleaned, deadline, result)
    _walk(message, limits, deadline, result)
    result.seconds = time.monotonic() - started
    return result


def _feed(data: bytes, deadline: _Deadline, result: ParsedEmail) -> Message:
    parser = BytesFeedParser(policy=compat32)
    for start in range(0, len(data), _CHUNK):
        parser.feed(data[start : start + _CHUNK])
        if deadline.expired():
            result.timed_out = True
            result.anomalies.add("parse-timeout")
            break
    message = parser.close()
    assert isinstance(message, Message)
    return message


def _envelope(message: Message, embedded: bool, anomalies: set[str]) -> Envelope:
    def boxes(*names: str) -> tuple[Mailbox, ...]:
        found: list[Mailbox] = []
        for name in names:
            for raw in (message.get_all(name) or [])[:20]:
                found += parse_mailboxes(decode_header_value(raw, anomalies), anomalies)
        return tuple(found)

    def recipients() -> tuple[str, ...]:
        # Lenient: recipients only serve to find whose leaked data the mail may quote.
        found: list[str] = []
        for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
            for raw in (message.get_all(name) or [])[:20]:
                found += find_addresses(decode_header_value(raw, anomalies))
        return tuple(dict.fromkeys(found))

    for name, anomaly in (("From", "duplicate-from"), ("Subject", "duplicate-subject")):
        if len(message.get_all(name) or []) > 1:
            anomalies.add(anomaly)
    from_ = boxes("From")
    if len(from_) > 1:
        anomalies.add("several-from-addresses")
    subjects = message.get_all("Subject") or []
    subject = " | ".join(decode_header_value(s, anomalies) for s in subjects[:3])
    auth = tuple(
        " ".join(raw_text(v).split())[:4096]
        for v in (message.get_all("Authentication-Results") or [])[:MAX_AUTH_RESULTS]
    )
    return Envelope(
        list_domains=_list_domains(message, anomalies),
        from_=from_,
        reply_to=boxes("Reply-To"),
        return_path=boxes("Return-Path"),
        to=recipients(),
        subject=subject,
        auth_results=auth,
        embedded=embedded,
    )


def _list_domains(message: Message, anomalies: set[str]) -> tuple[str, ...]:
    hosts: list[str] = []
    for raw in (message.get_all("List-Id") or [])[:3]:
        hosts += re.findall(r"<([^<>@\s]+)>", decode_header_value(raw, anomalies))
    for name in ("List-Post", "Mailing-List", "Sender"):
        for raw in (message.get_all(name) or [])[:3]:
            hosts += [a.rpartition("@")[2] for a in find_addresses(decode_header_value(raw, set()))]
    found = (to_idna(h) for h in hosts[:10])
    return tuple(dict.fromkeys(organisational_domain(h) for h in found if h))


def _walk(root: Message, limits: Limits, deadline: _Deadline, result: ParsedEmail) -> None:
    anomalies = result.anomalies
    result.envelopes.append(_envelope(root, False, anomalies))
    texts: list[str] = []
    budget = [limits.max_text_chars]
    stack: list[tuple[Message, int]] = [(root, 0)]
    while stack:
        part, depth = stack.pop()
        if result.parts >= limits.max_parts:
            anomalies.add("parts-capped")
            break
        result.parts += 1
        result.depth = max(result.depth, depth)
        if result.parts % 50 == 0 and deadline.expired():
            result.timed_out = True
            anomalies.add("parse-timeout")
            break
        payload = _raw_payload(part)
        if isinstance(payload, list):
            if depth >= limits.max_depth:
                anomalies.add("depth-capped")
                continue
            if part.get_content_maintype() == "message" and depth > 0:
                for inner in payload[:1]:
                    if isinstance(inner, Message) and len(result.envelopes) < MAX_EMBEDDED:
                        result.envelopes.append(_envelope(inner, True, anomalies))
            _epilogue(part, texts, result, budget)
            children = [p for p in payload if isinstance(p, Message)]
            stack.extend((child, depth + 1) for child in reversed(children))
            continue
        _leaf(part, limits, texts, result, budget)
    result.text = "\n".join(texts)


def _epilogue(part: Message, texts: list[str], result: ParsedEmail, budget: list[int]) -> None:
    epilogue = part.epilogue
    if not epilogue or not epilogue.strip():
        return
    text = raw_text(epilogue)[: budget[0]]
    budget[0] -= len(text)
    if _HIDDEN_PART.search(text):
        result.anomalies.add("parts-after-boundary")
    if "<" in text and re.search(r"(?i)<(a|form|html|body)\b", text):
        result.html.append(text)
    else:
        texts.append(text)


def _leaf(
    part: Message, limits: Limits, texts: list[str], result: ParsedEmail, budget: list[int]
) -> None:
    content_type = part.get_content_type()
    filename = _filename(part, result.anomalies)
    disposition = str(part.get("Content-Disposition", "")).split(";", 1)[0].strip().lower()
    is_text = content_type in ("text/plain", "text/html")
    if (
        filename
        or disposition == "attachment"
        or not (is_text or part.get_content_maintype() == "text")
    ):
        if len(result.attachments) < limits.max_attachments:
            raw = _raw_payload(part)
            size = len(raw) if isinstance(raw, str) else 0
            result.attachments.append(Attachment(filename, content_type, size))
        else:
            result.anomalies.add("attachments-capped")
        if content_type != "text/html" and not filename.lower().endswith((".htm", ".html")):
            return
    if budget[0] <= 0:
        result.anomalies.add("text-capped")
        return
    data = _payload_bytes(part, limits.max_part_bytes, result.anomalies)
    text = decode_bytes(data, part.get_content_charset(), result.anomalies)[: budget[0]]
    budget[0] -= len(text)
    if content_type == "text/html" or filename.lower().endswith((".htm", ".html")):
        result.html.append(text)
    else:
        texts.append(text)


def _raw_payload(part: Message) -> object:
    # Not get_payload(): for 8-bit text it decodes with the declared charset, and a hostile
    # "punycode" charset makes that quadratic. The raw payload is decoded here, capped.
    return part._payload  # type: ignore[attr-defined]


def _filename(part: Message, anomalies: set[str]) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except (LookupError, UnicodeError, ValueError, TypeError):
        anomalies.add("bad-filename")
        return ""
    if isinstance(name, tuple):
        name = name[2] if len(name) == 3 else ""
    return decode_header_value(str(name)[:1024], anomalies)


def _payload_bytes(part: Message, limit: int, anomalies: set[str]) -> bytes:
    raw = _raw_payload(part)
    if not isinstance(raw, str):
        return b""
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    raw = raw[: limit * 2]
    try:
        data = raw.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        data = raw.encode("utf-8", "replace")
    try:
        if cte == "base64":
            cleaned = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
            cleaned = cleaned[: len(cleaned) - len(cleaned) % 4]
            return binascii.a2b_base64(cleaned)[:limit]
        if cte == "quoted-printable":
            return binascii.a2b_qp(data)[:limit]
    except (binascii.Error, ValueError):
        anomalies.add("bad-transfer-encoding")
    return data[:limit]
