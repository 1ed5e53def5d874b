"""Lines of a block: bounds, CR LF, mixed encodings, escaping for rejects."""

from __future__ import annotations

import codecs

from hypothesis import given
from hypothesis import strategies as st

from breachdesk.ingest.blocks import Block
from breachdesk.ingest.text import TextBlock, escape_bytes


def text_block(data: bytes) -> TextBlock:
    return TextBlock.from_block(Block(0, data, 1, data.count(b"\n")))


def test_text_block_lines_without_their_ends() -> None:
    block = text_block(b"ab\ncd\r\n\n\r\nlast")
    assert block.lines.to_pylist() == ["ab", "cd", "", "", "last"]
    assert [block.raw_line(i) for i in range(5)] == [b"ab", b"cd", b"", b"", b"last"]


def test_text_block_reads_invalid_utf8_as_latin1() -> None:
    block = text_block("été\n".encode("latin-1") + "été\n".encode())
    assert block.repaired
    assert block.lines.to_pylist() == ["été", "été"]
    assert block.raw_line(0) == "été".encode("latin-1")


def test_text_block_finds_lone_carriage_returns() -> None:
    assert not text_block(b"a\r\nb\r\n").lone_carriage_returns
    assert text_block(b"a\rb\n").lone_carriage_returns


@given(st.binary(max_size=200))
def test_escape_bytes_is_printable_ascii_and_reversible(raw: bytes) -> None:
    escaped = escape_bytes(raw)
    assert all(32 <= ord(c) < 127 for c in escaped)
    assert codecs.escape_decode(escaped.encode())[0] == raw


@given(st.binary(max_size=300))
def test_text_block_never_fails_and_counts_lines(data: bytes) -> None:
    block = text_block(data)
    assert block.n_lines == data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    assert len(block.lines) == block.n_lines
