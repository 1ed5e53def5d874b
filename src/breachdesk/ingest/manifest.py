"""What has been ingested: one JSON line per input file, keyed by the SHA-256 of its bytes.

The manifest lives next to the events it describes (``events/_manifest.jsonl``) rather than in
the workspace database: the two are written by the same commit, copied and restored together,
and ingest needs neither the store nor its key. Each record is appended with one ``write`` and
an ``fsync``; a torn last line (power cut) is ignored on reading, and the file it described is
simply ingested again — its outputs have the same names, so the redo replaces them.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from breachdesk.errors import WorkspaceError
from breachdesk.ingest.writer import move_into_place, read_intent, staging_root

MANIFEST = "_manifest.jsonl"
LOCK = ".ingest.lock"
FORGOTTEN = "forgotten"


@dataclass(frozen=True)
class FileRecord:
    """One ingested input file."""

    sha256: str
    source: str
    path: str
    format: str
    size: int
    raw_head_sha256: str
    decoded_bytes: int
    decoded_sha256: str
    head_len: int
    head_sha256: str
    lines: int
    events: int
    rejected: int
    skipped: int
    first_line: int = 1
    resumed_from: str | None = None
    error: str | None = None
    ingested_at: str = ""
    files: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.sha256[:32]

    @property
    def recordable(self) -> bool:
        """A file whose every line was rejected (a wrong ``--format``, say) is not recorded, so
        that running again with the right settings ingests it."""
        return not (self.events == 0 and self.rejected > 0)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileRecord:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Manifest:
    """The manifest of one workspace's events folder."""

    def __init__(self, events_root: Path) -> None:
        self.root = events_root
        self.path = events_root / MANIFEST
        self._records: list[FileRecord] | None = None
        self.lock = threading.RLock()
        """Held by a commit from its last check to its record (files commit in parallel)."""

    def records(self) -> list[FileRecord]:
        with self.lock:
            if self._records is None:
                self._records = list(self._read())
            return list(self._records)

    def _read(self) -> Iterator[FileRecord]:
        try:
            handle = open(self.path, encoding="utf-8")  # noqa: SIM115
        except FileNotFoundError:
            return
        records: list[FileRecord] = []
        with handle:
            for text in handle:
                try:
                    data = json.loads(text)
                    if isinstance(data, dict) and FORGOTTEN in data:
                        records = [r for r in records if r.sha256 != data[FORGOTTEN]]
                        continue
                    records.append(FileRecord.from_dict(data))
                except (ValueError, TypeError):
                    continue  # a torn last line: that file is ingested again
        yield from records

    def find(self, sha256: str) -> FileRecord | None:
        return next((r for r in reversed(self.records()) if r.sha256 == sha256), None)

    def lineage(self, record: FileRecord) -> list[FileRecord]:
        """``record`` and the records of the earlier files it continues, newest first: what
        ingesting its content again from the first line replaces."""
        chain = [record]
        seen = {record.sha256}
        while chain[-1].resumed_from is not None and chain[-1].resumed_from not in seen:
            earlier = self.find(chain[-1].resumed_from)
            if earlier is None:
                break
            chain.append(earlier)
            seen.add(earlier.sha256)
        return chain

    def origin(self, relative: str) -> FileRecord | None:
        """The record whose output includes ``relative`` (a path under ``.breachdesk/``)."""
        return next((r for r in reversed(self.records()) if relative in r.files), None)

    def same_start(self, size: int, raw_head_sha256: str) -> bool:
        """Could a file of this size and first MiB already be recorded? (cheap pre-check)"""
        return any(r.size == size and r.raw_head_sha256 == raw_head_sha256 for r in self.records())

    def prefixes(self, source: str) -> list[FileRecord]:
        """Complete records of ``source`` that a longer file could continue (log growth)."""
        return [r for r in self.records() if r.source == source and r.error is None and r.lines]

    def append(self, record: FileRecord, *, forgetting: list[str] | None = None) -> None:
        """Record ``record``, after forgetting the records of ``forgetting`` (content hashes),
        in one write: a torn write leaves the file forgotten and unrecorded, i.e. to ingest."""
        forgetting = forgetting or []
        text = "".join(_forgotten(sha) for sha in forgetting)
        text += json.dumps(record.to_dict(), ensure_ascii=True) + "\n"
        with self.lock:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if os.fstat(fd).st_size and not _ends_with_newline(self.path):
                    text = "\n" + text  # after a torn line, start clean
                os.write(fd, text.encode("ascii"))
                os.fsync(fd)
            finally:
                os.close(fd)
            self._records = [r for r in self.records() if r.sha256 not in forgetting] + [record]


def _forgotten(sha256: str) -> str:
    return json.dumps({FORGOTTEN: sha256}) + "\n"


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


@contextmanager
def ingest_lock(events_root: Path) -> Iterator[None]:
    """One ingest at a time per workspace."""
    events_root.mkdir(parents=True, exist_ok=True)
    fd = os.open(events_root / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkspaceError(
                "another 'breachdesk ingest' is running in this workspace; wait for it to end"
            ) from None
        yield
    finally:
        os.close(fd)


def recover(events_root: Path, manifest: Manifest) -> int:
    """Finish commits a crash interrupted and drop unfinished staging; returns commits finished."""
    root = staging_root(events_root)
    if not root.exists():
        return 0
    finished = 0
    for staging in sorted(p for p in root.iterdir() if p.is_dir()):
        intent = read_intent(staging)
        if intent is not None:
            record = FileRecord.from_dict(intent["record"])
            move_into_place(staging, events_root.parent, intent)
            if manifest.find(record.sha256) != record and record.recordable:
                manifest.append(record, forgetting=intent.get("forget", []))
            finished += 1
        shutil.rmtree(staging, ignore_errors=True)
    return finished


def rebuild_advice(event_file: Path) -> str:
    """What to do about a damaged file of ``events/source=*/date=*/``: ingest its log again
    when the manifest names it, else set the file aside."""
    events_root = event_file.parents[2]
    relative = event_file.relative_to(events_root.parent).as_posix()
    try:
        record = Manifest(events_root).origin(relative)
    except OSError:  # an unreadable manifest must not hide the error being reported
        record = None
    if record is None or record.path in ("-", "<stdin>"):
        return "move it aside to work without its events"
    words = ["breachdesk", "ingest", "--force", record.path]
    command = shlex.join([*words, "--source", record.source, "--format", record.format])
    return (
        f"it holds events of {record.path} (source {record.source}): '{command}' rebuilds it, "
        "or move it aside to work without its events"
    )
