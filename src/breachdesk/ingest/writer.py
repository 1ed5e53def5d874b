"""Parquet output of one input file, staged then committed in one step with its manifest record.

Everything an input file produces is first written to a flat folder under
``.breachdesk/ingest-staging/<id>/`` (outside ``events/``, so no reader's glob sees it): one
Parquet file per UTC date (one row group per block) and a rejects file. Commit writes an intent
(the manifest record and where each file goes), moves the files to
``events/source=NAME/date=YYYY-MM-DD/<key>.parquet`` and ``rejects/source=NAME/<key>.jsonl``,
appends the record to the manifest and removes the staging folder. A crash before the intent
leaves only staging, which the next run deletes; after it, the next run finishes the moves.
Final names derive from the file's content hash, so a redo replaces files, never adds any.
A file ingested again (``--force``) also lists in its intent the records it replaces and the
output of the earlier files it continued, which is deleted once its own is in place.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from breachdesk.ingest.events import PARQUET_DICTIONARY, WRITE_SCHEMA
from breachdesk.ingest.rejects import Reject

STAGING = "ingest-staging"
INTENT = "intent.json"
REJECTS = "rejects.jsonl"
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 1
STATISTICS = ["time", "status", "principal", "src_ip", "resource"]
_EPOCH = date(1970, 1, 1)


def staging_root(events_root: Path) -> Path:
    """Folder of unfinished output, next to ``events/`` (not inside it)."""
    return events_root.parent / STAGING


def partition_dir(source: str, day: date) -> str:
    return f"source={source}/date={day.isoformat()}"


@dataclass
class StagedOutput:
    """Events and rejects of one input file, written to staging until committed."""

    events_root: Path
    source: str
    staging: Path = field(init=False)
    _writers: dict[int, pq.ParquetWriter] = field(default_factory=dict, init=False)
    _rejects: IO[str] | None = field(default=None, init=False)
    events: int = field(default=0, init=False)
    rejected: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.staging = staging_root(self.events_root) / uuid.uuid4().hex
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
            writer = pq.ParquetWriter(
                self.staging / f"{_EPOCH + timedelta(days=day)}.parquet",
                WRITE_SCHEMA,
                compression=COMPRESSION,
                compression_level=COMPRESSION_LEVEL,
                use_dictionary=list(PARQUET_DICTIONARY),
                store_schema=False,
                write_statistics=STATISTICS,
            )
            self._writers[day] = writer
        return writer

    def write_rejects(self, rejects: list[Reject]) -> None:
        if not rejects:
            return
        if self._rejects is None:
            self._rejects = open(self.staging / REJECTS, "w", encoding="ascii")  # noqa: SIM115
        self._rejects.write("".join(r.to_json() + "\n" for r in rejects))
        self.rejected += len(rejects)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        if self._rejects is not None:
            self._rejects.close()
            self._rejects = None

    def destinations(self, key: str) -> list[tuple[str, str]]:
        """(staged name, final path relative to ``.breachdesk/``) for every staged file."""
        out: list[tuple[str, str]] = []
        for path in sorted(self.staging.iterdir()):
            if path.suffix == ".parquet":
                day = date.fromisoformat(path.stem)
                out.append((path.name, f"events/{partition_dir(self.source, day)}/{key}.parquet"))
            elif path.name == REJECTS:
                out.append((path.name, f"rejects/source={self.source}/{key}.jsonl"))
        return out

    def abort(self) -> None:
        self.close()
        shutil.rmtree(self.staging, ignore_errors=True)


def write_intent(
    staged: StagedOutput,
    key: str,
    record: dict[str, Any],
    *,
    forget: list[str] | None = None,
    remove: list[str] | None = None,
) -> None:
    """The point after which the commit is finished by whoever comes next.

    ``forget``: content hashes whose records this one replaces; ``remove``: their output
    (paths under ``.breachdesk/``) that this commit's files do not overwrite.
    Not fsynced: if a power cut loses it, the moves it would describe are redone from scratch
    by the next run, under the same names.
    """
    intent: dict[str, Any] = {"record": record, "source": staged.source, "key": key}
    intent["moves"] = staged.destinations(key)
    intent["forget"] = forget or []
    intent["remove"] = remove or []
    temporary = staged.staging / (INTENT + ".tmp")
    temporary.write_text(json.dumps(intent), encoding="utf-8")
    os.replace(temporary, staged.staging / INTENT)


def read_intent(staging: Path) -> dict[str, Any] | None:
    """The intent of a staging folder; None when there is none (or it is torn)."""
    try:
        data: dict[str, Any] = json.loads((staging / INTENT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def move_into_place(staging: Path, state_dir: Path, intent: dict[str, Any]) -> list[str]:
    """Move the staged files of an intent into place (again, if half done)."""
    source, key = intent["source"], intent["key"]
    moves = [(staging / name, state_dir / target) for name, target in intent["moves"]]
    targets = {target for _, target in moves}
    # Files an earlier, crashed attempt left for the same content and that this commit does
    # not replace (e.g. it now falls on other dates): the redo must not add to them.
    leftovers = list((state_dir / "events" / f"source={source}").glob(f"date=*/{key}.parquet"))
    leftovers.append(state_dir / "rejects" / f"source={source}" / f"{key}.jsonl")
    for old in leftovers:
        if old not in targets:
            old.unlink(missing_ok=True)
    for origin, target in moves:
        if origin.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(origin, target)
    for relative in intent.get("remove", []):
        old = state_dir / relative
        if old not in targets and ".." not in Path(relative).parts:
            old.unlink(missing_ok=True)
    return [target for _, target in intent["moves"]]
