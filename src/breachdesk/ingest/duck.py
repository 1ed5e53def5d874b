"""DuckDB for the JSON formats: one single-threaded connection per worker thread."""

from __future__ import annotations

import threading
from typing import Any

import duckdb
import pyarrow as pa

_local = threading.local()


def connection() -> Any:
    """This thread's connection (the worker pool already gives each block its own core)."""
    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect(config={"threads": 1})
        _local.con = con
    return con


def query(sql: str, **tables: pa.Table) -> pa.Table:
    """Run ``sql`` over the given Arrow tables (by name) and return an Arrow table."""
    con = connection()
    for name, table in tables.items():
        con.register(name, table)
    try:
        result: pa.Table = con.sql(sql).to_arrow_table()
        return result
    finally:
        for name in tables:
            con.unregister(name)


def json_path(key: str) -> str:
    """A DuckDB JSON path for a dotted key of the settings (``a.b`` → ``$."a"."b"``)."""
    parts = [p.replace('"', '\\"') for p in key.split(".")]
    return "$" + "".join(f'."{p}"' for p in parts)


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
