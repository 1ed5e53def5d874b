"""Blocks of whole lines: any block size gives back every byte, numbered correctly."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.ingest.blocks import Block, LongLine, read_blocks
from breachdesk.ingest.files import InputFile, open_decoded


def blocks_of(data: bytes, size: int, **kwargs: object) -> list[Block | LongLine]:
    stream = open_decoded(InputFile(None, "<stdin>"), stdin=io.BytesIO(data))
    return list(read_blocks(stream, block_size=size, **kwargs))  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=400)
    .map(lambda b: b.replace(b"\r", b""))
    .filter(lambda b: not b.startswith((b"\x1f\x8b", b"\x28\xb5\x2f\xfd"))),
    st.integers(4, 64),
)
def test_read_blocks_gives_back_every_line(data: bytes, size: int) -> None:
    items = blocks_of(data, size)
    rebuilt = []
    expected_line = 1
    for item in items:
        if isinstance(item, LongLine):
            assert item.line == expected_line
            rebuilt.append(("long", item.length))
            expected_line += 1
            continue
        assert item.first_line == expected_line
        # The reader hands the parser the line ends it found (it counted them anyway).
        assert item.newlines is not None
        assert item.newlines.tolist() == [i for i, b in enumerate(bytes(item.data)) if b == 10]
        rebuilt.append(("block", bytes(item.data)))
        expected_line += item.n_lines
    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte order mark is dropped
    lines = data.split(b"\n")
    total = len(lines) - (1 if data.endswith(b"\n") or not data else 0)
    assert expected_line - 1 == total
    # Blocks hold whole lines; everything not skipped as a long line comes back in order.
    joined = b"".join(x[1] for x in rebuilt if x[0] == "block")  # type: ignore[misc]
    kept = [line for line in data.split(b"\n") if len(line) < size]
    assert all(line in joined for line in kept)


def test_read_blocks_reports_lines_longer_than_a_block() -> None:
    data = b"short\n" + b"x" * 100 + b"\nafter\n"
    items = blocks_of(data, 16)
    longs = [i for i in items if isinstance(i, LongLine)]
    assert [(i.line, i.length, i.reason) for i in longs] == [(2, 100, "line too long")]
    text = b"".join(bytes(i.data) for i in items if isinstance(i, Block))
    assert text == b"short\nafter\n"


def test_read_blocks_cuts_only_where_records_start() -> None:
    data = b"R one\n cont\n cont\nR two\n cont\nR three\n"
    items = blocks_of(data, 8, record_start=lambda head: head.startswith(b"R "))
    for item in items:
        assert isinstance(item, Block)
        assert bytes(item.data).startswith(b"R ")
    assert b"".join(bytes(i.data) for i in items if isinstance(i, Block)) == data


def test_read_blocks_drops_a_byte_order_mark() -> None:
    (block,) = blocks_of(b"\xef\xbb\xbfhello\n", 1024)
    assert isinstance(block, Block)
    assert bytes(block.data) == b"hello\n"
