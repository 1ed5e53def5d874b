"""Scope at scale: a 10M-customer SQLite source, ~1M ids read through the API, 100k statements.

Builds (once, cached in the temp folder) a SQLite person source with set-based SQL, writes
the attack's events as Parquet with Arrow, then times ``resolve_scope`` on DuckDB and on
Spark local mode. The baseline, run in the same process on a sample and scaled up, is the
naive statement path: parse, check and replay every statement on its own.
Prints one JSON object. ``python benchmarks/scope.py [--quick] [--no-spark]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from breachdesk.incident import open_incident
from breachdesk.model import EVENT_SCHEMA
from breachdesk.scope import check_statement, resolve_scope, stop_spark, store_run
from breachdesk.scope.datamap import category_map
from breachdesk.scope.exposure import build_plan
from breachdesk.scope.select import build_selection
from breachdesk.scope.source import open_source
from breachdesk.scope.sqlplan import plan_query
from breachdesk.store.tables import Alert
from breachdesk.workspace import Workspace, init_workspace

T0 = datetime(2026, 11, 11, 0, 30, tzinfo=UTC)
SETTINGS = """
[person_source]
url = "sqlite:///{db}"
table = "customers"
key = "id"
email = "email"
name = "full_name"
language = "preferred_language"
country = "country"
region = "region"
postal_code = "postal_code"

[[sources]]
name = "gateway"
format = "jsonl"
paths = ["logs"]

[[sources]]
name = "pgaudit"
format = "pgaudit"
paths = ["logs"]

[[exposure]]
route = "/api/v1/customers/{{id}}"
table = "customers"
key = "id"
kind = "object"
columns = ["id", "full_name", "email", "city", "region", "country"]

[[exposure]]
route = "/api/v1/customers"
table = "customers"
key = "id"
kind = "list"
order_by = "id"
columns = ["id", "full_name", "email", "city", "region", "country"]

[[exposure]]
table = "customers"
key = "id"
kind = "table"
columns = ["id", "full_name", "email", "city", "region", "country", "postal_code"]
"""


def build_source(path: Path, customers: int) -> float:
    """The customers table, made by one recursive INSERT … SELECT inside SQLite."""
    if path.exists():
        return 0.0
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, city TEXT,"
        " region TEXT, country TEXT, preferred_language TEXT, postal_code TEXT, created_at TEXT)"
    )
    # Sign-ups from 2017-03-01, one every ~28 s: all before the attack.
    db.execute(
        f"""
        WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {customers})
        INSERT INTO customers
        SELECT i, 'Person ' || i, 'p' || i || '@example.test', 'City ' || (i % 97),
               CASE i % 6 WHEN 1 THEN 'CA' WHEN 4 THEN 'QC' WHEN 5 THEN 'NSW' ELSE 'R' END,
               CASE i % 6 WHEN 0 THEN 'FR' WHEN 1 THEN 'US' WHEN 2 THEN 'GB' WHEN 3 THEN 'DE'
                          WHEN 4 THEN 'CA' ELSE 'AU' END,
               'fr-FR', printf('%05d', i % 100000),
               strftime('%Y-%m-%dT%H:%M:%SZ', 1488326400 + i * (300000000 / {customers}),
                        'unixepoch')
        FROM s
        """
    )
    db.commit()
    db.close()
    partial.rename(path)
    return time.perf_counter() - started


def _events(rows: dict[str, list[Any] | np.ndarray | pa.Array], n: int) -> pa.Table:
    columns = {}
    for field in EVENT_SCHEMA:
        value = rows.get(field.name)
        columns[field.name] = (
            pa.nulls(n, field.type) if value is None else pa.array(value, field.type)
        )
    return pa.table(columns, schema=EVENT_SCHEMA)


def write_events(
    ws: Workspace, customers: int, pages: int, objects: int, statements: int
) -> dict[str, int]:
    rng = np.random.default_rng(7)
    root = ws.path("events")
    # API: pages 1..pages of 100 by id, then single customers after the paged ones.
    n_api = pages + objects
    times = np.datetime64(T0.replace(tzinfo=None), "us") + np.arange(n_api) * np.timedelta64(
        20, "ms"
    )
    paged = pages * 100
    ids = rng.choice(np.arange(paged + 1, customers + 1), size=objects, replace=False)
    route = ["/api/v1/customers"] * pages + ["/api/v1/customers/{id}"] * objects
    query = [f"page={p}&per_page=100" for p in range(1, pages + 1)] + [None] * objects
    object_id = [None] * pages + [str(i) for i in ids.tolist()]
    api = _events(
        {
            "time": pa.array(times, pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC")),
            "source": ["gateway"] * n_api,
            "class": ["api"] * n_api,
            "principal": ["agent:jmartin"] * n_api,
            "src_ip": ["203.0.113.7"] * n_api,
            "method": ["GET"] * n_api,
            "route": route,
            "path": route,
            "query": query,
            "status": np.full(n_api, 200, dtype=np.int32),
            "object_id": object_id,
            "raw_ref": [f"gateway-2026-11-11.jsonl:{i + 1}" for i in range(n_api)],
        },
        n_api,
    )
    folder = root / "source=gateway" / "date=2026-11-11"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(api, folder / "part-0.parquet")
    # Datastore: point lookups, small ranges, IN lists and a few statements to replay.
    kinds = rng.choice(4, size=statements, p=[0.70, 0.20, 0.09, 0.01])
    base = rng.integers(1, customers - 20, size=statements)
    texts = []
    for kind, start in zip(kinds.tolist(), base.tolist(), strict=True):
        if kind == 0:
            texts.append(f"SELECT full_name, email FROM customers WHERE id = {start}")
        elif kind == 1:
            texts.append(
                f"SELECT email, city FROM customers WHERE id BETWEEN {start} AND {start + 9}"
            )
        elif kind == 2:
            listed = ", ".join(str(start + 3 * k) for k in range(5))
            texts.append(f"SELECT full_name FROM customers WHERE id IN ({listed})")
        else:
            texts.append(
                "SELECT full_name, email FROM customers WHERE country = 'FR' "
                f"AND id > {start} ORDER BY id LIMIT 20"
            )
    db_times = np.datetime64((T0 + timedelta(hours=1)).replace(tzinfo=None), "us") + np.arange(
        statements
    ) * np.timedelta64(10, "ms")
    db = _events(
        {
            "time": pa.array(db_times, pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC")),
            "source": ["pgaudit"] * statements,
            "class": ["datastore"] * statements,
            "principal": ["support_ro"] * statements,
            "resource": ["customers"] * statements,
            "statement": texts,
            "raw_ref": [f"postgresql-2026-11-11.log:{i + 1}" for i in range(statements)],
        },
        statements,
    )
    folder = root / "source=pgaudit" / "date=2026-11-11"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(db, folder / "part-0.parquet")
    return {
        "api_events": n_api,
        "paged_ids": paged,
        "object_ids": objects,
        "statements": statements,
    }


def incident(ws: Workspace) -> str:
    with ws.store.session() as session:
        for alert_id, principal in (("ALR-api", "agent:jmartin"), ("ALR-db", "support_ro")):
            session.add(
                Alert(
                    id=alert_id,
                    severity="high",
                    detectors=["bulk"],
                    principals=[principal],
                    src_ips=[],
                    start=T0,
                    end=T0 + timedelta(hours=6),
                    events=0,
                    objects=0,
                )
            )
    return open_incident(ws, title="benchmark", actor="bench", alert_ids=["ALR-api", "ALR-db"]).id


def naive_statements(ws: Workspace, sample: int) -> tuple[float, int]:
    """Seconds to parse, check, rewrite and replay ``sample`` statements one at a time
    (no grouping by shape, no answers from the key copy)."""
    events = pq.read_table(ws.path("events") / "source=pgaudit" / "date=2026-11-11")
    texts = events.column("statement").slice(0, sample).to_pylist()
    started = time.perf_counter()
    with open_source(ws) as source:
        plan = build_plan(ws.settings, source, category_map(ws))
        for text in texts:
            checked = check_statement(text, "postgres", lambda name: plan.table(name) is not None)
            assert checked.query is not None
            for branch in plan_query(checked.query, plan, "postgres", source.dialect):
                assert branch.query is not None
                source.replay(branch.query.sql(dialect=source.dialect))
    return time.perf_counter() - started, len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="200k customers, 20k ids, 2k statements"
    )
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark run")
    args = parser.parse_args()
    if args.quick:
        customers, pages, objects, statements = 200_000, 150, 5_000, 2_000
    else:
        customers, pages, objects, statements = 10_000_000, 7_000, 300_000, 100_000
    cache = Path(tempfile.gettempdir()) / f"breachdesk-bench-scope-{customers}.db"
    built = build_source(cache, customers)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        root.mkdir()
        ws = init_workspace(root, settings_text=SETTINGS.format(db=cache))
        sizes = write_events(ws, customers, pages, objects, statements)
        incident_id = incident(ws)
        selection = build_selection(ws, incident_id)
        results: dict[str, Any] = {}
        started = time.perf_counter()
        report = resolve_scope(ws, incident_id, selection, engine="duckdb")
        results["duckdb_seconds"] = round(time.perf_counter() - started, 2)
        results["duckdb_breakdown"] = report.seconds
        results["affected"] = report.affected
        results["by_confidence"] = report.by_confidence
        results["statement_note"] = next(
            (n.reason for n in report.notes if n.kind == "statements"), ""
        )
        # Storing: every person's identity encrypted, one row per person and run.
        stored = min(report.affected, 100_000)
        started = time.perf_counter()
        store_run(
            ws,
            dataclasses.replace(report, persons=report.persons.slice(0, stored)),
            actor="bench",
            started_at=datetime.now(UTC),
        )
        results["store_persons"] = stored
        results["store_seconds"] = round(time.perf_counter() - started, 2)
        sample = min(statements, 1_000)
        naive, counted = naive_statements(ws, sample)
        results["baseline_naive_statements_sample"] = counted
        results["baseline_naive_statements_seconds_extrapolated"] = round(
            naive / counted * statements, 1
        )
        if not args.no_spark:
            started = time.perf_counter()
            try:
                spark_report = resolve_scope(ws, incident_id, selection, engine="spark")
                results["spark_seconds"] = round(time.perf_counter() - started, 2)
                results["spark_breakdown"] = spark_report.seconds
                results["spark_same_people"] = spark_report.affected == report.affected
            finally:
                stop_spark()
        ws.close()
    print(
        json.dumps(
            {
                "customers": customers,
                **sizes,
                "accessed_ids": sizes["paged_ids"] + sizes["object_ids"],
                "source_build_seconds": round(built, 1),
                "cpus": os.cpu_count(),
                **results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
