"""Searches: the rows a search returned, taken as every row containing the term — ``inferred``.

A search (``?q=term``) returned rows whose exposed text contains the term: every row of the
table whose exposed text columns contain it (case-insensitive) and that existed then is
taken — a superset of exact, prefix and substring search, whatever the page asked for.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa

from breachdesk.model.scope import Confidence, ScopeNote
from breachdesk.scope.conservative import conservative, note
from breachdesk.scope.copies import CopyStore
from breachdesk.scope.exposure import ExposurePlan, RouteFacts
from breachdesk.scope.hits import HitSet
from breachdesk.scope.pages import query_params

_SEARCH_PARAMS = ("q", "query", "search", "term", "email", "name")


def resolve_searches(
    events: pa.Table,
    routes: dict[str, RouteFacts],
    plan: ExposurePlan,
    hits: HitSet,
    copies: CopyStore,
) -> list[ScopeNote]:
    """Add the hits of search events."""
    notes: list[ScopeNote] = []
    terms: dict[str, list[tuple[int, str]]] = defaultdict(list)
    refused: dict[str, list[int]] = defaultdict(list)
    for index, (template, query) in enumerate(
        zip(events.column("route").to_pylist(), events.column("query").to_pylist(), strict=True)
    ):
        route = routes[template]
        facts = plan.table(route.table)
        params = query_params(query)
        term = next((params[p] for p in _SEARCH_PARAMS if params.get(p, "").strip()), None)
        if facts is None or not facts.exists:
            refused[f"route {template}: table {route.table} is not in the person source"].append(
                index
            )
        elif term is None:
            refused[f"route {template}: a search without a term scope understands"].append(index)
        else:
            terms[template].append((index, term.strip().lower()))
    for reason, indexes in refused.items():
        chosen = events.take(pa.array(indexes, pa.int64()))
        route = routes[chosen.column("route")[0].as_py()]
        notes.append(
            conservative(plan, hits, [plan.table(route.table)], chosen, route.mask, reason)
        )
    for template, found in terms.items():
        route = routes[template]
        facts = plan.table(route.table)
        assert facts is not None
        searched = tuple(
            c.lower()
            for c in route.columns
            if c.lower() in facts.types and "INT" not in facts.types[c.lower()]
        )
        indexes = [i for i, _ in found]
        chosen = events.take(pa.array(indexes, pa.int64()))
        if not searched:
            reason = f"route {template}: no text column to search in"
            notes.append(conservative(plan, hits, [facts], chosen, route.mask, reason))
            continue
        copy = copies.copy(facts, searched)
        n = len(found)
        table = pa.table(
            {
                "t_us": chosen.column("t_us"),
                "conf": pa.array(np.full(n, Confidence.INFERRED.rank, dtype=np.int64)),
                "mask": pa.array(np.full(n, route.mask, dtype=np.int64)),
                "ref": chosen.column("raw_ref"),
                "term": pa.array([t for _, t in found], pa.string()),
            }
        )
        name = hits.register("search_terms", table)
        contains = " OR ".join(
            f"instr(lower(CAST(c.{copy.column_of(col)} AS STRING)), e.term) > 0" for col in searched
        )
        hits.add_ranked(
            "SELECT c.person_key, e.t_us AS first_us, e.t_us AS last_us, e.conf, e.mask, "
            f"e.ref, 1 AS n FROM {copy.name} c JOIN {name} e ON ({contains}) "
            "AND (c.created_us IS NULL OR c.created_us <= e.t_us) WHERE c.person_key IS NOT NULL"
        )
        notes.append(
            note(
                "inferred",
                f"route {template}: searches taken as every row whose "
                f"{', '.join(searched)} contains the term",
                chosen,
                Confidence.INFERRED,
            )
        )
    return notes
