"""The exposure map applied to logged paths and tables: route template, resource, object id.

Each ``[[exposure]]`` route becomes one RE2 pattern; they are tried most specific first
(fewest placeholders, then longest literal text), so ``/api/v1/customers/search`` wins over
``/api/v1/customers/{id}``. Paths no route knows get a normalised template (numeric, UUID, long hex
and SKU-like segments become ``{id}``) and no resource. All of it runs over arrays, not per line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.config import Exposure
from breachdesk.errors import ConfigError
from breachdesk.ingest.arrowtext import (
    NULL_STRING,
    blank_to_null,
    bool_array,
    match_groups,
    matched,
)
from breachdesk.model import Action

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ID_LIKE = (
    r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[0-9a-fA-F]{16,})$|[0-9]{4}"
)
"""UUIDs, long hex strings, and anything holding a run of four digits (SKUs like
``MA-BAG-0001``, order numbers, slugs ending in one); ``v1``-style versions stay."""


@dataclass(frozen=True)
class Route:
    """One exposure route, compiled."""

    template: str
    pattern: str
    prefix: str
    resource: str
    kind: str
    id_group: int | None
    placeholders: int
    literal_length: int


@dataclass(frozen=True)
class RouteColumns:
    """What the exposure map says about each path (all arrays as long as the input)."""

    route: pa.Array
    resource: pa.Array
    object_id: pa.Array
    kind: pa.Array
    known: pa.Array


class ExposureMap:
    """Routes and tables of the workspace's ``[[exposure]]`` entries."""

    def __init__(self, exposures: Sequence[Exposure] = ()) -> None:
        routes = [compile_route(e) for e in exposures if e.route]
        self.routes = sorted(routes, key=lambda r: (r.placeholders, -r.literal_length))
        self.tables = {_bare_table(e.table): e.table for e in exposures}

    def map_paths(self, paths: pa.Array) -> RouteColumns:
        """Route, resource, object id and kind for each path (query string already removed).

        Each route first narrows the paths with a plain prefix test (its text before the
        first placeholder); only those few go through its regex.
        """
        if isinstance(paths, pa.ChunkedArray):
            paths = paths.combine_chunks()
        n = len(paths)
        number = np.full(n, -1, dtype=np.int32)
        id_rows: list[np.ndarray] = []
        id_values: list[pa.Array] = []
        for position, entry in enumerate(self.routes):
            candidates = pc.fill_null(pc.starts_with(paths, entry.prefix), False).to_numpy(
                zero_copy_only=False
            )
            rows = np.flatnonzero(candidates & (number < 0))
            if len(rows) == 0:
                continue
            found, hit = match_groups(paths.take(pa.array(rows)), entry.pattern)
            hit_np = hit.to_numpy(zero_copy_only=False)
            number[rows[hit_np]] = position
            if entry.id_group is not None and hit_np.any():
                id_rows.append(rows[hit_np])
                id_values.append(found[f"p{entry.id_group}"].filter(hit))
        known_np = number >= 0
        lookup = pa.array(np.where(known_np, number, 0))
        known = bool_array(known_np)

        def constant(values: list[str]) -> pa.Array:
            if not self.routes:
                return pa.nulls(n, pa.string())
            return pc.if_else(known, pc.take(pa.array(values, pa.string()), lookup), NULL_STRING)

        route = constant([r.template for r in self.routes])
        unknown = np.flatnonzero(~known_np)
        if len(unknown):
            normalised = normalise_paths(paths.take(pa.array(unknown)))
            route = pc.replace_with_mask(route, bool_array(~known_np), normalised)
        object_id = pa.nulls(n, pa.string())
        if id_rows:
            where = np.zeros(n, dtype=bool)
            rows = np.concatenate(id_rows)
            where[rows] = True
            order = np.argsort(rows)
            values = pa.concat_arrays(id_values).take(pa.array(order))
            object_id = pc.replace_with_mask(object_id, bool_array(where), values)
        return RouteColumns(
            route,
            constant([r.resource for r in self.routes]),
            object_id,
            constant([r.kind for r in self.routes]),
            known,
        )

    def map_tables(self, names: pa.Array) -> pa.Array:
        """The exposure table named by each (possibly schema-qualified, quoted) table name;
        an unknown table keeps its own bare name."""
        bare = pc.utf8_lower(
            pc.replace_substring_regex(pc.replace_substring(names, '"', ""), r"^.*\.", "")
        )
        if not self.tables:
            return blank_to_null(bare)
        keys = pa.array(list(self.tables))
        values = pa.array(list(self.tables.values()))
        position = pc.index_in(bare, value_set=keys)
        mapped = pc.take(values, position)
        return blank_to_null(pc.coalesce(mapped, bare))


def compile_route(exposure: Exposure) -> Route:
    """The RE2 pattern of one exposure route; ConfigError when the template is unusable."""
    template = exposure.route or ""
    if not template.startswith("/"):
        raise ConfigError(f"exposure route {template!r} must start with '/'")
    names = _PLACEHOLDER.findall(template)
    if len(set(names)) != len(names):
        raise ConfigError(f"exposure route {template!r} repeats a placeholder")
    if exposure.kind == "object" and not names:
        raise ConfigError(f"exposure route {template!r} is kind 'object' but has no {{id}}")
    parts = ["^"]
    position = 0
    for number, match in enumerate(_PLACEHOLDER.finditer(template)):
        parts.append(re.escape(template[position : match.start()]))
        parts.append(f"(?P<p{number}>[^/]+)")
        position = match.end()
    parts.append(re.escape(template[position:].rstrip("/")))
    parts.append("/?$")
    id_group: int | None = None
    if names:
        id_group = names.index(exposure.key) if exposure.key in names else len(names) - 1
    literal = len(_PLACEHOLDER.sub("", template))
    first = _PLACEHOLDER.search(template)
    return Route(
        template=template,
        pattern="".join(parts),
        prefix=template[: first.start()] if first else template.rstrip("/"),
        resource=exposure.table,
        kind=exposure.kind,
        id_group=id_group,
        placeholders=len(names),
        literal_length=literal,
    )


def normalise_paths(paths: pa.Array) -> pa.Array:
    """Templates for unknown paths: id-like segments become ``{id}`` (all digits, UUIDs, long
    hex, or holding a run of four digits)."""
    if isinstance(paths, pa.ChunkedArray):
        paths = paths.combine_chunks()
    if len(paths) == 0:
        return paths
    segments = pc.split_pattern(pc.fill_null(paths, ""), "/")
    flat = pc.list_flatten(segments)
    is_id = pc.fill_null(pc.utf8_is_digit(flat), False)
    # Only segments of 4+ characters can be anything else the rule knows: test those alone.
    long = pc.and_(pc.greater_equal(pc.utf8_length(flat), 4), pc.invert(is_id))
    if pc.any(long).as_py():
        idlike = matched(flat.filter(long), _ID_LIKE)
        is_id = pc.or_(is_id, pc.replace_with_mask(pc.fill_null(long, False), long, idlike))
    replaced = pc.if_else(is_id, "{id}", flat)
    rebuilt = pa.ListArray.from_arrays(segments.offsets, replaced)
    joined = pc.binary_join(rebuilt, "/")
    return pc.if_else(pc.is_null(paths), NULL_STRING, joined)


_READS = pa.array(["GET", "HEAD"])
_UPDATES = pa.array(["PUT", "PATCH"])


def http_actions(methods: pa.Array, kinds: pa.Array) -> pa.Array:
    """Action of each HTTP request from its method and the route's kind."""
    method = pc.utf8_upper(methods)
    reading = pc.fill_null(pc.is_in(method, value_set=_READS), False)
    by_kind = pc.fill_null(
        pc.if_else(
            pc.equal(kinds, "list"),
            Action.LIST.value,
            pc.if_else(pc.equal(kinds, "search"), Action.SEARCH.value, Action.READ.value),
        ),
        Action.READ.value,
    )
    searching = pc.fill_null(pc.equal(kinds, "search"), False)
    action = pc.if_else(reading, by_kind, NULL_STRING)
    post = pc.fill_null(pc.equal(method, "POST"), False)
    action = pc.if_else(
        post, pc.if_else(searching, Action.SEARCH.value, Action.CREATE.value), action
    )
    update = pc.fill_null(pc.is_in(method, value_set=_UPDATES), False)
    action = pc.if_else(update, Action.UPDATE.value, action)
    delete = pc.fill_null(pc.equal(method, "DELETE"), False)
    return pc.if_else(delete, Action.DELETE.value, action)


def _bare_table(name: str) -> str:
    return name.replace('"', "").rsplit(".", 1)[-1].lower()
