"""Analytics engines for detection: DuckDB embedded (default) or PySpark, behind one Ibis API.

The detectors are Ibis expressions and never know which engine runs them; this module opens
the backend, exposes the workspace's events as one table and runs SQL text where needed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq
from ibis.backends import BaseBackend

from breachdesk.errors import ConfigError, SourceUnavailable, WorkspaceError
from breachdesk.ingest.manifest import rebuild_advice
from breachdesk.model import EVENT_SCHEMA
from breachdesk.model.engines import ENGINES, EngineName

# Spark settings that keep a run self-contained: no UI port, UTC everywhere, partition values
# kept as text (a source named "2024" stays a string), and no jar resolution ever.
_SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.jars.packages": "",
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
}


@dataclass
class Engine:
    """An open analytics backend: Ibis connection, its SQL dialect and how to close it."""

    name: EngineName
    con: BaseBackend
    dialect: str
    _owns_session: bool = False
    _session: Any = field(default=None, repr=False)
    _cached: list[ir.Table] = field(default_factory=list, repr=False)
    _frames: list[tuple[str, Any]] = field(default_factory=list, repr=False)
    # File -> columns holding a value somewhere in it (None: unknown), from the footers.
    _filled: dict[str, frozenset[str] | None] = field(default_factory=dict, repr=False)
    # Every event file a table of this engine reads, to name a broken one.
    _event_files: set[Path] = field(default_factory=set, repr=False)

    @property
    def naive_time(self) -> bool:
        """Whether ``time`` is a naive UTC timestamp on this engine (see ``events``)."""
        return self.name == "duckdb"

    @property
    def time_type(self) -> pa.DataType:
        """Arrow type of time values handed to this engine (memtables)."""
        return pa.timestamp("us") if self.naive_time else pa.timestamp("us", tz="UTC")

    def moment(self, moment: datetime) -> ir.TimestampScalar:
        """``moment`` as a literal comparable with the events' ``time`` on this engine."""
        utc = moment.astimezone(UTC)
        if self.naive_time:
            return ibis.literal(utc.replace(tzinfo=None), type="timestamp")
        return ibis.literal(utc, type=ibis.dtype(EVENT_SCHEMA.field("time").type))

    def moments(self, values: list[datetime]) -> pa.Array:
        """``values`` as an Arrow array of this engine's time type."""
        aware = pa.array([v.astimezone(UTC) for v in values], pa.timestamp("us", tz="UTC"))
        return aware.cast(pa.timestamp("us")) if self.naive_time else aware

    def events(self, root: Path, *, having: str | None = None) -> ir.Table:
        """The events under ``root`` (``source=NAME/date=YYYY-MM-DD/*.parquet``) in schema order.

        On DuckDB ``time`` is turned into a naive UTC timestamp once, from its epoch
        microseconds: DuckDB's time-zone-aware arithmetic (through ICU) costs about ten times
        a plain read, and detection truncates and compares times a lot.

        ``having`` names a column the caller keeps non-NULL rows of only: files whose footer
        statistics show that column NULL throughout (web-server logs have no ``resource``,
        datastore logs no ``query``) are then not read at all. DuckDB reads every file's
        column to test it, statistics or not; Spark is given every file, which keeps the
        same rows once the caller's filter has run.
        """
        files = sorted(root.glob("source=*/date=*/*.parquet")) if root.is_dir() else []
        self._event_files.update(files)
        if having is not None and self.name == "duckdb":
            files = self._holds_values(files, having)
        if not files:
            empty = EVENT_SCHEMA.empty_table()
            if self.naive_time:
                empty = empty.set_column(0, "time", pa.array([], pa.timestamp("us")))
            # Conformed like files are (nullable columns), so the two can be combined.
            return _conform(
                self.con.create_table(
                    ibis.util.gen_name("no_events"), obj=empty, temp=self.name == "duckdb"
                )
            )
        if self.name == "duckdb":
            if having is None:
                source = _sql_text(str(root / "source=*" / "date=*" / "*.parquet"))
            else:
                source = "[" + ", ".join(_sql_text(str(path)) for path in files) + "]"
            with self._reading_events():
                raw = self.con.sql(
                    'SELECT * REPLACE (make_timestamp(epoch_us("time")) AS "time") '
                    f"FROM read_parquet({source}, hive_partitioning = true, union_by_name = true)",
                    dialect="duckdb",
                )
        else:
            # The schema is known: giving it spares Spark reading every file's footer.
            name = ibis.util.gen_name("events")
            frame = (
                self._session.read.schema(_spark_event_schema())
                .option("basePath", str(root))
                .parquet(str(root))
            )
            frame.createOrReplaceTempView(name)
            raw = self.con.table(name)
        return _conform(raw)

    def _holds_values(self, files: list[Path], column: str) -> list[Path]:
        """Those of ``files`` whose footers do not show ``column`` NULL throughout (a column
        chunk without a NULL count may hold values; a file the footer query does not list
        is kept whole), read for all files in one query and remembered."""
        missing = [str(path) for path in files if str(path) not in self._filled]
        if missing:
            listed = "[" + ", ".join(_sql_text(name) for name in missing) + "]"
            with self._reading_events():
                rows = self.con.raw_sql(
                    f"SELECT file_name, path_in_schema FROM parquet_metadata({listed}) "
                    "GROUP BY ALL HAVING bool_or(stats_null_count IS NULL "
                    "OR stats_null_count < row_group_num_rows)"
                ).fetchall()
            filled: dict[str, set[str]] = {}
            for file_name, name in rows:
                filled.setdefault(file_name, set()).add(name)
            for name in missing:
                self._filled[name] = frozenset(filled[name]) if name in filled else None
        kept = []
        for path in files:
            columns = self._filled[str(path)]
            if columns is None or column in columns:
                kept.append(path)
        return kept

    @contextmanager
    def _reading_events(self) -> Iterator[None]:
        """A DuckDB error while event files are read becomes one line naming the broken
        file, when one is (truncated, overwritten, not Parquet); other errors pass."""
        try:
            yield
        except duckdb.Error:
            broken = _unreadable(sorted(self._event_files))
            if broken is None:
                raise
            path, reason = broken
            raise WorkspaceError(
                f"{path}: unreadable event file ({reason}); {rebuild_advice(path)}"
            ) from None

    def execute(self, expr: ir.Table) -> pa.Table:
        """Run ``expr`` and return its rows as Arrow."""
        with self._reading_events():
            result = expr.to_pyarrow()
        assert isinstance(result, pa.Table)
        return _utc_times(result)

    def sql(self, query: str) -> ir.Table:
        """A table expression for ``query``, written in this engine's dialect."""
        return self.con.sql(query, dialect=self.dialect)

    def register(self, name: str, expr: ir.Table) -> None:
        """Make ``expr`` queryable as ``name`` from SQL text."""
        self.con.create_view(name, expr, overwrite=True)

    def from_arrow(self, table: pa.Table) -> ir.Table:
        """``table`` as a table on this engine (Spark: a cached temporary view)."""
        name = ibis.util.gen_name("breachdesk")
        if self.name == "duckdb":
            return self.con.create_table(name, obj=table, temp=True)
        frame = self._session.createDataFrame(table.to_pandas(), schema=_spark_schema(table))
        frame.cache().createOrReplaceTempView(name)
        self._frames.append((name, frame))
        return self.con.table(name)

    def cache(self, expr: ir.Table) -> ir.Table:
        """``expr`` computed once and kept (a temp table, or a persisted Spark DataFrame)."""
        with self._reading_events():
            cached = expr.cache()
        self._cached.append(cached)
        return cached

    def close(self) -> None:
        for cached in self._cached:
            cached.release()
        self._cached.clear()
        for name, frame in self._frames:
            frame.unpersist()
            self._session.catalog.dropTempView(name)
        self._frames.clear()
        if self._owns_session and self._session is not None:
            self._session.stop()
        self._session = None
        disconnect = getattr(self.con, "disconnect", None)
        if callable(disconnect) and self.name == "duckdb":
            disconnect()


def _unreadable(files: list[Path]) -> tuple[Path, str] | None:
    """The first of ``files`` that Arrow cannot read whole, and why (only run after DuckDB
    failed: reading every file is slow, but names the file DuckDB's message may not)."""
    for path in files:
        try:
            # Batch by batch: a large file is checked without being held in memory whole.
            for _batch in pq.ParquetFile(path).iter_batches():
                pass
        except (OSError, pa.ArrowException) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return path, reason
    return None


def _sql_text(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _utc_times(table: pa.Table) -> pa.Table:
    """Timestamps as UTC-aware microseconds (Spark returns them naive, in its UTC session)."""
    target = pa.timestamp("us", tz="UTC")
    for index, column in enumerate(table.schema):
        if pa.types.is_timestamp(column.type) and column.type != target:
            values = table.column(index)
            if column.type.tz is None:
                values = values.cast(pa.timestamp(column.type.unit)).cast(
                    pa.timestamp(column.type.unit, tz="UTC")
                )
            table = table.set_column(index, column.name, values.cast(target))
    return table


def _spark_event_schema() -> Any:
    """The event schema plus the ``date`` partition, as a Spark schema."""
    from pyspark.sql import types as spark_types

    kinds = {
        pa.string(): spark_types.StringType(),
        pa.int32(): spark_types.IntegerType(),
        pa.int64(): spark_types.LongType(),
    }
    fields = []
    for column in EVENT_SCHEMA:
        if pa.types.is_timestamp(column.type):
            kind: Any = spark_types.TimestampType()
        else:
            kind = kinds[column.type]
        fields.append(spark_types.StructField(column.name, kind, True))
    fields.append(spark_types.StructField("date", spark_types.StringType(), True))
    return spark_types.StructType(fields)


def _spark_schema(table: pa.Table) -> Any:
    """The Spark schema of a small Arrow table of strings, integers and UTC times."""
    from pyspark.sql import types as spark_types

    fields = []
    for column in table.schema:
        if pa.types.is_timestamp(column.type):
            kind: Any = spark_types.TimestampType()
        elif pa.types.is_integer(column.type):
            kind = spark_types.LongType()
        else:
            kind = spark_types.StringType()
        fields.append(spark_types.StructField(column.name, kind, True))
    return spark_types.StructType(fields)


def _conform(raw: ir.Table) -> ir.Table:
    """``raw`` with exactly the event columns, in order; absent columns become NULL."""
    present = set(raw.columns)
    columns: list[ir.Value] = []
    for name in EVENT_SCHEMA.names:
        if name == "time":
            columns.append(raw.time)
            continue
        dtype = ibis.dtype(EVENT_SCHEMA.field(name).type)
        if name in present:
            columns.append(raw[name].cast(dtype).name(name))
        else:
            columns.append(ibis.null().cast(dtype).name(name))
    return raw.select(*columns)


def open_engine(
    name: EngineName, *, spark_master: str = "local[2]", spark_session: Any = None
) -> Engine:
    """Open ``name``; Spark reuses ``spark_session`` when given (tests share one)."""
    if name == "duckdb":
        con = ibis.duckdb.connect()
        # Detection never relies on row order; without it DuckDB writes its cache in parallel.
        con.raw_sql("SET preserve_insertion_order = false")
        return Engine("duckdb", con, "duckdb")
    if name == "spark":
        owns = spark_session is None
        session = spark_session if spark_session is not None else spark_session_for(spark_master)
        return Engine("spark", ibis.pyspark.connect(session), "spark", owns, session)
    raise ConfigError(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}")


def spark_session_for(master: str) -> Any:
    """A SparkSession on ``master`` configured for detection; needs pyspark and Java 17+."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - pyspark is a dependency
        raise SourceUnavailable("the spark engine needs pyspark installed") from None
    builder = SparkSession.builder.master(master).appName("breachdesk-detect")
    for key, value in _SPARK_CONF.items():
        builder = builder.config(key, value)
    local = re.fullmatch(r"local\[(\d+|\*)\]", master.strip())
    if local or master.strip() == "local":
        # A local run's shuffles are small: one partition per core, not Spark's 200.
        cores = local.group(1) if local else "1"
        count = (os.cpu_count() or 2) if cores == "*" else int(cores)
        builder = builder.config("spark.sql.shuffle.partitions", str(count))
    try:
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        return session
    except Exception as exc:  # py4j/Java start-up failures have no common type
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceUnavailable(
            f"cannot start Spark on {master!r} (is Java 17+ installed?): {first}"
        ) from None


__all__ = ["ENGINES", "Engine", "EngineName", "open_engine", "spark_session_for"]
