"""Input files for ingest: paths, folders, globs and ``-`` (stdin), decompressed on the fly.

gzip (including concatenated members) and zstd (including several frames) are recognised by
their magic bytes, not by name. A truncated or corrupt stream keeps what decoded and records
where it stopped; it never raises while reading. gzip goes through ISA-L (``isal``, zlib's
interface at about 1.7 times its speed on logs) and falls back to zlib where it is missing.
"""

from __future__ import annotations

import glob
import hashlib
import os
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol, cast

import zstandard

from breachdesk.errors import InputFileError

try:
    from isal import isal_zlib as _inflate
except ImportError:  # no wheel for this platform: the standard library's, slower
    _inflate = zlib  # type: ignore[misc]
_INFLATE_ERROR = cast("type[Exception]", _inflate.error)

STDIN = "-"
READ_SIZE = 4 << 20
_DIRECT_MAX = 256 << 20
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass(frozen=True)
class InputFile:
    """One file to ingest: ``path`` on disk, or stdin when ``path`` is None."""

    path: Path | None
    display: str

    @property
    def is_stdin(self) -> bool:
        return self.path is None

    def size(self) -> int | None:
        return None if self.path is None else self.path.stat().st_size


def expand_paths(paths: list[str], *, base: Path | None = None) -> list[InputFile]:
    """Files named by ``paths``: files, folders (every file below, hidden ones skipped), globs.

    Order is stable (sorted within each folder or glob) and duplicates are dropped. A path that
    matches nothing is an InputFileError: a typo must not look like an empty log.
    """
    found: list[InputFile] = []
    seen: set[Path] = set()
    stdin_used = False

    def add(path: Path) -> None:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            found.append(InputFile(path=resolved, display=_display(path, base)))

    for raw in paths:
        if raw == STDIN:
            if not stdin_used:
                found.append(InputFile(path=None, display="<stdin>"))
                stdin_used = True
            continue
        candidate = Path(raw).expanduser()
        if base is not None and not candidate.is_absolute():
            candidate = base / candidate
        if candidate.is_file():
            add(candidate)
        elif candidate.is_dir():
            files = sorted(p for p in _walk(candidate))
            for path in files:
                add(path)
        elif glob.has_magic(raw):
            matches = sorted(glob.glob(str(candidate), recursive=True))
            files = [Path(m) for m in matches if Path(m).is_file()]
            if not files:
                raise InputFileError("no file matches this pattern", path=raw)
            for path in files:
                add(path)
        elif candidate.exists():
            raise InputFileError("not a regular file or folder", path=raw)
        else:
            raise InputFileError("no such file or folder", path=raw)
    return found


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                yield Path(root) / name


def _display(path: Path, base: Path | None) -> str:
    """The name used in ``raw_ref`` and messages: relative to the workspace when inside it."""
    absolute = path.resolve()
    if base is not None:
        try:
            return str(absolute.relative_to(base.resolve()))
        except ValueError:
            pass
    return str(absolute)


class _Decoder(Protocol):
    def feed(self, data: bytes) -> bytes: ...

    def finish(self) -> str | None: ...


class _Plain:
    def feed(self, data: bytes) -> bytes:
        return data

    def finish(self) -> str | None:
        return None


class _Gzip:
    """gzip members one after another, as ``cat a.gz b.gz`` and log rotation produce."""

    def __init__(self) -> None:
        self._obj = _inflate.decompressobj(wbits=31)
        self._failed: str | None = None
        self._in_member = False

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        while data and self._failed is None:
            if not self._in_member and not data.strip(b"\x00"):
                break  # zero padding after the last member is common and harmless
            try:
                out.append(self._obj.decompress(data))
            except _INFLATE_ERROR as exc:
                self._failed = f"corrupt gzip data ({exc})"
                break
            if not self._obj.eof:
                self._in_member = True
                break
            data = self._obj.unused_data
            self._obj = _inflate.decompressobj(wbits=31)
            self._in_member = False
        return b"".join(out)

    def finish(self) -> str | None:
        if self._failed is not None:
            return self._failed
        if self._in_member:
            return "gzip stream truncated"
        return None


class _Zstd:
    def __init__(self) -> None:
        self._dctx = zstandard.ZstdDecompressor()
        self._obj = self._dctx.decompressobj()
        self._failed: str | None = None
        self._in_frame = False

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        while data and self._failed is None:
            try:
                out.append(self._obj.decompress(data))
            except zstandard.ZstdError as exc:
                self._failed = f"corrupt zstd data ({exc})"
                break
            self._in_frame = not self._obj.eof
            if not self._obj.eof:
                break
            data = self._obj.unused_data
            self._obj = self._dctx.decompressobj()
        return b"".join(out)

    def finish(self) -> str | None:
        if self._failed is not None:
            return self._failed
        if self._in_frame:
            return "zstd stream truncated"
        return None


@dataclass
class DecodedStream:
    """Decompressed bytes of one input, with the SHA-256 of the bytes as stored.

    ``error`` is set once the input ended early (truncated or corrupt); what decoded before
    that point has been returned by ``read`` and stays usable.
    """

    source: InputFile
    _file: BinaryIO
    _decoder: _Decoder
    _pending: bytes | memoryview = b""
    _sha: hashlib._Hash = field(default_factory=hashlib.sha256)
    raw_bytes: int = 0
    decoded_bytes: int = 0
    compression: str = "none"
    error: str | None = None
    _eof: bool = False

    def read(self, size: int) -> bytes:
        """Up to ``size`` decoded bytes; ``b""`` at the end."""
        return b"".join(self._pieces(size))

    def _pieces(self, size: int) -> list[bytes | memoryview]:
        """The next decoded bytes, up to ``size`` in all, as the pieces they were decoded in
        (joined once by the caller); what is decoded beyond ``size`` stays pending."""
        pieces = [self._pending] if self._pending else []
        have = len(self._pending)
        self._pending = b""
        while have < size and not self._eof:
            raw = self._file.read(READ_SIZE)
            if not raw:
                self._eof = True
                self.error = self._decoder.finish()
                break
            self._sha.update(raw)
            self.raw_bytes += len(raw)
            out = self._decoder.feed(raw)
            if out:
                pieces.append(out)
                have += len(out)
        if have > size:
            # Views, not copies: a decoded piece can be tens of megabytes.
            last = memoryview(pieces[-1])
            keep = len(last) - (have - size)
            pieces[-1], self._pending = last[:keep], last[keep:]
            have = size
        self.decoded_bytes += have
        return pieces

    def read_after(self, prefix: bytes, size: int) -> bytearray:
        """``prefix`` followed by up to ``size`` decoded bytes, in one buffer (no other copy of
        the data: for a plain file the bytes are read straight into it)."""
        if self.compression != "none" or size > _DIRECT_MAX:
            return bytearray().join([prefix, *self._pieces(size)])  # one copy
        # Bytes put back (the magic bytes read to detect compression, a head unread) come
        # first; they were hashed when read. Without this, those four bytes sent every block
        # of a plain file through ``read`` and three extra copies of it.
        pending, self._pending = self._pending[:size], self._pending[size:]
        out = bytearray(len(prefix) + size)
        out[: len(prefix)] = prefix
        out[len(prefix) : len(prefix) + len(pending)] = pending
        view = memoryview(out)
        start = filled = len(prefix) + len(pending)
        while filled < len(out) and not self._eof:
            got = self._file.readinto(view[filled:])  # type: ignore[attr-defined]
            if not got:
                self._eof = True
                self.error = self._decoder.finish()
                break
            self._sha.update(view[filled : filled + got])
            filled += got
        view.release()
        del out[filled:]
        self.raw_bytes += filled - start
        self.decoded_bytes += filled - len(prefix)
        return out

    def unread(self, data: bytes) -> None:
        """Put decoded bytes back in front of the stream."""
        self._pending = data + bytes(self._pending)
        self.decoded_bytes -= len(data)

    def drain_raw(self) -> None:
        """Hash the rest of the stored bytes (after a read stopped early)."""
        while True:
            raw = self._file.read(READ_SIZE)
            if not raw:
                return
            self._sha.update(raw)
            self.raw_bytes += len(raw)

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()

    def close(self) -> None:
        if self._file is not sys.stdin.buffer:
            self._file.close()


def open_decoded(source: InputFile, *, stdin: BinaryIO | None = None) -> DecodedStream:
    """Open ``source`` for reading, with decompression picked from its first bytes."""
    if source.path is None:
        handle: BinaryIO = stdin if stdin is not None else sys.stdin.buffer
    else:
        try:
            handle = open(source.path, "rb")  # noqa: SIM115 (closed by DecodedStream.close)
        except OSError as exc:
            raise InputFileError(f"cannot open: {exc.strerror}", path=source.display) from None
    head = handle.read(4)
    decoder: _Decoder
    if head.startswith(_GZIP_MAGIC):
        decoder, compression = _Gzip(), "gzip"
    elif head.startswith(_ZSTD_MAGIC):
        decoder, compression = _Zstd(), "zstd"
    else:
        decoder, compression = _Plain(), "none"
    stream = DecodedStream(source=source, _file=handle, _decoder=decoder, compression=compression)
    # The magic bytes were consumed: feed them first, as stored bytes.
    stream._sha.update(head)
    stream.raw_bytes = len(head)
    stream._pending = decoder.feed(head)
    return stream


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's stored bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(READ_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def head_sha256(path: Path, size: int = 1 << 20) -> str:
    """SHA-256 of the first ``size`` stored bytes (a cheap pre-check before the full hash)."""
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read(size)).hexdigest()
