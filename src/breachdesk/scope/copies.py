"""Arrow copies of the tables scope joins against: key, person key, creation time.

Each table is read once from the source (only the columns scope needs) and registered in
the engine as ``copy_N`` with columns ``row_key``, ``person_key``, ``created_us`` (microseconds
since the epoch, NULL when unknown) and any extra columns asked for (list sort orders,
searched text). Keys are BIGINT when the source declares them integer, text otherwise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.scope.engines import ScopeEngine
from breachdesk.scope.exposure import ExposurePlan, TableFacts
from breachdesk.scope.source import SourceDb, quote


@dataclass(frozen=True)
class TableCopy:
    """A table copy registered in the engine."""

    name: str
    facts: TableFacts
    rows: int
    min_key: int | None
    max_key: int | None
    extras: tuple[str, ...]

    def column_of(self, column: str) -> str:
        """The engine column holding source column ``column``."""
        return f"x{self.extras.index(column.lower())}"


@dataclass
class CopyStore:
    """Loads and registers table copies on first use."""

    source: SourceDb
    engine: ScopeEngine
    plan: ExposurePlan
    _copies: dict[tuple[str, tuple[str, ...]], TableCopy] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def person_facts(self) -> TableFacts:
        return self.plan.tables[self.plan.person_table]

    @property
    def person_key_type(self) -> str:
        return "BIGINT" if self.person_facts.integer_key else "STRING"

    def person_copy(self) -> TableCopy:
        return self.copy(self.person_facts)

    def copy(self, facts: TableFacts, extras: tuple[str, ...] = ()) -> TableCopy:
        wanted = tuple(dict.fromkeys(e.lower() for e in extras))
        cache_key = (facts.name.lower(), wanted)
        found = self._copies.get(cache_key)
        if found is not None:
            return found
        started = time.perf_counter()
        table = self._load(facts, wanted)
        name = f"copy_{len(self._copies)}"
        self.engine.register(name, table)
        keys = table.column("row_key")
        low = high = None
        if facts.integer_key and len(keys) and keys.null_count < len(keys):
            bounds = pc.min_max(keys)
            low, high = bounds["min"].as_py(), bounds["max"].as_py()
        copy = TableCopy(name, facts, table.num_rows, low, high, wanted)
        self._copies[cache_key] = copy
        self.seconds += time.perf_counter() - started
        return copy

    def _load(self, facts: TableFacts, extras: tuple[str, ...]) -> pa.Table:
        select = [
            f"{quote(facts.key)} AS row_key" if facts.key else "NULL AS row_key",
            f"{quote(facts.person_column)} AS person_key"
            if facts.person_column
            else "NULL AS person_key",
            f"{quote(facts.created_at)} AS created" if facts.created_at else "NULL AS created",
        ]
        for index, column in enumerate(extras):
            select.append(f"{quote(column)} AS x{index}")
        raw = self.source.read_arrow(f"SELECT {', '.join(select)} FROM {quote(facts.name)}")
        row_type = pa.int64() if facts.integer_key else pa.string()
        person_type = pa.int64() if self.person_facts.integer_key else pa.string()
        columns = {
            "row_key": _keys(raw.column("row_key"), row_type),
            "person_key": _keys(raw.column("person_key"), person_type),
            "created_us": _micros(raw.column("created")),
        }
        for index in range(len(extras)):
            columns[f"x{index}"] = raw.column(f"x{index}")
        return pa.table(columns)


def _keys(values: pa.ChunkedArray, kind: pa.DataType) -> pa.ChunkedArray:
    """Keys as BIGINT or text; values that are not a key of that type become NULL."""
    if values.type == kind:
        return values
    if pa.types.is_integer(values.type) and pa.types.is_integer(kind):
        return values.cast(kind)
    if pa.types.is_string(kind) and not pa.types.is_null(values.type):
        return values.cast(pa.string())
    return _duckdb_column(
        values, f"TRY_CAST(v AS {'BIGINT' if pa.types.is_integer(kind) else 'VARCHAR'})"
    )


def _micros(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Creation times as microseconds since the epoch (UTC; NULL when unreadable).

    Arrow's own parser handles ISO 8601 with an offset or ``Z`` (and naive timestamps,
    taken as UTC) several times faster than SQL; anything else goes through DuckDB.
    """
    utc = pa.timestamp("us", tz="UTC")
    if pa.types.is_timestamp(values.type):
        if values.type.tz is None:
            values = pc.assume_timezone(values.cast(pa.timestamp("us")), "UTC")
        return values.cast(utc).cast(pa.int64())
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        for target in (utc, pa.timestamp("us")):
            try:
                return values.cast(target).cast(pa.int64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
    if pa.types.is_null(values.type):
        return pa.chunked_array([pa.nulls(len(values), pa.int64())])
    return _duckdb_column(values, "epoch_us(TRY_CAST(v AS TIMESTAMPTZ))")


def _duckdb_column(values: pa.ChunkedArray, expression: str) -> pa.ChunkedArray:
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("raw", pa.table({"v": values}))
        result = con.execute(f"SELECT {expression} AS v FROM raw").fetch_arrow_table()
    finally:
        con.close()
    return result.column("v")
