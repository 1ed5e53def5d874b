"""Database sources, opened read-only: SQLite through a ``mode=ro`` URI, PostgreSQL in
read-only transactions. A URL that asks for write access is refused, never obeyed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from breachdesk.errors import SourceUnavailable, UserInputError
from breachdesk.inventory.sample import (
    VALUE_CAP,
    ColumnSample,
    TableSample,
    python_text,
    rows_for,
    text_column,
)

_WRITABLE_MODES = {"rw", "rwc", "memory"}
_PG_TIMEOUT_MS = 60_000
# Above this estimate, PostgreSQL row counts are the planner's estimate, not count(*).
_PG_EXACT_BELOW = 1_000_000


def looks_like_url(spec: str) -> bool:
    """True when ``spec`` is a database URL rather than a path."""
    if "://" not in spec:
        return False
    try:
        make_url(spec)
    except ArgumentError:
        return False
    return True


def read_only_url(spec: str) -> URL:
    """The URL to open ``spec`` with, read-only; SourceUnavailable when it cannot be."""
    try:
        url = make_url(spec)
    except ArgumentError:
        raise UserInputError(f"not a database URL: {spec[:80]!r}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_url(url)
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        _refuse_pg_writable(url)
        return url
    raise SourceUnavailable(
        f"cannot scan {url.render_as_string(hide_password=True)}: only SQLite and PostgreSQL "
        "sources can be opened read-only here"
    )


def _sqlite_url(url: URL) -> URL:
    mode = str(url.query.get("mode", "ro"))
    if mode in _WRITABLE_MODES:
        raise SourceUnavailable(
            f"refusing to open {url.render_as_string(hide_password=True)} with mode={mode}: "
            "sources are only ever opened read-only (drop the mode= parameter)"
        )
    database = url.database or ""
    if not database or database == ":memory:":
        raise SourceUnavailable("a SQLite source needs a database file, not an in-memory database")
    raw_path = database[5:].split("?", 1)[0] if database.startswith("file:") else database
    path = Path(raw_path).expanduser().absolute()
    if not path.is_file():
        raise SourceUnavailable(f"no SQLite database at {path}")
    query = {k: v for k, v in url.query.items() if k not in {"mode", "uri", "immutable"}}
    query.update({"mode": "ro", "uri": "true"})
    return URL.create("sqlite+pysqlite", database=f"file:{quote(str(path))}", query=query)


def _refuse_pg_writable(url: URL) -> None:
    options = str(url.query.get("options", ""))
    flat = options.replace(" ", "").lower()
    if "default_transaction_read_only=off" in flat or "transaction_read_only=off" in flat:
        raise SourceUnavailable(
            f"refusing to open {url.render_as_string(hide_password=True)}: its options turn "
            "read-only transactions off; sources are only ever opened read-only"
        )


def display_url(url: URL) -> str:
    """The URL as shown and stored: no password, SQLite as a plain path."""
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database.startswith("file:"):
            database = unquote(database[5:])
        return f"sqlite:///{database}"
    return url.render_as_string(hide_password=True)


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    # Second lock on the door: even a bug that issued a write could not perform it.
    dbapi_connection.text_factory = lambda raw: raw.decode("utf-8", "replace")
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only = ON")
    cursor.close()


def _pg_connect(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cursor.execute(f"SET statement_timeout = {_PG_TIMEOUT_MS}")
    cursor.close()
    dbapi_connection.commit()


@dataclass
class SqlSource:
    """A database opened read-only; ``tables()`` samples each table and view in turn."""

    spec: str
    sample: int
    url: URL = field(init=False)
    display: str = field(init=False)
    _engine: Engine | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.url = read_only_url(self.spec)
        self.display = display_url(self.url)

    def engine(self) -> Engine:
        """The read-only engine, connected on first use; SourceUnavailable when it cannot be."""
        if self._engine is not None:
            return self._engine
        backend = self.url.get_backend_name()
        connect_args: dict[str, Any] = {}
        if backend == "postgresql":
            options = str(self.url.query.get("options", ""))
            connect_args = {
                "connect_timeout": 5,
                "options": f"{options} -c default_transaction_read_only=on".strip(),
            }
        try:
            engine = create_engine(self.url, connect_args=connect_args)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise SourceUnavailable(f"cannot use {self.display}: {_first_line(exc)}") from None
        event.listen(engine, "connect", _sqlite_connect if backend == "sqlite" else _pg_connect)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            engine.dispose()
            raise SourceUnavailable(f"cannot open {self.display}: {_first_line(exc)}") from None
        self._engine = engine
        return engine

    def table_names(self) -> list[str]:
        engine = self.engine()
        try:
            inspector = inspect(engine)
            names = list(inspector.get_table_names()) + list(inspector.get_view_names())
        except SQLAlchemyError as exc:
            raise SourceUnavailable(
                f"cannot list tables of {self.display}: {_first_line(exc)}"
            ) from None
        return sorted(dict.fromkeys(names))

    def tables(self) -> Iterator[TableSample]:
        for name in self.table_names():
            yield self.sample_table(name)

    def sample_table(self, name: str) -> TableSample:
        engine = self.engine()
        notes: list[str] = []
        try:
            inspector = inspect(engine)
            columns = inspector.get_columns(name)
            try:
                pk = inspector.get_pk_constraint(name).get("constrained_columns") or []
            except (SQLAlchemyError, NotImplementedError):
                pk = []
        except SQLAlchemyError as exc:
            # One unreadable table (a virtual table, a broken view) does not stop the scan.
            note = f"could not read its columns: {_first_line(exc)}"
            return TableSample(self.display, name, engine.dialect.name, None, False, (), (note,))
        names = [str(c["name"]) for c in columns]
        types = [_type_name(c.get("type")) for c in columns]
        rows = rows_for(len(names), self.sample)
        if rows < self.sample:
            notes.append(
                f"{len(names)} columns: sampled {rows} rows to stay within the cell budget"
            )
        quote_ = engine.dialect.identifier_preparer.quote
        backend = engine.dialect.name
        selected = ", ".join(_capped(quote_(n), backend) for n in names) or "1"
        table_sql = quote_(name)
        data: list[list[Any]] = [[] for _ in names]
        row_count: int | None = None
        exact = True
        try:
            with engine.connect() as connection:
                result = connection.execute(
                    text(f"SELECT {selected} FROM {table_sql} LIMIT :n"), {"n": rows}
                )
                for row in result:
                    for index, value in enumerate(row[: len(names)]):
                        data[index].append(value)
                row_count, exact = _row_count(connection, table_sql, backend)
        except SQLAlchemyError as exc:
            notes.append(f"could not read rows: {_first_line(exc)}")
        samples = tuple(
            ColumnSample(
                name=n,
                declared_type=t,
                values=text_column(python_text(values)),
                primary_key=len(pk) == 1 and pk[0] == n,
            )
            for n, t, values in zip(names, types, data, strict=True)
        )
        return TableSample(
            source=self.display,
            table=name,
            kind=backend,
            row_count=row_count,
            row_count_exact=exact,
            columns=samples,
            notes=tuple(notes),
        )

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _capped(column: str, backend: str) -> str:
    # Cut long values in the database so a 10 MB cell never crosses the wire whole.
    if backend == "postgresql":
        return f"left(CAST({column} AS TEXT), {VALUE_CAP + 1})"
    return f"substr({column}, 1, {VALUE_CAP + 1})"


def _row_count(connection: Any, table_sql: str, backend: str) -> tuple[int | None, bool]:
    if backend == "postgresql":
        estimate = connection.execute(
            text("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(:t)"),
            {"t": table_sql},
        ).scalar()
        if estimate is not None and estimate >= _PG_EXACT_BELOW:
            return int(estimate), False
    count = connection.execute(text(f"SELECT count(*) FROM {table_sql}")).scalar()
    return (int(count) if count is not None else None), True


def _type_name(sql_type: object) -> str:
    if sql_type is None:
        return ""
    try:
        return str(sql_type)[:60]
    except Exception:  # some dialect types cannot render themselves; the class name will do
        return type(sql_type).__name__


def _first_line(exc: BaseException) -> str:
    message = str(getattr(exc, "orig", None) or exc).strip()
    return message.splitlines()[0][:300] if message else type(exc).__name__
