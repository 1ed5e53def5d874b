"""Parquet output of one input file, staged then committed in one step with its manifest record.

Everything an input file produces is first written under ``.breachdesk/ingest-staging/<id>/``
(outside ``events/``, so no reader's glob ever sees it): one Parquet
file per date (``source=NAME/date=YYYY-MM-DD/<key>.parquet``, one row group per block) and its
rejects. Commit writes an intent (the manifest record and the list of files), moves the files
into place, appends the record to the manifest, then removes the staging folder. A crash before
the intent leaves only staging, which the next run deletes; a crash after it is rolled forward
by the next run. Final names derive from the file's content hash, so a redo replaces, never adds.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from breachdesk.ingest.events import PARQUET_DICTIONARY, WRITE_SCHEMA
from breachdesk.ingest.rejects import Reject

STAGING = "ingest-staging"
"""Folder of unfinished output, next to ``events/`` (not inside it)."""


def staging_root(events_root: Path) -> Path:
    return events_root.parent / STAGING


INTENT = "intent.json"
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 1
_EPOCH = date(1970, 1, 1)


def partition_dir(source: str, day: date) -> str:
    return f"source={source}/date={day.isoformat()}"


@dataclass
class StagedOutput:
    """Events and rejects of one input file, written to staging until committed."""

    events_root: Path
    rejects_root: Path
    source: str
    key: str
    staging: Path = field(init=False)
    _writers: dict[int, pq.ParquetWriter] = field(default_factory=dict, init=False)
    _rejects: Any = field(default=None, init=False)
    events: int = field(default=0, init=False)
    rejected: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.staging = staging_root(self.events_root) / f"{self.key[:16]}-{uuid.uuid4().hex[:8]}"
        self.staging.mkdir(parents=True)

    def write_events(self, table: pa.Table) -> None:
        """Append rows, split by UTC date (one row group per call and date)."""
        if table.num_rows == 0:
            return
        days = pc.cast(pc.cast(table.column("time"), pa.date32()), pa.int32())
        distinct = pc.unique(days).to_pylist()
        for day in distinct:
            part = table if len(distinct) == 1 else table.filter(pc.equal(days, day))
            self._writer(day).write_table(part)
            self.events += part.num_rows

    def _writer(self, day: int) -> pq.ParquetWriter:
        writer = self._writers.get(day)
        if writer is None:
            when = _EPOCH + timedelta(days=day)
            folder = self.staging / "events" / partition_dir(self.source, when)
            folder.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(
                folder / f"{self.key}.parquet",
                WRITE_SCHEMA,
                compression=COMPRESSION,
                compression_level=COMPRESSION_LEVEL,
                use_dictionary=list(PARQUET_DICTIONARY),
                store_schema=False,
                write_statistics=["time", "status", "principal", "src_ip", "resource"],
            )
            self._writers[day] = writer
        return writer

    def write_rejects(self, rejects: list[Reject]) -> None:
        if not rejects:
            return
        if self._rejects is None:
            folder = self.staging / "rejects" / f"source={self.source}"
            folder.mkdir(parents=True, exist_ok=True)
            self._rejects = open(folder / f"{self.key}.jsonl", "w", encoding="ascii")  # noqa: SIM115
        self._rejects.write("".join(r.to_json() + "\n" for r in rejects))
        self.rejected += len(rejects)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        if self._rejects is not None:
            self._rejects.close()
            self._rejects = None

    def staged_files(self) -> list[Path]:
        return sorted(p for p in self.staging.rglob("*") if p.is_file() and p.name != INTENT)

    def abort(self) -> None:
        self.close()
        shutil.rmtree(self.staging, ignore_errors=True)


def write_intent(staged: StagedOutput, record: dict[str, Any]) -> None:
    """The point of no return: after this file exists, the commit is rolled forward."""
    files = [str(p.relative_to(staged.staging)) for p in staged.staged_files()]
    intent = {"record": record, "files": files, "source": staged.source, "key": staged.key}
    target = staged.staging / INTENT
    temporary = staged.staging / (INTENT + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(intent, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def move_into_place(staging: Path, events_root: Path, rejects_root: Path) -> list[str]:
    """Move the staged files of a committed intent into place (again, if half done)."""
    intent = json.loads((staging / INTENT).read_text(encoding="utf-8"))
    source, key = intent["source"], intent["key"]
    moves: list[tuple[Path, Path]] = []
    for relative in intent["files"]:
        kind, rest = relative.split("/", 1)
        root = events_root if kind == "events" else rejects_root
        moves.append((staging / relative, root / rest))
    targets = {target for _, target in moves}
    # Files an earlier, crashed attempt left for the same content and that this commit does
    # not replace (e.g. it now falls on other dates): the redo must not add to them.
    leftovers = list((events_root / f"source={source}").glob(f"date=*/{key}.parquet"))
    leftovers.append(rejects_root / f"source={source}" / f"{key}.jsonl")
    for old in leftovers:
        if old not in targets:
            old.unlink(missing_ok=True)
    for origin, target in moves:
        if origin.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(origin, target)
    return [str(target) for _, target in moves]


def intent_record(staging: Path) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((staging / INTENT).read_text(encoding="utf-8"))["record"]
    return record
