"""Anything scope cannot resolve is answered with a superset, and says why.

"Every row of the table that existed at the event's time" for a table linked to people;
every person in the person source that existed then for a table that is not linked (or
unknown). The reason goes into the run's notes with the number of events and a few refs.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from breachdesk.model.scope import Confidence, ScopeNote
from breachdesk.scope.exposure import ExposurePlan, TableFacts
from breachdesk.scope.hits import BulkEvent, HitSet

REFS_PER_NOTE = 5


def note(kind: str, reason: str, events: pa.Table, confidence: Confidence | None) -> ScopeNote:
    """A note about ``events`` (which have ``raw_ref``)."""
    refs = events.column("raw_ref").slice(0, REFS_PER_NOTE).to_pylist()
    return ScopeNote(kind, reason, events.num_rows, confidence, tuple(str(r) for r in refs))


def reach_tables(
    plan: ExposurePlan,
    hits: HitSet,
    tables: Iterable[TableFacts | None],
    events: pa.Table,
    mask: int,
    confidence: Confidence,
) -> list[str]:
    """Every row of each of ``tables`` that existed at each event's time (everyone, for a
    table with no link to people); returns the names of tables that fell back to everyone."""
    person = plan.tables[plan.person_table]
    targets: dict[str, TableFacts] = {}
    fell_back: list[str] = []
    for facts in tables:
        if facts is not None and facts.exists and facts.person_column:
            targets[facts.name.lower()] = facts
        else:
            fell_back.append("an unknown table" if facts is None else facts.name)
            targets[person.name.lower()] = person
    if not targets:
        targets[person.name.lower()] = person
    times = events.column("t_us").to_pylist()
    refs = events.column("raw_ref").to_pylist()
    for facts in targets.values():
        for t_us, ref in zip(times, refs, strict=True):
            hits.add_bulk(facts, BulkEvent(int(t_us), confidence.rank, mask, str(ref)))
    return fell_back


def conservative(
    plan: ExposurePlan,
    hits: HitSet,
    tables: Iterable[TableFacts | None],
    events: pa.Table,
    mask: int,
    reason: str,
) -> ScopeNote:
    """The conservative answer for ``events``, and its note."""
    fell_back = reach_tables(plan, hits, tables, events, mask, Confidence.CONSERVATIVE)
    if fell_back:
        reason += f" (no link to people for {', '.join(sorted(set(fell_back)))}: everyone)"
    return note("conservative", reason, events, Confidence.CONSERVATIVE)
