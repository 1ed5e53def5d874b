"""A small MIME writer for notices: headers from cleaned values, bodies in base64.

The standard library's ``email`` package spends about 3 ms folding and refolding headers
per message, more than everything else a notice costs together; this writer produces the one
shape a notice has (``multipart/alternative``, two UTF-8 parts) in a few microseconds. Every
header value passes ``header_text``, which refuses CR and LF outright, and non-ASCII text
becomes RFC 2047 encoded-words, so no value can start a header of its own. The tests parse
what it writes back with ``email.policy.default``.
"""

from __future__ import annotations

import base64
import re
import secrets

_CRLF = "\r\n"
_ATOM_SAFE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
_ENCODED_CHUNK = 45  # bytes per encoded-word: 60 base64 characters, lines stay short


class HeaderInjection(ValueError):
    """A header value held CR or LF: refused, never folded into the message."""


def header_text(value: str) -> str:
    """``value`` as a header value: ASCII kept, anything else as UTF-8 encoded-words."""
    if "\r" in value or "\n" in value:
        raise HeaderInjection("header values may not contain CR or LF")
    if _plain(value):
        return value
    return _encoded_words(value)


def _plain(value: str) -> bool:
    # Printable ASCII that a reader would not take for an encoded-word of its own.
    return value.isascii() and "=?" not in value and all(32 <= ord(c) < 127 for c in value)


def address_header(address: str, name: str | None) -> str:
    """``"Name" <addr>`` with the display name quoted or encoded; ``addr`` must be clean."""
    if any(c in address for c in '\r\n<>",; ') or address.count("@") != 1:
        raise HeaderInjection("an address in a header must be a bare local@domain")
    if not name:
        return address
    if "\r" in name or "\n" in name:
        raise HeaderInjection("header values may not contain CR or LF")
    if _plain(name) and _ATOM_SAFE.fullmatch(name):
        return f"{name} <{address}>"
    if _plain(name):
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{address}>'
    return f"{_encoded_words(name)} <{address}>"


def _encoded_words(value: str) -> str:
    data = value.encode("utf-8")
    words: list[str] = []
    start = 0
    while start < len(data):
        end = min(start + _ENCODED_CHUNK, len(data))
        # Never split a UTF-8 sequence between two words (RFC 2047 section 5).
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        chunk = base64.b64encode(data[start:end]).decode("ascii")
        words.append(f"=?utf-8?b?{chunk}?=")
        start = end
    return f"{_CRLF} ".join(words)


def alternative_message(headers: list[tuple[str, str]], text: str, html: str) -> bytes:
    """A ``multipart/alternative`` message: ``headers`` (already encoded), text, then HTML."""
    boundary = f"=_bd_{secrets.token_hex(12)}"
    lines = [f"{name}: {value}" for name, value in headers]
    lines += [
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "",
        f"--{boundary}",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
        "",
        _base64_body(text),
        f"--{boundary}",
        'Content-Type: text/html; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
        "",
        _base64_body(html),
        f"--{boundary}--",
        "",
    ]
    return _CRLF.join(lines).encode("ascii")


def _base64_body(text: str) -> str:
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", _CRLF)
    encoded = base64.b64encode(normalised.encode("utf-8")).decode("ascii")
    # Lines of 76 characters (RFC 2045), as encodebytes writes them, without its Python loop.
    return _CRLF.join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
