"""Cut a decoded stream into large blocks of whole lines (or whole records) for vectorised parsing.

Memory stays bounded whatever the input: a "line" longer than a block is not accumulated but
skipped to its end and reported as one ``LongLine`` (its head kept for the rejects).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from breachdesk.ingest.files import DecodedStream

BLOCK_SIZE = 32 << 20
_NEWLINE = 10
REJECT_HEAD = 64 << 10
_SCAN = 4 << 20
"""How much of an over-long line is kept in the rejects (the file itself keeps the rest)."""

Bytes = bytes | bytearray
"""A block's data: read straight into a bytearray (no copy), or bytes."""

RecordStart = Callable[[bytes], bool]
"""For multi-line records: does this line (its first bytes) start a new record?"""


@dataclass(frozen=True)
class Block:
    """Whole lines ``first_line`` … ``first_line + n_lines - 1`` of one input (1-based).

    ``newlines``: the offsets of its ``\n`` bytes when the reader found them (it must count
    lines to number the next block), so that the parser need not look for them again.
    """

    index: int
    data: Bytes
    first_line: int
    n_lines: int
    newlines: np.ndarray | None = None


@dataclass(frozen=True)
class LongLine:
    """A line that cannot be parsed whole (longer than a block, or cut short): its head."""

    line: int
    head: bytes
    length: int
    reason: str = "line too long"


def read_blocks(
    stream: DecodedStream,
    *,
    block_size: int = BLOCK_SIZE,
    record_start: RecordStart | None = None,
) -> Iterator[Block | LongLine]:
    """Blocks of whole lines; with ``record_start``, cut only where a record starts."""
    pending = b""
    line = 1
    index = 0
    long_line: LongLine | None = None
    first = True
    while True:
        data = stream.read_after(pending, block_size)
        fresh = len(data) - len(pending)
        pending = b""
        if first:
            first = False
            if data.startswith(b"\xef\xbb\xbf"):
                del data[:3]  # a UTF-8 byte order mark is not part of the first line
        if long_line is not None:
            newline = data.find(b"\n")
            if newline < 0 and fresh:
                long_line = LongLine(long_line.line, long_line.head, long_line.length + len(data))
                continue
            end = newline if newline >= 0 else len(data)
            yield LongLine(long_line.line, long_line.head, long_line.length + end)
            long_line = None
            line += 1
            if newline < 0:
                return
            del data[: end + 1]
            if not data:
                continue
        if not fresh:
            if data:
                newlines = newline_offsets(data)
                tail = 0 if data.endswith(b"\n") else 1
                yield Block(index, data, line, len(newlines) + tail, newlines)
            return
        cut = data.rfind(b"\n") + 1
        if record_start is not None and cut:
            boundary = _last_record_start(data, cut, record_start)
            if boundary:
                cut = boundary
            elif len(data) <= 4 * block_size:
                pending = bytes(data)
                continue
            # else: one record longer than four blocks is cut at a line end; the parser
            # rejects the lines that then arrive without their record's first line.
        if cut == 0:
            if len(data) <= block_size:
                pending = bytes(data)
                continue
            # No line end within a whole block: this line is only kept as its head.
            long_line = LongLine(line, bytes(data[:REJECT_HEAD]), len(data))
            continue
        pending = bytes(data[cut:])
        del data[cut:]
        newlines = newline_offsets(data)
        yield Block(index, data, line, len(newlines), newlines)
        index += 1
        line += len(newlines)


def newline_offsets(data: Bytes) -> np.ndarray:
    """Offsets of the ``\n`` bytes in ``data`` (numpy, in slices: no temporary array as
    large as the block)."""
    view = np.frombuffer(data, dtype=np.uint8)
    mask = np.empty(min(len(view), _SCAN), dtype=bool)
    found = []
    for start in range(0, len(view), _SCAN):
        part = view[start : start + _SCAN]
        out = mask[: len(part)]
        np.equal(part, _NEWLINE, out=out)
        here = np.flatnonzero(out)
        here += start
        found.append(here)
    return np.concatenate(found).astype(np.int64, copy=False) if found else np.zeros(0, np.int64)


def _last_record_start(data: Bytes, cut: int, record_start: RecordStart) -> int:
    """Offset of the last line before ``cut`` that starts a record (0 when only the first)."""
    end = cut - 1
    while end > 0:
        start = data.rfind(b"\n", 0, end) + 1
        if start == 0:
            return 0
        if record_start(bytes(data[start : start + 256])):
            return start
        end = start - 1
    return 0
