"""Bytes-level cuts made before Python's ``email`` package sees a hostile message.

That package is quadratic in a parameter header's length and in deeply nested or huge MIME
trees; counting delimiters and boundaries on the bytes bounds what it will ever be given.
"""

from __future__ import annotations

import re

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_DELIMITER = re.compile(rb"^--", re.MULTILINE)
# What opens a container the parser recurses into: a boundary, or an embedded message.
_CONTAINER = re.compile(
    rb"boundary\s*\*?\d*\*?\s*=|^content-type[ \t]*:[ \t]*message/", re.I | re.M
)
# Parameter parsing in ``email`` is quadratic in a header's length: cut those headers first.
_PARAM_HEADER = re.compile(
    rb"^content-(?:type|disposition)[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*", re.I | re.M
)
MAX_PARAM_HEADER = 2048


def cut_structure(
    data: bytes,
    *,
    max_bytes: int,
    max_header_bytes: int,
    max_delimiters: int,
    max_containers: int,
    anomalies: set[str],
) -> bytes:
    """``data`` cut so that the ``email`` package only ever sees a bounded structure.

    Beyond ``max_bytes``, past ``max_header_bytes`` of headers, after ``max_delimiters``
    lines starting ``--`` or ``max_containers`` boundaries and embedded messages, the rest
    is dropped and the cut noted in ``anomalies``; NUL bytes are removed.
    """
    if len(data) > max_bytes:
        data = data[:max_bytes]
        anomalies.add("size-capped")
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")
        anomalies.add("nul-bytes")
    end = _HEADER_END.search(data)
    header_end = end.start() if end else len(data)
    if header_end > max_header_bytes:
        cut = data.rfind(b"\n", 0, max_header_bytes)
        cut = cut if cut > 0 else max_header_bytes
        data = data[:cut] + b"\n\n" + (data[end.end() :] if end else b"")
        anomalies.add("header-capped")
    data = _PARAM_HEADER.sub(lambda m: _shorten(m.group(0), anomalies), data)
    data = _cut_at(data, _DELIMITER, max_delimiters, anomalies, "parts-capped")
    return _cut_at(data, _CONTAINER, max_containers, anomalies, "multiparts-capped")


def _shorten(header: bytes, anomalies: set[str]) -> bytes:
    if len(header) <= MAX_PARAM_HEADER:
        return header
    anomalies.add("header-capped")
    return header[:MAX_PARAM_HEADER].rstrip(b"\r\n")


def _cut_at(
    data: bytes, pattern: re.Pattern[bytes], keep: int, anomalies: set[str], why: str
) -> bytes:
    for count, found in enumerate(pattern.finditer(data), 1):
        if count > keep:
            start = data.rfind(b"\n", 0, found.start()) + 1
            anomalies.add(why)
            return data[:start]
    return data
