"""What a DuckDB-only ingest of access logs would cost, next to the baseline it must match.

The design examined (docs/ingest.md, "Speed"): DuckDB's parallel ``read_csv`` tokenises a
combined-format log and one pipelined query parses the time, splits the request, applies the
exposure map (one ``CASE`` of the routes' RE2 patterns, unknown paths normalised), numbers the
rows for ``raw_ref`` and writes Parquet partitioned by date. This script measures, in one
process and interleaved with the baseline of ``benchmarks/ingest.py`` (imported, unchanged):

  * ``duckdb``: the baseline conversion (``read_csv`` → one Parquet file, time parsed);
  * ``partitioned``: the baseline's columns written zstd-compressed, partitioned by UTC date;
  * ``numbered``: that, plus ``raw_ref`` from ``row_number() OVER ()`` (rows in file order);
  * ``full``: every event column as the ingest defines it, routes from the workspace's
    exposure map (``ExposureMap``), unknown paths normalised.

None of these queries is an ingest: they leave out every check that makes one safe on hostile
input (row-to-line alignment, rejects, non-UTF-8 lines). Their cost is a floor for the design:
if the floor is above the target, the design cannot meet it. That ``full`` computes what the
ingest computes is checked on the benchmark's log: ``full_equals_ingest`` reports whether its
rows and the ingest's events are the same multiset (every column, line numbers included).

    python benchmarks/ingest_duckdb_path.py [--size-mb N] [--runs N] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from breachdesk.ingest.duck import sql_string
from breachdesk.ingest.routes import ExposureMap
from breachdesk.workspace import open_workspace
from ingest import SETTINGS, breachdesk_ingest, duckdb_convert, generate

_ID_LIKE = (
    r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[0-9a-fA-F]{16,})$|[0-9]{4}"
)


def _source(path: Path) -> str:
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(10))
    return (
        f"read_csv({sql_string(str(path))}, delim=' ', quote='\"', escape='\\', header=false, "
        f"auto_detect=false, columns={{{columns}}})"
    )


_TIME = "strptime(c3 || ' ' || c4, '[%d/%b/%Y:%H:%M:%S %z]')"
_PARTITIONED = "(FORMAT parquet, PARTITION_BY (date), COMPRESSION zstd, COMPRESSION_LEVEL 1)"


def partitioned_sql(path: Path, out: Path, *, numbered: bool) -> str:
    number = ", 'access.log:' || row_number() OVER () AS raw_ref" if numbered else ""
    return f"""
    COPY (
      SELECT *, strftime(time, '%Y-%m-%d') AS date FROM (
        SELECT c0 AS ip, c1 AS ident, c2 AS remote_user, {_TIME} AS time, c5 AS request,
               TRY_CAST(c6 AS INTEGER) AS status, TRY_CAST(c7 AS BIGINT) AS bytes,
               c8 AS referer, c9 AS user_agent{number}
        FROM {_source(path)})
    ) TO {sql_string(str(out))} {_PARTITIONED}
    """


def full_sql(path: Path, out: Path, exposure: ExposureMap) -> str:
    """Every event column (as far as SQL gives it without checks), routes from ``exposure``."""
    match = " ".join(
        f"WHEN starts_with(path, {sql_string(r.prefix)}) "
        f"AND regexp_matches(path, {sql_string(r.pattern)}) THEN {i}"
        for i, r in enumerate(exposure.routes)
    )
    templates = " ".join(
        f"WHEN {i} THEN {sql_string(r.template)}" for i, r in enumerate(exposure.routes)
    )
    resources = " ".join(
        f"WHEN {i} THEN {sql_string(r.resource)}" for i, r in enumerate(exposure.routes)
    )
    kinds = " ".join(f"WHEN {i} THEN {sql_string(r.kind)}" for i, r in enumerate(exposure.routes))
    object_ids = " ".join(
        f"WHEN {i} THEN regexp_extract(path, {sql_string(r.pattern)}, {r.id_group + 1})"
        for i, r in enumerate(exposure.routes)
        if r.id_group is not None
    )
    normalised = (
        "array_to_string(list_transform(string_split(path, '/'), s -> CASE WHEN "
        f"regexp_full_match(s, '[0-9]+') OR regexp_matches(s, {sql_string(_ID_LIKE)}) "
        "THEN '{id}' ELSE s END), '/')"
    )
    return f"""
    COPY (
      WITH split AS (
        SELECT row_number() OVER () AS n, c0, c2, c3, c4, c5, c6, c7, c9,
               split_part(c5 || '  ', ' ', 1) AS p0, split_part(c5 || '  ', ' ', 2) AS p1
        FROM {_source(path)}
      ), shaped AS (
        SELECT *, regexp_full_match(p0, '[A-Za-z]+') AND p1 <> '' AS ok FROM split
      ), target AS (
        SELECT *, CASE WHEN ok THEN p1 WHEN c5 = '-' THEN NULL ELSE c5 END AS t FROM shaped
      ), pieces AS (
        SELECT *,
               CASE WHEN strpos(t, '?') > 0 THEN left(t, strpos(t, '?') - 1) ELSE t END AS path,
               CASE WHEN strpos(t, '?') > 0 THEN nullif(substr(t, strpos(t, '?') + 1), '')
               END AS query
        FROM target
      ), routed AS (
        SELECT *, CASE {match} END AS r FROM pieces
      ), events AS (
        SELECT {_TIME} AS time, 'nginx' AS source,
               CASE WHEN starts_with(path, '/api/') OR r IS NOT NULL THEN 'api' ELSE 'http'
               END AS class,
               nullif(c2, '-') AS principal, nullif(c0, '-') AS src_ip,
               nullif(c9, '-') AS user_agent,
               CASE WHEN NOT ok THEN NULL
                    WHEN upper(p0) IN ('GET', 'HEAD') THEN
                      CASE CASE r {kinds} END WHEN 'list' THEN 'list'
                      WHEN 'search' THEN 'search' ELSE 'read' END
                    WHEN upper(p0) = 'POST' THEN
                      CASE WHEN (CASE r {kinds} END) = 'search' THEN 'search' ELSE 'create' END
                    WHEN upper(p0) IN ('PUT', 'PATCH') THEN 'update'
                    WHEN upper(p0) = 'DELETE' THEN 'delete' END AS action,
               CASE WHEN ok THEN p0 END AS method, path,
               CASE r {templates} ELSE {normalised} END AS route,
               query, TRY_CAST(nullif(c6, '-') AS INTEGER) AS status,
               TRY_CAST(nullif(c7, '-') AS BIGINT) AS bytes,
               CASE r {resources} END AS resource,
               CASE r {object_ids} END AS object_id,
               NULL::BIGINT AS rows, NULL::VARCHAR AS statement,
               'access.log:' || n AS raw_ref
        FROM routed
      )
      SELECT *, strftime(time, '%Y-%m-%d') AS date FROM events
    ) TO {sql_string(str(out))} {_PARTITIONED}
    """


def same_events(duck_out: Path, events: Path) -> bool:
    """Whether the ``full`` query's rows and the ingest's events are the same multiset."""
    columns = (
        "time, class, principal, src_ip, user_agent, action, method, path, route, query, "
        "status, bytes, resource, object_id, rows, statement, "
        "split_part(raw_ref, ':', -1)::BIGINT AS line"
    )
    ours = f"SELECT {columns} FROM read_parquet({sql_string(str(duck_out / '**/*.parquet'))})"
    theirs = f"SELECT {columns} FROM read_parquet({sql_string(str(events / '**/*.parquet'))})"
    con = duckdb.connect()
    row = con.sql(
        f"SELECT (SELECT count(*) FROM ({ours} EXCEPT ALL {theirs})),"
        f" (SELECT count(*) FROM ({theirs} EXCEPT ALL {ours})),"
        f" (SELECT count(*) FROM ({ours}))"
    ).fetchone()
    con.close()
    return row is not None and row[0] == 0 and row[1] == 0 and row[2] > 0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _query(sql: str, out: Path) -> Callable[[], float]:
    def run() -> float:
        shutil.rmtree(out, ignore_errors=True)
        con = duckdb.connect()
        started = time.perf_counter()
        con.execute(sql)
        elapsed = time.perf_counter() - started
        con.close()
        return elapsed

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="log size in MiB")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--workers", type=int, default=2, help="Breachdesk's parsing threads")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here (reused)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="breachdesk-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / f"access-{args.size_mb}MiB.log"
    if not log.exists() or log.stat().st_size < args.size_mb << 20:
        generate(log, args.size_mb << 20)
    size = log.stat().st_size
    root = workdir / "duckdb-path-workspace"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "breachdesk.toml").write_text(SETTINGS, encoding="utf-8")
    exposure = ExposureMap(open_workspace(root).settings.exposure)
    out = workdir / "duckdb-path-out"
    runs: dict[str, Callable[[], float]] = {
        "duckdb": lambda: duckdb_convert(log, workdir / "duckdb.parquet"),
        "partitioned": _query(partitioned_sql(log, out, numbered=False), out),
        "numbered": _query(partitioned_sql(log, out, numbered=True), out),
        "full": _query(full_sql(log, out, exposure), out),
        "breachdesk": lambda: breachdesk_ingest(log, workdir / "workspace", args.workers)[0],
    }
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.runs):
        for name, run in runs.items():
            before = _cpu()
            seconds[name].append(run())
            cpu[name].append(_cpu() - before)
    # The last runs of the loop left the ``full`` output and the ingest's workspace.
    equal = same_events(out, workdir / "workspace" / ".breachdesk" / "events")
    shutil.rmtree(out, ignore_errors=True)
    gigabytes = size / 1e9
    baseline = seconds["duckdb"]
    result = {
        "file_mb": round(size / 1e6, 1),
        "runs": args.runs,
        "full_equals_ingest": equal,
        "mb_per_s_median": {
            k: round(size / 1e6 / statistics.median(v), 1) for k, v in seconds.items()
        },
        "cpu_seconds_per_gb_median": {
            k: round(statistics.median(v) / gigabytes, 2) for k, v in cpu.items()
        },
        # Each run paired with the baseline run just before it (same load).
        "ratio_to_duckdb_paired_median": {
            k: round(statistics.median(b / t for b, t in zip(baseline, v, strict=True)), 3)
            for k, v in seconds.items()
        },
        "ratio_to_duckdb_cpu": {
            k: round(statistics.median(cpu["duckdb"]) / statistics.median(v), 3)
            for k, v in cpu.items()
        },
    }
    print(json.dumps(result, indent=2))
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
