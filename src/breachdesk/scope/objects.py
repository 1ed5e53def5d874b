"""Object reads: ``GET /api/v1/customers/{id}`` names the record it returned — ``exact``.

The id comes from the event's ``object_id`` (the route's placeholder, as ingest extracted
it). For an integer key it must be a plain number (``0042`` is 42); anything else matches no
row and is reported. Ids of a table linked to people (``/orders/{id}``) reach the person
through the table's link column.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.model.scope import Confidence, ScopeNote
from breachdesk.scope.conservative import conservative
from breachdesk.scope.exposure import ExposurePlan, RouteFacts
from breachdesk.scope.hits import HitSet

_DIGITS = r"^[0-9]{1,18}$"


def resolve_objects(
    events: pa.Table, routes: dict[str, RouteFacts], plan: ExposurePlan, hits: HitSet
) -> list[ScopeNote]:
    """Add the hits of object-read events (``events`` all have an object route)."""
    notes: list[ScopeNote] = []
    exact = Confidence.EXACT.rank
    by_route = events.column("route").to_pylist()
    for template in sorted(set(by_route)):
        route = routes[template]
        facts = plan.table(route.table)
        chosen = events.filter(pc.equal(events.column("route"), template))
        if facts is None or not facts.exists or not facts.key:
            reason = f"route {template}: table {route.table} has no key in the person source"
            notes.append(conservative(plan, hits, [facts], chosen, route.mask, reason))
            continue
        ids = pc.utf8_trim_whitespace(pc.cast(chosen.column("object_id"), pa.string()))
        if facts.integer_key:
            valid = pc.fill_null(pc.match_substring_regex(ids, _DIGITS), False)
            keys: pa.Array = pc.cast(ids.filter(valid), pa.int64())
        else:
            valid = pc.is_valid(ids)
            keys = ids.filter(valid)
        bad = len(valid) - int(pc.sum(pc.cast(valid, pa.int64())).as_py() or 0)
        if bad:
            refs = chosen.filter(pc.invert(valid)).column("raw_ref").to_pylist()[:5]
            notes.append(
                ScopeNote(
                    "ignored",
                    f"route {template}: object id is not a {facts.name}.{facts.key} value",
                    bad,
                    refs=tuple(str(r) for r in refs),
                )
            )
        kept = chosen.filter(valid)
        n = kept.num_rows
        rows = pa.table(
            {
                "row_key": keys,
                "t_us": kept.column("t_us"),
                "conf": pa.array(np.full(n, exact, dtype=np.int64)),
                "mask": pa.array(np.full(n, route.mask, dtype=np.int64)),
                "ref": kept.column("raw_ref"),
            }
        )
        # A 2xx answer means the row existed then, whatever its recorded creation time.
        hits.add_rows(facts, rows, check_created=False)
    return notes
