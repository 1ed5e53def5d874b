"""Where reported emails come from: ``.eml`` files, folders of them, mbox files, maildirs.

Paths are checked before anything is read (an unreadable one is a one-line error), then
messages are streamed one at a time, each read up to the size cap and no further.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from breachdesk.errors import InputFileError

MESSAGE_SUFFIXES = {".eml", ".mbox", ".mbx", ".msg822"}
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]{1,76}:")
_LINE_PIECE = 64 * 1024
_MBOX_ESCAPED = re.compile(rb"^>(>*From )", re.MULTILINE)


@dataclass(frozen=True)
class MessageSource:
    """One message's bytes (at most the cap plus one byte) and where it came from."""

    name: str
    data: bytes


def check_paths(paths: Iterable[Path]) -> list[Path]:
    """``paths`` if every one exists and is readable; InputFileError for the first that is not."""
    checked = []
    for path in paths:
        if not path.exists():
            raise InputFileError("no such file or folder", path=path)
        if not os.access(path, os.R_OK) or (path.is_dir() and not os.access(path, os.X_OK)):
            raise InputFileError("not readable (permission denied)", path=path)
        if not (path.is_file() or path.is_dir()):
            raise InputFileError("not a file or a folder", path=path)
        checked.append(path)
    return checked


def iter_messages(paths: Iterable[Path], max_bytes: int) -> Iterator[MessageSource]:
    """Every message under ``paths``, in order (folders sorted by name).

    The paths are checked at once, before the first message is asked for.
    """
    return _messages(check_paths(paths), max_bytes)


def _messages(paths: list[Path], max_bytes: int) -> Iterator[MessageSource]:
    for path in paths:
        if path.is_dir():
            yield from _folder(path, max_bytes)
        else:
            yield from _file(path, max_bytes)


def is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _folder(root: Path, max_bytes: int) -> Iterator[MessageSource]:
    if is_maildir(root):
        for sub in ("new", "cur"):
            for entry in sorted((root / sub).iterdir()):
                if entry.is_file() and not entry.name.startswith("."):
                    yield from _single(entry, max_bytes)
        return
    for current, dirs, files in os.walk(root):
        here = Path(current)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if is_maildir(here) and here != root:
            dirs[:] = []
            yield from _folder(here, max_bytes)
            continue
        for name in sorted(files):
            entry = here / name
            if name.startswith(".") or not entry.is_file():
                continue
            if entry.suffix.lower() in MESSAGE_SUFFIXES or (
                not entry.suffix and _looks_like_mail(entry)
            ):
                yield from _file(entry, max_bytes)


def _looks_like_mail(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return head.startswith(b"From ") or bool(_HEADER_LINE.match(head))


def _file(path: Path, max_bytes: int) -> Iterator[MessageSource]:
    try:
        with path.open("rb") as handle:
            if handle.read(5) == b"From ":
                handle.seek(0)
                yield from _mbox(path, handle, max_bytes)
                return
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc.strerror}", path=path) from None
    yield from _single(path, max_bytes)


def _single(path: Path, max_bytes: int) -> Iterator[MessageSource]:
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc.strerror}", path=path) from None
    yield MessageSource(str(path), data)


def _mbox(path: Path, handle: BinaryIO, max_bytes: int) -> Iterator[MessageSource]:
    """mboxo/mboxrd: a message starts at a ``From `` line after a blank line (or at the top)."""
    number = 0
    pending: list[bytes] | None = None  # held back: a lone message is named by its path
    chunks: list[bytes] = []
    size = 0
    previous_blank = True
    started = False
    # Lines are read in bounded pieces: one endless line must not fill the memory.
    for line in iter(lambda: handle.readline(_LINE_PIECE), b""):
        if line.startswith(b"From ") and previous_blank:
            if started:
                if pending is not None:
                    number += 1
                    yield _mbox_message(path, number, pending)
                pending = chunks
            chunks, size, started = [], 0, True
            previous_blank = False
            continue
        previous_blank = line in (b"\n", b"\r\n")
        if size <= max_bytes:
            chunks.append(line)
            size += len(line)
    if pending is not None:
        number += 1
        yield _mbox_message(path, number, pending)
        yield _mbox_message(path, number + 1, chunks)
    elif started:
        yield _mbox_message(path, 0, chunks)


def _mbox_message(path: Path, number: int, chunks: list[bytes]) -> MessageSource:
    """Message ``number`` of the mbox at ``path`` (``path#number``; 0: the only one)."""
    data = b"".join(chunks)
    if data.endswith(b"\n\n"):
        data = data[:-1]  # the blank line that separates messages
    name = f"{path}#{number}" if number else str(path)
    return MessageSource(name, _MBOX_ESCAPED.sub(rb"\1", data))
