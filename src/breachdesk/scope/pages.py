"""List pages: the rows a page returned, rebuilt — ``inferred``.

A list request (``?page=3&per_page=100``, or ``offset``/``limit``) returned rows
``offset+1 … offset+limit`` of the table in its order (the route's ``order_by``, or a
``sort`` parameter: ``-id``, ``created_at:desc``; ties broken by key) *as it was then*:
rows created after the request are left out. Ranks are computed once per order over the
rows that existed at the first request; rows created while the paging went on are few and
slotted into each later request's ranking in Python. A list with a parameter scope does not
understand (a filter) is resolved conservatively. Searches are in ``search``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qsl

import numpy as np
import pyarrow as pa

from breachdesk.model.scope import Confidence, ScopeNote
from breachdesk.scope.conservative import conservative, note
from breachdesk.scope.copies import CopyStore, TableCopy
from breachdesk.scope.exposure import ExposurePlan, RouteFacts, TableFacts
from breachdesk.scope.hits import HitSet

_SORT_PARAMS = ("sort", "order_by", "sort_by", "orderby")
_DIRECTION_PARAMS = ("order", "direction", "dir")
_MAX_QUERY = 8_192
_MAX_OFFSET = 10**12
_MAX_SIZE = 10**7
# Beyond this many rows created during the paging, rebuilding each page is too costly.
_MAX_LATE = 50_000


@dataclass(frozen=True)
class Page:
    """One list request, understood."""

    index: int
    t_us: int
    offset: int
    limit: int
    rows: int | None


@dataclass(frozen=True)
class Order:
    column: str | None  # None: the key
    descending: bool


def query_params(query: str | None) -> dict[str, str]:
    text = (query or "")[:_MAX_QUERY].lstrip("?")
    return {k.lower(): v for k, v in parse_qsl(text, keep_blank_values=True)}


def _integer(value: str | None, low: int, high: int) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    number = int(value.strip())
    return number if low <= number <= high else None


def parse_order(text: str | None, direction: str | None = None) -> Order | None:
    """``-id``, ``id:desc``, ``id desc``, ``created_at.asc`` → Order; None when empty."""
    if not text or not text.strip():
        return None
    value = text.strip()
    descending = False
    if value.startswith("-"):
        descending, value = True, value[1:]
    elif value.startswith("+"):
        value = value[1:]
    for separator in (":", " ", "."):
        if separator in value:
            head, _, tail = value.rpartition(separator)
            if tail.lower() in ("asc", "desc"):
                value, descending = head, tail.lower() == "desc"
                break
    if direction and direction.strip().lower() in ("asc", "desc"):
        descending = direction.strip().lower() == "desc"
    return Order(value.strip().lower() or None, descending)


def resolve_lists(
    events: pa.Table,
    routes: dict[str, RouteFacts],
    plan: ExposurePlan,
    hits: HitSet,
    copies: CopyStore,
    dialect: str,
) -> list[ScopeNote]:
    """Add the hits of list-page events."""
    notes: list[ScopeNote] = []
    groups: dict[tuple[str, str, Order], list[Page]] = defaultdict(list)
    refused: dict[str, list[int]] = defaultdict(list)
    columns = events.column("route").to_pylist()
    queries = events.column("query").to_pylist()
    times = events.column("t_us").to_pylist()
    logged = events.column("rows").to_pylist()
    for index, (template, query) in enumerate(zip(columns, queries, strict=True)):
        route = routes[template]
        facts = plan.table(route.table)
        if facts is None or not facts.exists:
            refused[f"route {template}: table {route.table} is not in the person source"].append(
                index
            )
            continue
        outcome = _understand(route, facts, query_params(query), logged[index])
        if isinstance(outcome, str):
            refused[f"route {template}: {outcome}"].append(index)
            continue
        offset, limit, order = outcome
        groups[(template, facts.name.lower(), order)].append(
            Page(index, int(times[index]), offset, limit, logged[index])
        )
    for reason, indexes in refused.items():
        chosen = events.take(pa.array(indexes, pa.int64()))
        route = routes[chosen.column("route")[0].as_py()]
        notes.append(
            conservative(plan, hits, [plan.table(route.table)], chosen, route.mask, reason)
        )
    for (template, _, order), pages in groups.items():
        route = routes[template]
        facts = plan.table(route.table)
        assert facts is not None
        notes += _resolve_group(events, route, facts, order, pages, hits, copies, dialect)
    return notes


def _understand(
    route: RouteFacts, facts: TableFacts, params: dict[str, str], logged: int | None
) -> tuple[int, int, Order] | str:
    """(offset, limit, order) of a list request, or why it cannot be rebuilt."""
    page_key, size_key = route.page_param.lower(), route.size_param.lower()
    known = {page_key, size_key, "offset", "limit", *_SORT_PARAMS, *_DIRECTION_PARAMS}
    unknown = sorted(k for k in params if k not in known)
    if unknown:
        return f"filtered by parameter {unknown[0]!r}, which scope cannot replay"
    size = _integer(params.get(size_key) or params.get("limit"), 1, _MAX_SIZE)
    if (params.get(size_key) or params.get("limit")) and size is None:
        return "page size is not a number"
    page = _integer(params.get(page_key), 1, _MAX_OFFSET) if page_key in params else 1
    if page is None:
        return "page number is not a number"
    offset = _integer(params.get("offset"), 0, _MAX_OFFSET) if "offset" in params else None
    if "offset" in params and offset is None:
        return "offset is not a number"
    if size is None:
        if logged is None or (page != 1 and offset is None):
            return "page size unknown (no size parameter and no row count logged)"
        size = max(1, int(logged))
    start = offset if offset is not None else (page - 1) * size
    sort_text = next((params[p] for p in _SORT_PARAMS if params.get(p)), None)
    direction = next((params[p] for p in _DIRECTION_PARAMS if params.get(p)), None)
    order = parse_order(sort_text or route.order_by or facts.key, direction)
    if order is None:
        order = Order(None, False)
    if order.column is not None and order.column == (facts.key or "").lower():
        order = Order(None, order.descending)
    if order.column is not None and order.column not in facts.columns:
        return f"sorted by {order.column!r}, which {facts.name} does not have"
    return start, size, order


def _sort_sql(copy: TableCopy, order: Order, dialect: str) -> str:
    facts = copy.facts
    if order.column is None:
        expression = "row_key"
    elif facts.created_at and order.column == facts.created_at.lower():
        expression = "created_us"
    else:
        expression = copy.column_of(order.column)
    # NULLs sort as the source's engine sorts them: SQLite first ascending, PostgreSQL last.
    nulls_first = (dialect == "sqlite") != order.descending
    direction = "DESC" if order.descending else "ASC"
    nulls = "FIRST" if nulls_first else "LAST"
    return f"{expression} {direction} NULLS {nulls}, row_key ASC"


def _resolve_group(
    events: pa.Table,
    route: RouteFacts,
    facts: TableFacts,
    order: Order,
    pages: list[Page],
    hits: HitSet,
    copies: CopyStore,
    dialect: str,
) -> list[ScopeNote]:
    engine = hits.engine
    extras: tuple[str, ...] = ()
    if order.column is not None and not (
        facts.created_at and order.column == facts.created_at.lower()
    ):
        extras = (order.column,)
    copy = copies.copy(facts, extras)
    first = min(p.t_us for p in pages)
    last = max(p.t_us for p in pages)
    sort = _sort_sql(copy, order, dialect)
    existed_last = f"(created_us IS NULL OR created_us <= {last})"
    late_count = (
        engine.run(
            f"SELECT count(*) AS n FROM {copy.name} WHERE created_us > {first} "
            f"AND created_us <= {last}"
        )
        .column("n")[0]
        .as_py()
    )
    chosen = events.take(pa.array([p.index for p in pages], pa.int64()))
    if late_count and late_count > _MAX_LATE:
        reason = (
            f"route {route.route}: {late_count:,} rows were created while it was paged; "
            "pages were not rebuilt"
        )
        return [conservative(copies.plan, hits, [facts], chosen, route.mask, reason)]
    ranked = f"ranked_{copy.name}_{len(hits.parts)}"
    if late_count:
        engine.materialise(
            ranked,
            "SELECT row_key, person_key, created_us, is_base, pos, "
            "sum(is_base) OVER (ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
            " AS cb FROM (SELECT row_key, person_key, created_us, "
            f"CASE WHEN created_us IS NULL OR created_us <= {first} THEN 1 ELSE 0 END AS is_base,"
            f" row_number() OVER (ORDER BY {sort}) AS pos FROM {copy.name} "
            f"WHERE {existed_last}) s",
        )
        late = engine.run(
            f"SELECT row_key, person_key, created_us, cb FROM {ranked} WHERE is_base = 0 "
            "ORDER BY pos"
        )
    else:
        engine.materialise(
            ranked,
            "SELECT row_key, person_key, created_us, 1 AS is_base, "
            f"row_number() OVER (ORDER BY {sort}) AS cb FROM {copy.name} WHERE {existed_last}",
        )
        late = None
    total = engine.run(f"SELECT count(*) AS n FROM {ranked} WHERE is_base = 1").column("n")
    windows, late_rows, counts = _windows(pages, late, int(total[0].as_py() or 0))
    conf = Confidence.INFERRED.rank
    n = len(pages)
    page_events = pa.table(
        {
            "q": pa.array(range(n), pa.int64()),
            "t_us": pa.array([p.t_us for p in pages], pa.int64()),
            "conf": pa.array(np.full(n, conf, dtype=np.int64)),
            "mask": pa.array(np.full(n, route.mask, dtype=np.int64)),
            "ref": chosen.column("raw_ref"),
        }
    )
    window_name = hits.register("page_windows", windows)
    events_name = hits.register("page_events", page_events)
    joined = hits.join_ranges(
        "l.person_key, r.q",
        f"SELECT person_key, cb FROM {ranked} WHERE is_base = 1 AND person_key IS NOT NULL",
        "cb",
        window_name,
        windows,
    )
    hits.add_ranked(
        "SELECT k.person_key, e.t_us AS first_us, e.t_us AS last_us, e.conf, e.mask, e.ref, "
        f"1 AS n FROM ({joined}) k JOIN {events_name} e ON e.q = k.q"
    )
    if late_rows:
        q, keys = zip(*late_rows, strict=True)
        late_table = pa.table(
            {
                "q": pa.array(q, pa.int64()),
                "person_key": late.column("person_key").take(pa.array(keys, pa.int64()))
                if late is not None
                else pa.array([], pa.int64()),
            }
        )
        late_name = hits.register("page_late", late_table)
        hits.add_ranked(
            "SELECT k.person_key, e.t_us AS first_us, e.t_us AS last_us, e.conf, e.mask, "
            f"e.ref, 1 AS n FROM {late_name} k JOIN {events_name} e ON e.q = k.q "
            "WHERE k.person_key IS NOT NULL"
        )
    notes = [
        note(
            "inferred",
            f"route {route.route}: list pages rebuilt from their parameters and the table's "
            "rows at the time",
            chosen,
            Confidence.INFERRED,
        )
    ]
    differing = [i for i, p in enumerate(pages) if p.rows is not None and p.rows != counts[i]]
    if differing:
        notes.append(
            note(
                "mismatch",
                f"route {route.route}: the log's row count differs from the rebuilt page "
                "(rows deleted since, or another order)",
                chosen.take(pa.array(differing, pa.int64())),
                Confidence.INFERRED,
            )
        )
    return notes


def _windows(
    pages: list[Page], late: pa.Table | None, base: int
) -> tuple[pa.Table, list[tuple[int, int]], list[int]]:
    """Per page: the ranks among the ``base`` rows it returned (one range), the late rows
    it returned (as (page, index in ``late``)) and how many rows it returned in all.

    A late row whose ``cb`` is c sits after base rank c; so base rank r is at position
    r + (late rows with cb < r), and the i-th late row (from 0) at c + i + 1.
    """
    lows, highs, qs = [], [], []
    late_rows: list[tuple[int, int]] = []
    counts: list[int] = []
    if late is None or late.num_rows == 0:
        for q, page in enumerate(pages):
            qs.append(q)
            lows.append(page.offset + 1)
            highs.append(page.offset + page.limit)
            counts.append(max(0, min(page.offset + page.limit, base) - page.offset))
        return _window_table(qs, lows, highs), late_rows, counts
    created = np.array(
        [np.iinfo(np.int64).min if v is None else v for v in late.column("created_us").to_pylist()],
        dtype=np.int64,
    )
    cbs_all = np.array(late.column("cb").to_pylist(), dtype=np.int64)
    for q, page in enumerate(pages):
        present = np.flatnonzero(created <= page.t_us)
        cbs = cbs_all[present]
        o, l_ = page.offset, page.limit
        m = len(cbs)
        candidates = np.arange(max(1, o + 1 - m), min(o + l_, base) + 1, dtype=np.int64)
        merged = candidates + np.searchsorted(cbs, candidates, side="left")
        inside = candidates[(merged >= o + 1) & (merged <= o + l_)]
        if len(inside):
            qs.append(q)
            lows.append(int(inside[0]))
            highs.append(int(inside[-1]))
        positions = cbs + np.arange(1, m + 1, dtype=np.int64)
        chosen = present[(positions >= o + 1) & (positions <= o + l_)]
        late_rows += [(q, int(i)) for i in chosen]
        counts.append(len(inside) + len(chosen))
    return _window_table(qs, lows, highs), late_rows, counts


def _window_table(qs: list[int], lows: list[int], highs: list[int]) -> pa.Table:
    return pa.table(
        {
            "q": pa.array(qs, pa.int64()),
            "lo": pa.array(lows, pa.int64()),
            "hi": pa.array(highs, pa.int64()),
        }
    )
