"""A block's lines as an Arrow string array, valid UTF-8, found without a loop per line.

Bytes that are not UTF-8 are read as Latin-1 (every byte maps to a character, so mixed-encoding
logs decode without loss of a line and never raise); the original bytes are kept for rejects.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa

from breachdesk.ingest.blocks import Block, Bytes, newline_offsets

_SCAN = 4 << 20
_CR = 13
_QUOTE = 34


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("breachdesk.latin1", _latin1_fallback)


@dataclass(frozen=True)
class ByteScan:
    """Where the line ends are, and how many carriage returns and quotes the block holds."""

    newlines: np.ndarray
    carriage_returns: int
    quotes: int


def scan(data: Bytes, newlines: np.ndarray | None = None) -> ByteScan:
    """The line ends (found here unless the reader gives them), and the carriage returns and
    quotes, counted in slices (no temporary array as large as the block)."""
    if newlines is None:
        newlines = newline_offsets(data)
    view = np.frombuffer(data, dtype=np.uint8)
    quotes = 0
    mask = np.empty(min(len(view), _SCAN), dtype=bool)
    for start in range(0, len(view), _SCAN):
        part = view[start : start + _SCAN]
        out = mask[: len(part)]
        np.equal(part, _QUOTE, out=out)
        quotes += int(np.count_nonzero(out))
    # Most logs hold no carriage return at all: a memchr answers that.
    carriage_returns = data.count(b"\r") if b"\r" in data else 0
    return ByteScan(newlines.astype(np.int64, copy=False), carriage_returns, quotes)


def line_bounds(
    data: Bytes, newlines: np.ndarray | None = None, *, carriage_returns: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of each line: ``ends`` excludes the ``\\n`` and a ``\\r`` before it.

    ``carriage_returns=False`` says the data holds no ``\\r`` at all (``scan`` counted them).
    """
    if newlines is None:
        newlines = scan(data).newlines
    n = len(newlines) + (0 if data.endswith(b"\n") or not data else 1)
    starts = np.empty(n, dtype=np.int64)
    ends = np.empty(n, dtype=np.int64)
    if n == 0:
        return starts, ends
    starts[0] = 0
    starts[1:] = newlines[: n - 1] + 1
    ends[: len(newlines)] = newlines
    if n > len(newlines):
        ends[-1] = len(data)
    if not carriage_returns:
        # Most logs: no line end to trim, and the passes below (a gather over the block
        # among them) would only confirm it.
        return starts, ends
    view = np.frombuffer(data, dtype=np.uint8)
    has_content = ends > starts
    before = np.where(has_content, ends - 1, 0)
    ends -= (has_content & (view[before] == _CR)).astype(np.int64)
    return starts, ends


def is_utf8(data: Bytes) -> bool:
    offsets = np.array([0, len(data)], dtype=np.int32 if len(data) < 2**31 else np.int64)
    kind = pa.string() if offsets.dtype == np.int32 else pa.large_string()
    array = pa.Array.from_buffers(kind, 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def repair_utf8(data: Bytes) -> bytes:
    """``data`` as valid UTF-8: invalid sequences read as Latin-1. Line ends are unchanged."""
    return data.decode("utf-8", errors="breachdesk.latin1").encode("utf-8")


@dataclass
class TextBlock:
    """The lines of one block: offsets into ``text`` (valid UTF-8) and into the raw bytes."""

    raw: Bytes
    text: Bytes
    first_line: int
    starts: np.ndarray
    ends: np.ndarray
    raw_starts: np.ndarray
    raw_ends: np.ndarray
    repaired: bool
    carriage_returns: int = 0
    quotes: int = 0

    @classmethod
    def from_block(cls, block: Block) -> TextBlock:
        raw = block.data
        found = scan(raw, block.newlines)
        starts, ends = line_bounds(raw, found.newlines, carriage_returns=found.carriage_returns > 0)
        text: Bytes = raw if is_utf8(raw) else repair_utf8(raw)
        if text is raw:
            return cls(
                raw,
                raw,
                block.first_line,
                starts,
                ends,
                starts,
                ends,
                False,
                found.carriage_returns,
                found.quotes,
            )
        new_starts, new_ends = line_bounds(text)
        return cls(
            raw,
            text,
            block.first_line,
            new_starts,
            new_ends,
            starts,
            ends,
            True,
            found.carriage_returns,
            found.quotes,
        )

    @cached_property
    def lone_carriage_returns(self) -> bool:
        """Is there a ``\\r`` that does not end a line? (CSV tokenizers split lines there.)"""
        if not self.carriage_returns:
            return False
        line_end_crs = int(np.count_nonzero(self.starts[1:] - self.ends[:-1] == 2))
        if self.n_lines and len(self.text) - self.ends[-1] == 2:
            line_end_crs += 1
        return self.carriage_returns != line_end_crs

    @property
    def n_lines(self) -> int:
        return len(self.starts)

    @cached_property
    def lengths(self) -> np.ndarray:
        """Byte length of each line's content (without the line end)."""
        lengths: np.ndarray = self.ends - self.starts
        return lengths

    @cached_property
    def lines(self) -> pa.Array:
        """Each line's content, without its line end (one copy, made only when needed)."""
        n = self.n_lines
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(self.lengths, out=offsets[1:])
        view = np.frombuffer(self.text, dtype=np.uint8)
        keep = np.ones(len(view), dtype=bool)
        if n:
            terminator = np.empty(n, dtype=np.int64)
            terminator[:-1] = self.starts[1:] - self.ends[:-1]
            terminator[-1] = len(view) - self.ends[-1]
            keep[self.ends[terminator >= 1]] = False
            keep[self.ends[terminator >= 2] + 1] = False
        data = view[keep].tobytes()
        if offsets[-1] < 2**31:
            return pa.Array.from_buffers(
                pa.string(), n, [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)]
            )
        return pa.Array.from_buffers(
            pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
        )

    def line_numbers(self, index: np.ndarray | None = None) -> np.ndarray:
        """1-based line numbers of the lines at ``index`` (all lines when None)."""
        if index is None:
            return np.arange(self.first_line, self.first_line + self.n_lines, dtype=np.int64)
        return index.astype(np.int64) + self.first_line

    def raw_line(self, i: int) -> bytes:
        """The line as stored (before any re-decoding), without its line end."""
        return bytes(self.raw[int(self.raw_starts[i]) : int(self.raw_ends[i])])


def escape_bytes(raw: bytes) -> str:
    """Printable ASCII as is, a backslash doubled, any other byte as ``\\xNN``.

    Reversible, and safe to show in any terminal: no control character, no non-ASCII.
    """
    out: list[str] = []
    for byte in raw:
        if byte == 0x5C:
            out.append("\\\\")
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02x}")
    return "".join(out)
