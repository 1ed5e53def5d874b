"""From the selected events to one row per person: key, categories, first and last access,
confidence, evidence references, jurisdiction and language.

Each event goes to the resolver of its kind (object, list, search, export route, datastore
statement); their hits meet in the engine and are reduced per person. A person's confidence
is the best any event gives (one exact read is proof); categories are the union over events.
The person source then gives country, region and language of the affected only.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.model import Category
from breachdesk.model.scope import PERSONS_SCHEMA, Confidence, ScopeNote, ScopeReport
from breachdesk.scope.conservative import conservative, note
from breachdesk.scope.copies import CopyStore
from breachdesk.scope.datamap import category_map, mask_categories
from breachdesk.scope.engines import open_engine
from breachdesk.scope.exposure import ExposurePlan, build_plan
from breachdesk.scope.hits import HitSet
from breachdesk.scope.objects import resolve_objects
from breachdesk.scope.pages import resolve_lists
from breachdesk.scope.search import resolve_searches
from breachdesk.scope.select import EventSelection, read_events
from breachdesk.scope.source import SourceDb, open_source, quote
from breachdesk.scope.sqlreplay import ReplayStats, resolve_statements
from breachdesk.workspace import Workspace

Progress = Callable[[str], None]
SUBDIVIDED = frozenset({"US", "CA", "AU"})


def resolve_scope(
    workspace: Workspace,
    incident_id: str,
    selection: EventSelection,
    *,
    engine: str = "duckdb",
    spark: Any = None,
    progress: Progress | None = None,
) -> ScopeReport:
    """Resolve the people the selected events reached (nothing is stored here)."""
    say = progress or (lambda _step: None)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    say("reading events")
    events = read_events(workspace.path("events"), selection)
    seconds["events"] = time.perf_counter() - started
    summary = selection.summary
    selected = type(summary)(
        summary.alerts,
        summary.principals,
        summary.networks,
        summary.start,
        summary.end,
        events.num_rows,
    )
    with open_source(workspace) as source:
        categories = category_map(workspace)
        plan = build_plan(workspace.settings, source, categories)
        runner = open_engine(engine, spark=spark)
        try:
            copies = CopyStore(source, runner, plan)
            hits = HitSet(runner, copies)
            mark = time.perf_counter()
            notes, stats = _resolve_events(events, workspace, plan, source, hits, copies, say)
            seconds["resolve"] = time.perf_counter() - mark - copies.seconds
            mark = time.perf_counter()
            say("joining hits per person")
            people = hits.aggregate()
            seconds["aggregate"] = time.perf_counter() - mark
            seconds["source_keys"] = copies.seconds
        finally:
            runner.close()
        mark = time.perf_counter()
        say("reading jurisdiction and language of the affected")
        persons = _persons(people, source, plan, workspace)
        seconds["attributes"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started
    by_category, by_jurisdiction, by_country, by_confidence = _counts(persons, people)
    if stats.statements:
        notes.append(
            ScopeNote(
                "statements",
                f"{stats.statements:,} distinct statements in {stats.shapes:,} shapes: "
                f"{stats.replayed:,} replayed, {stats.vectorised:,} answered from the key "
                f"copy, {stats.refused:,} refused, {stats.ignored:,} not exposures",
                stats.events,
            )
        )
    notes.append(ScopeNote("categories", f"data categories from the {categories.origin}", 0))
    return ScopeReport(
        incident_id=incident_id,
        engine=engine,
        selection=selected,
        persons=persons,
        by_category=by_category,
        by_jurisdiction=by_jurisdiction,
        by_country=by_country,
        by_confidence=by_confidence,
        notes=tuple(notes),
        seconds={k: round(v, 3) for k, v in seconds.items()},
    )


def _resolve_events(
    events: pa.Table,
    workspace: Workspace,
    plan: ExposurePlan,
    source: SourceDb,
    hits: HitSet,
    copies: CopyStore,
    say: Progress,
) -> tuple[list[ScopeNote], ReplayStats]:
    notes: list[ScopeNote] = []
    if events.num_rows == 0:
        return notes, ReplayStats()
    statement = pc.is_valid(events.column("statement"))
    templates = list(plan.routes)
    route = events.column("route")
    known = pc.fill_null(pc.is_in(route, pa.array(templates, pa.string())), False)
    known = pc.and_(known, pc.invert(statement))
    kinds = np.array(
        [plan.routes[r].kind if r in plan.routes else "" for r in route.to_pylist()],
        dtype=object,
    )
    known_np = known.to_numpy(zero_copy_only=False)
    for kind, resolver in (
        ("object", "objects"),
        ("list", "lists"),
        ("search", "searches"),
        ("table", "exports"),
    ):
        chosen_mask = known_np & (kinds == kind)
        if not chosen_mask.any():
            continue
        chosen = events.filter(pa.array(chosen_mask))
        say(f"resolving {chosen.num_rows:,} {resolver}")
        if kind == "object":
            notes += resolve_objects(chosen, plan.routes, plan, hits)
        elif kind == "list":
            notes += resolve_lists(chosen, plan.routes, plan, hits, copies, source.dialect)
        elif kind == "search":
            notes += resolve_searches(chosen, plan.routes, plan, hits, copies)
        else:
            for template in sorted(set(chosen.column("route").to_pylist())):
                route_facts = plan.routes[template]
                part = chosen.filter(pc.equal(chosen.column("route"), template))
                reason = f"route {template} exports the table without parameters to replay"
                tables = [plan.table(route_facts.table)]
                notes.append(conservative(plan, hits, tables, part, route_facts.mask, reason))
    datastore = events.filter(statement)
    say(f"replaying {datastore.num_rows:,} statements")
    statement_notes, stats = resolve_statements(
        datastore, workspace.settings, plan, source, hits, copies
    )
    notes += statement_notes
    rest = events.filter(pc.and_(pc.invert(known), pc.invert(statement)))
    if rest.num_rows:
        resources = rest.column("resource").to_pylist()
        mapped = np.array([plan.table(r) is not None for r in resources], dtype=bool)
        if mapped.any():
            without = rest.filter(pa.array(mapped))
            for name in sorted({str(r) for r in without.column("resource").to_pylist()}):
                facts = plan.table(name)
                part = without.filter(pc.equal(without.column("resource"), name))
                mask = plan.table_mask(facts) if facts else 0
                reason = f"access to table {name} without a statement or route to replay"
                notes.append(conservative(plan, hits, [facts], part, mask, reason))
        if (~mapped).any():
            notes.append(
                note(
                    "ignored",
                    "routes and tables the exposure map does not describe (no personal data)",
                    rest.filter(pa.array(~mapped)),
                    None,
                )
            )
    return notes, stats


def _persons(
    people: pa.Table, source: SourceDb, plan: ExposurePlan, workspace: Workspace
) -> pa.Table:
    """``people`` (from the engine) with the person source's attributes, as PERSONS_SCHEMA."""
    settings = workspace.settings.person_source
    facts = plan.tables[plan.person_table]
    wanted = {
        "country": settings.country,
        "region": settings.region,
        "language": settings.language,
        "email": settings.email,
        "name": settings.name,
        "postal_code": settings.postal_code,
    }
    present = {k: v for k, v in wanted.items() if v and v.lower() in facts.columns}
    people = people.sort_by("person_key")
    n = people.num_rows
    attributes: dict[str, pa.Array] = {}
    if n and facts.key:
        keys = people.column("person_key").combine_chunks()
        columns = list(dict.fromkeys(present.values()))
        found = source.rows_by_key(
            facts.name, facts.key, columns, keys, _table_size(source, facts.name)
        )
        key_type = people.schema.field("person_key").type
        found_keys = pc.cast(found.column("key"), key_type, safe=False)
        position = pc.index_in(people.column("person_key"), value_set=found_keys)
        for field, column in present.items():
            values = pc.cast(found.column(column), pa.string(), safe=False)
            attributes[field] = pc.take(values, position)
    for field in wanted:
        attributes.setdefault(field, pa.nulls(n, pa.string()))
    country = pc.utf8_upper(pc.utf8_trim_whitespace(attributes["country"]))
    country = pc.if_else(
        pc.fill_null(pc.match_substring_regex(country, r"^[A-Z]{2}$"), False),
        country,
        pa.nulls(n, pa.string()),
    )
    subdivision = _subdivision(country, attributes["region"])
    masks = people.column("mask").combine_chunks() if n else pa.array([], pa.int64())
    categories = _category_lists(masks)
    confidence = pc.take(
        pa.array(["", Confidence.CONSERVATIVE.value, Confidence.INFERRED.value, "exact"]),
        people.column("conf"),
    )
    return pa.table(
        {
            "key": pc.cast(people.column("person_key"), pa.string()),
            "categories": categories,
            "country": country,
            "subdivision": subdivision,
            "region": attributes["region"],
            "language": attributes["language"],
            "confidence": confidence,
            "first_access": _times(people.column("first_us")),
            "last_access": _times(people.column("last_us")),
            "events": people.column("events"),
            "refs": pc.cast(people.column("refs"), pa.list_(pa.string())),
            "email": attributes["email"],
            "name": attributes["name"],
            "postal_code": attributes["postal_code"],
        },
        schema=PERSONS_SCHEMA,
    )


def _table_size(source: SourceDb, table: str) -> int:
    counted = source.read_arrow(f"SELECT count(*) AS n FROM {quote(table)}")
    return int(counted.column("n")[0].as_py() or 0)


def _subdivision(country: pa.Array, region: pa.Array) -> pa.Array:
    """``US-CA`` for a US, Canadian or Australian region code; NULL elsewhere."""
    code = pc.utf8_upper(pc.utf8_trim_whitespace(pc.cast(region, pa.string())))
    bare = pc.replace_substring_regex(code, r"^[A-Z]{2}-", "")
    valid = pc.fill_null(pc.match_substring_regex(bare, r"^[A-Z0-9]{1,3}$"), False)
    subdivided = pc.fill_null(pc.is_in(country, pa.array(sorted(SUBDIVIDED))), False)
    joined = pc.binary_join_element_wise(country, bare, "-")
    return pc.if_else(pc.and_(valid, subdivided), joined, pa.nulls(len(country), pa.string()))


def _category_lists(masks: pa.Array) -> pa.Array:
    if len(masks) == 0:
        return pa.array([], pa.list_(pa.string()))
    unique = pc.unique(masks)
    lists = pa.array(
        [[c.value for c in mask_categories(int(m))] for m in unique.to_pylist()],
        pa.list_(pa.string()),
    )
    return pc.take(lists, pc.index_in(masks, value_set=unique))


def _times(micros: pa.ChunkedArray) -> pa.Array:
    return pc.cast(pc.cast(micros, pa.int64()), pa.timestamp("us", tz="UTC"))


def _counts(
    persons: pa.Table, people: pa.Table
) -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
    by_category: Counter[str] = Counter()
    if people.num_rows:
        masks, counts = np.unique(
            people.column("mask").to_numpy(zero_copy_only=False), return_counts=True
        )
        for mask, count in zip(masks.tolist(), counts.tolist(), strict=True):
            for category in mask_categories(int(mask)):
                by_category[category.value] += int(count)
    ordered = {c.value: by_category[c.value] for c in Category if by_category[c.value]}
    jurisdiction = pc.coalesce(
        persons.column("subdivision"), persons.column("country"), pa.scalar("unknown")
    )
    country = pc.coalesce(persons.column("country"), pa.scalar("unknown"))
    return (
        ordered,
        _value_counts(jurisdiction),
        _value_counts(country),
        _value_counts(persons.column("confidence")),
    )


def _value_counts(values: pa.ChunkedArray | pa.Array) -> dict[str, int]:
    counted = pc.value_counts(values)
    pairs = zip(
        counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True
    )
    return dict(sorted(((str(v), int(c)) for v, c in pairs), key=lambda kv: (-kv[1], kv[0])))
