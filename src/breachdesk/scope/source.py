"""The person source, opened read-only: bulk reads into Arrow and guarded statement replay.

SQLite is opened with ``mode=ro`` and ``PRAGMA query_only``; PostgreSQL in a ``READ ONLY``
transaction that is always rolled back. Replays share one read transaction (one consistent
state of the source) and each is cancelled after the statement timeout.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import psycopg
import pyarrow as pa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from breachdesk.errors import SourceUnavailable
from breachdesk.workspace import Workspace

Dialect = Literal["sqlite", "postgres"]
_BATCH = 50_000
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")


class ReplayFailed(Exception):
    """A replayed statement failed on the source (timeout, error); the text says why."""


def quote(name: str) -> str:
    """``name`` as a quoted identifier; only plain names are accepted (they come from settings
    and are checked against the source's own columns first)."""
    if not _NAME.match(name):
        raise SourceUnavailable(f"not a plain table or column name: {name[:64]!r}")
    return f'"{name}"'


@dataclass
class SourceDb:
    """An open, read-only connection to the person source."""

    dialect: Dialect
    display: str
    timeout: float
    _sqlite: sqlite3.Connection | None = None
    _sqlite_path: Path | None = None
    _pg: psycopg.Connection[Any] | None = None
    _columns: dict[str, dict[str, str]] = field(default_factory=dict)
    _deadline: float = 0.0

    def columns(self, table: str) -> dict[str, str]:
        """Column name (lower case) → declared type of ``table``; empty when there is none."""
        name = table.lower()
        if name not in self._columns:
            self._columns[name] = self._read_columns(table)
        return self._columns[name]

    def _read_columns(self, table: str) -> dict[str, str]:
        if self._sqlite is not None:
            rows = self._sqlite.execute(
                "SELECT name, type FROM pragma_table_info(?)", (table,)
            ).fetchall()
        else:
            assert self._pg is not None
            with self._pg.cursor() as cursor:
                cursor.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = %s AND table_schema = ANY (current_schemas(false)) "
                    "ORDER BY ordinal_position",
                    (table,),
                )
                rows = cursor.fetchall()
        return {str(n).lower(): str(t or "").upper() for n, t in rows}

    def read_arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        """The rows of ``sql`` (written by scope itself, never taken from logs) as Arrow;
        ``?`` marks parameters."""
        if self._sqlite is not None:
            fast = self._read_adbc(sql, params)
            if fast is not None:
                return fast
            cursor: Any = self._sqlite.execute(sql, tuple(params))
            return _fetch_all(cursor)
        assert self._pg is not None
        with self._pg.cursor(name="breachdesk_scope_read") as named:
            named.itersize = _BATCH
            named.execute(sql.replace("?", "%s"), tuple(params))
            return _fetch_all(named)

    def _read_adbc(self, sql: str, params: Sequence[Any]) -> pa.Table | None:
        """SQLite through ADBC: Arrow straight from C, several times faster on millions of
        rows. None when the driver is not installed (the sqlite3 path is used instead)."""
        try:
            import adbc_driver_sqlite.dbapi as adbc
        except ImportError:
            return None
        assert self._sqlite_path is not None
        try:
            uri = f"file:{self._sqlite_path}?mode=ro"
            with adbc.connect(uri) as connection, connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = ON")
                cursor.execute(sql, parameters=tuple(params) if params else None)
                table = cursor.fetch_arrow_table()
        except Exception:  # ADBC's errors share no base class; sqlite3 says what went wrong
            return None
        assert isinstance(table, pa.Table)
        return table

    def rows_by_key(
        self, table: str, key: str, columns: Sequence[str], keys: pa.Array, total: int
    ) -> pa.Table:
        """``key`` and ``columns`` of the rows of ``table`` whose key is in ``keys`` (names
        already checked against the table). Reads the whole table when most rows are asked
        for, otherwise batches of keys."""

        def listed(prefix: str) -> str:
            names = [f"{prefix}{quote(key)} AS key"]
            return ", ".join(names + [f"{prefix}{quote(c)} AS {quote(c)}" for c in columns])

        select = listed("")
        if len(keys) == 0:
            return self.read_arrow(f"SELECT {select} FROM {quote(table)} WHERE 1 = 0")
        if len(keys) * 4 > total:
            return self.read_arrow(f"SELECT {select} FROM {quote(table)}")
        parts: list[pa.Table] = []
        singles: list[Any] = keys.to_pylist()
        if pa.types.is_integer(keys.type):
            spans, singles = _runs(keys)
            for start in range(0, len(spans), _BATCH):
                chunk = spans[start : start + _BATCH]
                parts.append(self._read_spans(listed("t."), table, key, chunk))
        for start in range(0, len(singles), _BATCH):
            chunk = singles[start : start + _BATCH]
            if self._sqlite is not None:
                sql = (
                    f"SELECT {select} FROM {quote(table)} "
                    f"WHERE {quote(key)} IN (SELECT value FROM json_each(?))"
                )
                parts.append(self.read_arrow(sql, (json.dumps(chunk),)))
            else:
                sql = f"SELECT {select} FROM {quote(table)} WHERE {quote(key)} = ANY(?)"
                parts.append(self.read_arrow(sql, (chunk,)))
        return pa.concat_tables(parts, promote_options="permissive")

    def _read_spans(
        self, select: str, table: str, key: str, spans: list[tuple[int, int]]
    ) -> pa.Table:
        """Rows whose integer key is in one of ``spans`` (inclusive): one index range scan
        each, instead of one lookup per key."""
        if self._sqlite is not None:
            # CROSS JOIN keeps SQLite's nesting order: each span drives a range scan.
            sql = (
                f"SELECT {select} FROM json_each(?) AS span CROSS JOIN {quote(table)} AS t "
                f"WHERE t.{quote(key)} BETWEEN json_extract(span.value, '$[0]') "
                "AND json_extract(span.value, '$[1]')"
            )
            return self.read_arrow(sql, (json.dumps(spans),))
        sql = (
            f"SELECT {select} FROM unnest(?::bigint[], ?::bigint[]) AS span(lo, hi) "
            f"JOIN {quote(table)} AS t ON t.{quote(key)} BETWEEN span.lo AND span.hi"
        )
        return self.read_arrow(sql, ([lo for lo, _ in spans], [hi for _, hi in spans]))

    def replay(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of one checked, rewritten statement, inside the read-only transaction.

        ReplayFailed when the source refuses it or the statement timeout cancels it.
        """
        if self._sqlite is not None:
            self._deadline = time.monotonic() + self.timeout
            try:
                return [tuple(r) for r in self._sqlite.execute(sql).fetchall()]
            except sqlite3.Error as exc:
                if "interrupted" in str(exc).lower():
                    raise ReplayFailed(
                        f"cancelled after the statement timeout ({self.timeout:g} s)"
                    ) from None
                raise ReplayFailed(f"the source refused it: {_first_line(exc)}") from None
            finally:
                self._deadline = float("inf")
        assert self._pg is not None
        with self._pg.cursor() as cursor:
            cursor.execute("SAVEPOINT breachdesk_replay")
            try:
                # No parameters: psycopg sends the text as is (no % interpolation).
                cursor.execute(sql.encode("utf-8"))
                rows = [tuple(r) for r in cursor.fetchall()]
            except psycopg.Error as exc:
                cursor.execute("ROLLBACK TO SAVEPOINT breachdesk_replay")
                message = _first_line(exc)
                if "statement timeout" in message:
                    message = f"cancelled after the statement timeout ({self.timeout:g} s)"
                raise ReplayFailed(f"the source refused it: {message}") from None
            cursor.execute("RELEASE SAVEPOINT breachdesk_replay")
        return rows

    def _progress(self) -> int:
        # SQLite calls this every few thousand steps; non-zero cancels the statement.
        return 1 if time.monotonic() > self._deadline else 0

    def close(self) -> None:
        if self._sqlite is not None:
            with suppress(sqlite3.Error):
                self._sqlite.rollback()
            self._sqlite.close()
            self._sqlite = None
        if self._pg is not None:
            with suppress(psycopg.Error):
                self._pg.rollback()
            self._pg.close()
            self._pg = None


def _runs(keys: pa.Array, shortest: int = 32) -> tuple[list[tuple[int, int]], list[Any]]:
    """Sorted distinct integer keys as spans of consecutive keys (at least ``shortest``
    long) and the keys left over."""
    values = np.unique(keys.drop_null().to_numpy(zero_copy_only=False).astype(np.int64))
    if len(values) == 0:
        return [], []
    breaks = np.flatnonzero(np.diff(values) != 1) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(values)]))
    spans: list[tuple[int, int]] = []
    singles: list[Any] = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        if end - start >= shortest:
            spans.append((int(values[start]), int(values[end - 1])))
        else:
            singles.extend(values[start:end].tolist())
    return spans, singles


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _fetch_all(cursor: Any) -> pa.Table:
    names = [d[0] for d in cursor.description]
    batches: list[pa.RecordBatch] = []
    while True:
        rows = cursor.fetchmany(_BATCH)
        if not rows:
            break
        columns = list(zip(*rows, strict=True))
        batches.append(pa.RecordBatch.from_arrays([_array(c) for c in columns], names=names))
    if not batches:
        return pa.table({n: pa.array([], pa.null()) for n in names})
    return pa.Table.from_batches(_unify(batches))


def _array(values: Sequence[Any]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def _unify(batches: list[pa.RecordBatch]) -> list[pa.RecordBatch]:
    """Batches with one schema: a column that is null in one batch takes the others' type."""
    schema = pa.unify_schemas([b.schema for b in batches], promote_options="permissive")
    return [b.cast(schema) if b.schema != schema else b for b in batches]


@contextmanager
def open_source(workspace: Workspace) -> Iterator[SourceDb]:
    """The workspace's person source, read-only, for the length of the block."""
    settings = workspace.settings.person_source
    if not settings.url:
        raise SourceUnavailable(
            "person_source.url is not set: scope reads the person source to resolve people"
        )
    url_text = workspace.resolve_url(settings.url)
    try:
        url = make_url(url_text)
    except ArgumentError:
        raise SourceUnavailable("person_source.url is not a database URL") from None
    display = url.render_as_string(hide_password=True)
    timeout = workspace.settings.scope.statement_timeout_seconds
    backend = url.get_backend_name()
    if backend == "sqlite":
        source = _open_sqlite(url.database, display, timeout)
    elif backend == "postgresql":
        source = _open_postgres(url_text, display, timeout)
    else:
        raise SourceUnavailable(
            f"scope reads SQLite or PostgreSQL person sources, not {backend} ({display})"
        )
    try:
        yield source
    finally:
        source.close()


def _open_sqlite(database: str | None, display: str, timeout: float) -> SourceDb:
    if not database or database == ":memory:":
        raise SourceUnavailable(f"person source {display} is not a database file")
    path = Path(database)
    if not path.is_file():
        raise SourceUnavailable(f"person source {path} does not exist")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        connection.execute("PRAGMA query_only = ON")
        # One read transaction: every replay sees the same state of the source.
        connection.execute("BEGIN")
    except sqlite3.Error as exc:
        raise SourceUnavailable(f"cannot open person source {path}: {exc}") from None
    source = SourceDb("sqlite", display, timeout, _sqlite=connection, _sqlite_path=path)
    source._deadline = float("inf")
    connection.set_progress_handler(source._progress, 10_000)
    return source


def _open_postgres(url: str, display: str, timeout: float) -> SourceDb:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    milliseconds = max(1, round(timeout * 1000))
    try:
        connection = psycopg.connect(conninfo, autocommit=False, connect_timeout=10)
        connection.read_only = True
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with connection.cursor() as cursor:
            # The first statement opens the transaction: READ ONLY, one snapshot for all.
            cursor.execute(f"SET LOCAL statement_timeout = {milliseconds}")
            cursor.execute(f"SET LOCAL lock_timeout = {milliseconds}")
            cursor.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()
        raise SourceUnavailable(
            f"cannot open person source {display}: {first[0] if first else type(exc).__name__}"
        ) from None
    return SourceDb("postgres", display, timeout, _pg=connection)
