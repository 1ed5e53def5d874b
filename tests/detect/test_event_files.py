"""Files whose footers show a column NULL throughout are not read for scans that need it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from breachdesk.detect.engines import open_engine

_MOMENT = datetime(2026, 10, 5, 12, tzinfo=UTC)


def _write(
    root: Path, source: str, refs: list[str], resources: list[str | None] | None, **options: object
) -> None:
    columns: dict[str, pa.Array] = {
        "time": pa.array([_MOMENT] * len(refs), pa.timestamp("us", tz="UTC")),
        "raw_ref": pa.array(refs, pa.string()),
    }
    if resources is not None:
        columns["resource"] = pa.array(resources, pa.string())
    folder = root / f"source={source}" / "date=2026-10-05"
    folder.mkdir(parents=True)
    pq.write_table(pa.table(columns), folder / "part-0.parquet", **options)


def _refs(table: pa.Table) -> set[str]:
    return set(table.column("raw_ref").to_pylist())


def test_scans_skip_files_without_the_column_and_keep_every_row_that_has_it(
    tmp_path: Path,
) -> None:
    _write(tmp_path, "web", ["web:1", "web:2"], [None, None])
    _write(tmp_path, "api", ["api:1", "api:2"], ["customers", None])
    # Two row groups: the first NULL throughout, the second not; the file is read.
    _write(tmp_path, "mixed", ["mixed:1", "mixed:2"], [None, "orders"], row_group_size=1)
    # No statistics: nothing is known, the file is read.
    _write(tmp_path, "bare", ["bare:1"], [None], write_statistics=False)
    # No such column at all: NULL throughout.
    _write(tmp_path, "other", ["other:1"], None)
    engine = open_engine("duckdb")
    try:
        every = engine.execute(engine.events(tmp_path))
        having = engine.execute(engine.events(tmp_path, having="resource"))
        assert len(_refs(every)) == every.num_rows == 8
        assert _refs(having) == {"api:1", "api:2", "mixed:1", "mixed:2", "bare:1"}
        named = {
            ref
            for ref, value in zip(
                every["raw_ref"].to_pylist(), every["resource"].to_pylist(), strict=True
            )
            if value
        }
        assert named == {"api:1", "mixed:2"}
        assert named <= _refs(having)
        # A column no file holds gives no events, in the events' own shape.
        none = engine.execute(engine.events(tmp_path, having="statement"))
        assert none.num_rows == 0
        assert none.schema.names == every.schema.names
    finally:
        engine.close()
