"""From a parser's fields to rows of the event schema: routes, actions, class, checks.

Every parser hands over the same thing (a ``Parsed``: field arrays plus the line each row came
from); this module adds what is common — the exposure map, actions, ``raw_ref``, the checks on
time — and sorts rows into events and rejects. All of it works on whole arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.ingest.arrowtext import share
from breachdesk.ingest.routes import ExposureMap, http_actions
from breachdesk.ingest.text import TextBlock
from breachdesk.model import EVENT_SCHEMA, EventClass

ClassRule = Literal["http_or_api", "api", "datastore", "auth"]

DICTIONARY_COLUMNS = (
    "source",
    "class",
    "principal",
    "user_agent",
    "action",
    "method",
    "route",
    "resource",
    "src_ip",
)
"""Columns handed to the writer dictionary-encoded: values repeat (addresses too), so the
files are smaller, and the dictionary is built by the parsing threads rather than by the
one writing. Paths, queries and object ids stay plain: mostly distinct, a dictionary would
only be built to be thrown away."""

PARQUET_DICTIONARY = DICTIONARY_COLUMNS
"""Columns the Parquet writer dictionary-encodes."""

WRITE_SCHEMA = pa.schema(
    [
        pa.field(f.name, pa.dictionary(pa.int32(), pa.string()), f.nullable, f.metadata)
        if f.name in DICTIONARY_COLUMNS
        else f
        for f in EVENT_SCHEMA
    ],
    metadata=EVENT_SCHEMA.metadata,
)
"""EVENT_SCHEMA as written to Parquet; readers see plain strings (no Arrow schema is stored)."""

REQUEST_KEY = "request_key"
"""Field holding, per row, the index of its distinct request: parsers that give it hand over
``method``, ``path`` and ``query`` per distinct request instead of per row."""

KEYED_FIELDS = ("method", "path", "query")

REASON_TIME = "bad timestamp"
REASON_FUTURE = "timestamp in the future"


@dataclass
class Parsed:
    """What a parser found in one block.

    ``rows`` gives, for each row of ``fields``, the 0-based index in the block of the line it
    came from (several rows may share a line, e.g. one per table of a SQL statement).
    ``problems`` names, per row, why it cannot be an event (null when it can).
    """

    fields: dict[str, pa.Array]
    rows: np.ndarray
    class_rule: ClassRule
    problems: pa.Array | None = None
    rejects: list[tuple[np.ndarray, str]] = field(default_factory=list)
    skipped: int = 0
    carry: dict[str, pa.Array] = field(default_factory=dict)
    """Per-row values a parser needs later, in file order (see ``SequentialParser``)."""
    block_carry: dict[str, pa.Table] = field(default_factory=dict)
    """Whole-block values for the same purpose, not per row (pgAudit: the sessions the block
    opened); handed over with ``carry`` unfiltered."""
    source_lines: TextBlock | None = None
    """The lines ``rows`` index, when not the block's own (CloudTrail: its records)."""


@dataclass(frozen=True)
class FinishContext:
    source: str
    display: str
    first_line: int
    exposure: ExposureMap
    latest_allowed_us: int
    """Rows stamped after this instant (UTC µs) are rejected as in the future."""


@dataclass
class Finished:
    events: pa.Table
    rejects: list[tuple[np.ndarray, str]]
    skipped: int
    carry: dict[str, Any] = field(default_factory=dict)


def finish(parsed: Parsed, ctx: FinishContext) -> Finished:
    """Events (in WRITE_SCHEMA) and rejected lines of one parsed block."""
    rejects = list(parsed.rejects)
    fields = dict(parsed.fields)
    n = len(parsed.rows)
    carry = dict(parsed.carry)
    if n == 0:
        return Finished(
            WRITE_SCHEMA.empty_table(), rejects, parsed.skipped, carry | parsed.block_carry
        )
    time = fields.get("time")
    if time is None:
        time = pa.nulls(n, pa.timestamp("us", tz="UTC"))
    problems = parsed.problems if parsed.problems is not None else pa.nulls(n, pa.string())
    if time.null_count:
        problems = pc.if_else(pc.is_null(time), pc.coalesce(problems, REASON_TIME), problems)
    latest = pa.scalar(ctx.latest_allowed_us, pa.int64())
    future = pc.fill_null(pc.greater(pc.cast(time, pa.int64()), latest), False)
    if pc.any(future).as_py():
        problems = pc.if_else(future, pc.coalesce(problems, REASON_FUTURE), problems)
    bad = pc.is_valid(problems)
    if pc.any(bad).as_py():
        bad_np = bad.to_numpy(zero_copy_only=False)
        reasons = problems.filter(bad).to_pylist()
        bad_rows = parsed.rows[bad_np]
        for reason in dict.fromkeys(reasons):
            chosen = np.array([r == reason for r in reasons], dtype=bool)
            rejects.append((np.unique(bad_rows[chosen]), str(reason)))
        keep = pc.invert(bad)
        keyed = KEYED_FIELDS if REQUEST_KEY in fields else ()
        fields = {
            name: value if name in keyed else value.filter(keep) for name, value in fields.items()
        }
        carry = {name: value.filter(keep) for name, value in carry.items()}
        rows = parsed.rows[~bad_np]
        time = time.filter(keep)
    else:
        rows = parsed.rows
    table = _assemble(fields, rows, time, parsed.class_rule, ctx)
    return Finished(table, rejects, parsed.skipped, carry | parsed.block_carry)


def _assemble(
    fields: dict[str, pa.Array],
    rows: np.ndarray,
    time: pa.Array,
    class_rule: ClassRule,
    ctx: FinishContext,
) -> pa.Table:
    n = len(rows)
    columns: dict[str, pa.Array] = {"time": time}
    key = fields.pop(REQUEST_KEY, None)
    if key is not None:
        _per_request(fields, key, class_rule, ctx, columns)
    elif "path" in fields and "route" not in fields:
        _per_path(fields, class_rule, ctx, columns)
    table_name = fields.pop("table_name", None)
    if table_name is not None and "resource" not in fields:
        fields["resource"] = ctx.exposure.map_tables(table_name)
    given_class = fields.pop("class", None)
    if given_class is not None:
        columns["class"] = given_class
    elif "class" not in columns:
        columns["class"] = _constant(
            EventClass.HTTP.value if class_rule == "http_or_api" else class_rule, n
        )
    for f in WRITE_SCHEMA:
        if f.name in columns and f.name != "class":
            continue
        if f.name == "source":
            columns[f.name] = _constant(ctx.source, n)
        elif f.name == "raw_ref":
            columns[f.name] = raw_refs(ctx.display, rows + ctx.first_line)
        elif f.name == "class":
            columns[f.name] = _conform(columns[f.name], f.type)
        elif f.name in fields:
            columns[f.name] = _conform(fields[f.name], f.type)
        else:
            columns[f.name] = pa.nulls(n, f.type)
    return pa.Table.from_arrays([columns[f.name] for f in WRITE_SCHEMA], schema=WRITE_SCHEMA)


def _per_request(
    fields: dict[str, pa.Array],
    key: pa.Array,
    class_rule: ClassRule,
    ctx: FinishContext,
    columns: dict[str, pa.Array],
) -> None:
    """Route, resource, object id, action and class computed once per distinct request
    (``fields`` hold ``method``, ``path`` and ``query`` per request, ``key`` per row)."""
    path = fields["path"]
    mapped = ctx.exposure.map_paths(path)
    method = fields.get("method")
    if "action" not in fields and method is not None:
        fields["action"] = share(key, http_actions(method, mapped.kind))
    if method is not None:
        fields["method"] = share(key, method)
    fields["route"] = share(key, mapped.route)
    fields.setdefault("resource", share(key, mapped.resource))
    fields.setdefault("object_id", pc.take(mapped.object_id, key))
    fields["path"] = pc.take(path, key)
    if "query" in fields:
        fields["query"] = pc.take(fields["query"], key)
    if class_rule == "http_or_api":
        columns["class"] = share(key, _api_or_http(path, mapped.known))


def _per_path(
    fields: dict[str, pa.Array],
    class_rule: ClassRule,
    ctx: FinishContext,
    columns: dict[str, pa.Array],
) -> None:
    """The same, for parsers that give a path per row (each distinct path mapped once)."""
    encoded = as_dictionary(fields["path"])
    key = encoded.indices
    mapped = ctx.exposure.map_paths(encoded.dictionary)
    fields["route"] = share(key, mapped.route)
    fields.setdefault("resource", share(key, mapped.resource))
    fields.setdefault("object_id", pc.take(mapped.object_id, key))
    if "action" not in fields and "method" in fields:
        fields["action"] = http_actions(_plain(fields["method"]), pc.take(mapped.kind, key))
    if class_rule == "http_or_api":
        columns["class"] = share(key, _api_or_http(encoded.dictionary, mapped.known))


def _api_or_http(paths: pa.Array, known: pa.Array) -> pa.Array:
    """``api`` for /api/ paths and paths the exposure map knows, ``http`` for the rest."""
    api = pc.or_(pc.fill_null(pc.starts_with(paths, "/api/"), False), known)
    return pc.if_else(api, EventClass.API.value, EventClass.HTTP.value)


def raw_refs(display: str, line_numbers: np.ndarray) -> pa.Array:
    """``file:line`` for each row."""
    numbers = pc.cast(pa.array(line_numbers, pa.int64()), pa.string())
    # The prefix put in front by replacing the empty slice at 0: one copy per row, cheaper
    # than binary_join_element_wise (a kernel for any number of columns) for the same bytes.
    return pc.binary_replace_slice(numbers, start=0, stop=0, replacement=f"{display}:")


def as_dictionary(values: pa.Array) -> pa.DictionaryArray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        return values
    return pc.dictionary_encode(values)


def _dict(indices: pa.Array, dictionary: pa.Array) -> pa.DictionaryArray:
    """A dictionary array: ``share`` (deduplicated, nulls as null indices)."""
    return share(indices, dictionary)


def _constant(value: str, n: int) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(n, dtype=np.int32)), pa.array([value], pa.string())
    )


def _plain(values: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(values.type):
        return values.dictionary_decode()
    return values


def _conform(values: pa.Array, kind: pa.DataType) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(kind):
        if values.type == kind:
            return values
        if pa.types.is_dictionary(values.type):
            return _dict(values.indices, pc.cast(values.dictionary, pa.string()))
        return _dict_from_plain(values)
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if values.type != kind:
        values = pc.cast(values, kind)
    return values


def _dict_from_plain(values: pa.Array) -> pa.DictionaryArray:
    if values.type != pa.string():
        values = pc.cast(values, pa.string())
    if values.null_count == len(values):
        return pa.DictionaryArray.from_arrays(
            pa.nulls(len(values), pa.int32()), pa.array([], pa.string())
        )
    encoded: pa.DictionaryArray = pc.dictionary_encode(values)
    return encoded


__all__ = [
    "DICTIONARY_COLUMNS",
    "PARQUET_DICTIONARY",
    "REQUEST_KEY",
    "WRITE_SCHEMA",
    "FinishContext",
    "Finished",
    "Parsed",
    "finish",
]
