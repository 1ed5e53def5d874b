"""Input files: expansion of paths, transparent gzip/zstd, damaged streams."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from breachdesk.errors import InputFileError
from breachdesk.ingest.files import InputFile, expand_paths, open_decoded

TEXT = b"".join(b"line %d of the log\n" % i for i in range(5000))


def read_all(path: Path) -> tuple[bytes, str | None, str]:
    stream = open_decoded(InputFile(path, str(path)))
    out = []
    while chunk := stream.read(1000):
        out.append(chunk)
    stream.close()
    return b"".join(out), stream.error, stream.compression


def test_expand_paths_files_folders_globs_and_stdin(tmp_path: Path) -> None:
    (tmp_path / "logs" / "nested").mkdir(parents=True)
    for name in ("logs/b.log", "logs/a.log.gz", "logs/nested/c.log", "logs/.hidden", "x.log"):
        (tmp_path / name).write_bytes(b"x\n")
    found = expand_paths(["logs", "x.log", "logs/*.log", "-"], base=tmp_path)
    assert [f.display for f in found] == [
        "logs/a.log.gz",
        "logs/b.log",
        "logs/nested/c.log",
        "x.log",
        "<stdin>",
    ]
    assert found[-1].is_stdin


def test_expand_paths_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        expand_paths(["nope.log"], base=tmp_path)
    with pytest.raises(InputFileError, match="no file matches"):
        expand_paths(["*.nothing"], base=tmp_path)


def test_open_decoded_plain_gzip_members_and_zstd_frames(tmp_path: Path) -> None:
    plain = tmp_path / "a.log"
    plain.write_bytes(TEXT)
    gz = tmp_path / "b.log.gz"
    gz.write_bytes(gzip.compress(TEXT[:30000]) + gzip.compress(TEXT[30000:]))  # two members
    zst = tmp_path / "c.log.zst"
    compressor = zstandard.ZstdCompressor()
    zst.write_bytes(compressor.compress(TEXT[:1000]) + compressor.compress(TEXT[1000:]))
    assert read_all(plain) == (TEXT, None, "none")
    assert read_all(gz) == (TEXT, None, "gzip")
    assert read_all(zst) == (TEXT, None, "zstd")


def test_open_decoded_truncated_gzip_keeps_what_decoded(tmp_path: Path) -> None:
    data = gzip.compress(TEXT)
    path = tmp_path / "cut.log.gz"
    path.write_bytes(data[: len(data) // 2])
    decoded, error, _ = read_all(path)
    assert error == "gzip stream truncated"
    assert 0 < len(decoded) < len(TEXT)
    assert TEXT.startswith(decoded)


def test_open_decoded_corrupt_gzip_reports_it(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(TEXT))
    data[200:260] = b"\x00" * 60
    path = tmp_path / "bad.log.gz"
    path.write_bytes(bytes(data))
    decoded, error, _ = read_all(path)
    assert error is not None
    assert "gzip" in error
    assert TEXT.startswith(decoded[:100])


def test_open_decoded_gzip_with_a_wrong_checksum_reports_it(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(TEXT))
    data[-6] ^= 0xFF  # the member's CRC-32: the content decodes, the check must fail
    path = tmp_path / "crc.log.gz"
    path.write_bytes(bytes(data))
    _, error, _ = read_all(path)
    assert error is not None
    assert error.startswith("corrupt gzip data")


def test_open_decoded_truncated_zstd(tmp_path: Path) -> None:
    data = zstandard.ZstdCompressor().compress(TEXT)
    path = tmp_path / "cut.log.zst"
    path.write_bytes(data[: len(data) // 2])
    decoded, error, _ = read_all(path)
    assert error == "zstd stream truncated"
    assert TEXT.startswith(decoded)


def test_open_decoded_stdin_and_hash() -> None:
    import hashlib

    payload = gzip.compress(TEXT)
    stream = open_decoded(InputFile(None, "<stdin>"), stdin=io.BytesIO(payload))
    out = b""
    while chunk := stream.read(4096):
        out += chunk
    assert out == TEXT
    assert stream.sha256 == hashlib.sha256(payload).hexdigest()


@pytest.mark.parametrize("unread", [0, 37])
def test_read_after_reads_a_plain_file_straight_into_its_buffer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unread: int
) -> None:
    import hashlib

    path = tmp_path / "access.log"
    path.write_bytes(TEXT)
    stream = open_decoded(InputFile(path, str(path)))
    if unread:  # a head read and put back, as a log that may have grown is checked
        stream.unread(stream.read(unread))
    calls = {"read": 0}
    original = type(stream).read

    def counted(self: object, size: int) -> bytes:
        calls["read"] += 1
        return original(self, size)  # type: ignore[arg-type]

    monkeypatch.setattr(type(stream), "read", counted)
    out, prefix = bytearray(), b"tail of the last block "
    while block := stream.read_after(prefix, 10_000):
        assert block.startswith(prefix)
        out += block[len(prefix) :]
        if len(block) == len(prefix):
            break
    stream.close()
    # The magic bytes read to detect compression, and any head put back, come first; no
    # block goes through ``read`` (which would copy it three more times).
    assert calls["read"] == 0
    assert bytes(out) == TEXT
    assert (stream.raw_bytes, stream.decoded_bytes) == (len(TEXT), len(TEXT))
    assert stream.sha256 == hashlib.sha256(TEXT).hexdigest()


@pytest.mark.parametrize("compress", [gzip.compress, zstandard.compress])
def test_read_after_a_compressed_file_in_small_blocks(
    tmp_path: Path, compress: Callable[[bytes], bytes]
) -> None:
    import hashlib

    stored = compress(TEXT)
    path = tmp_path / "access.log.x"
    path.write_bytes(stored)
    stream = open_decoded(InputFile(path, str(path)))
    stream.unread(stream.read(10))  # put back, as a log that may have grown is checked
    out = bytearray()
    # Blocks far smaller than what one read decodes: the rest stays pending, as views.
    while len(block := stream.read_after(b">", 777)) > 1:
        out += block[1:]
    stream.close()
    assert bytes(out) == TEXT
    assert (stream.raw_bytes, stream.decoded_bytes) == (len(stored), len(TEXT))
    assert stream.sha256 == hashlib.sha256(stored).hexdigest()
