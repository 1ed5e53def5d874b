"""Hits: which rows each event reached, gathered in the engine and reduced per person.

Every resolver adds hits in one of a few forms — rows by key, key ranges, person keys from
a replay, whole tables (every row that existed at the event's time), ranked list pages —
and each form becomes one SQL part yielding ``(person_key, first_us, last_us, conf, mask,
ref, n)``. ``aggregate`` unions the parts and groups them by person in the engine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.scope.copies import CopyStore, TableCopy
from breachdesk.scope.engines import ScopeEngine
from breachdesk.scope.exposure import TableFacts

# Refs kept per person (evidence references, sorted): enough to find the lines again.
REFS_PER_PERSON = 10
# Ranges covering up to this many keys are expanded and joined on equality.
EXPAND_LIMIT = 20_000_000
# Events per whole-table part: each adds a branch to a CASE expression.
_BULK_CHUNK = 200

HIT_FIELDS = ("t_us", "conf", "mask", "ref")
EVENT_SCHEMA = pa.schema(
    [
        pa.field("q", pa.int64()),
        pa.field("t_us", pa.int64()),
        pa.field("conf", pa.int64()),
        pa.field("mask", pa.int64()),
        pa.field("ref", pa.string()),
    ]
)


@dataclass(frozen=True)
class BulkEvent:
    """An event that reached every row of a table that existed at its time."""

    t_us: int
    conf: int
    mask: int
    ref: str


def _existed(alias: str, time: str) -> str:
    return f"({alias}.created_us IS NULL OR {alias}.created_us <= {time})"


@dataclass
class HitSet:
    """The SQL parts of one scope run, over tables registered in ``engine``."""

    engine: ScopeEngine
    copies: CopyStore
    parts: list[str] = field(default_factory=list)
    _names: int = 0
    _bulk: dict[str, list[tuple[TableFacts, BulkEvent]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def register(self, prefix: str, table: pa.Table) -> str:
        self._names += 1
        name = f"{prefix}_{self._names}"
        self.engine.register(name, table)
        return name

    def add_rows(self, facts: TableFacts, rows: pa.Table, *, check_created: bool) -> None:
        """``rows``: ``row_key`` of ``facts``' table plus t_us, conf, mask, ref."""
        if rows.num_rows == 0:
            return
        copy = self.copies.copy(facts)
        name = self.register("rows", rows)
        condition = f" AND {_existed('c', 'h.t_us')}" if check_created else ""
        self.parts.append(
            "SELECT c.person_key, h.t_us AS first_us, h.t_us AS last_us, h.conf, h.mask, "
            f"h.ref, 1 AS n FROM {name} h JOIN {copy.name} c ON c.row_key = h.row_key "
            f"WHERE c.person_key IS NOT NULL{condition}"
        )

    def add_ranges(self, facts: TableFacts, ranges: pa.Table, events: pa.Table) -> None:
        """``ranges`` (q, lo, hi) of ``facts``' integer key; ``events`` (q, t_us, conf, mask,
        ref) say when and how each q read them. Rows created after the event are left out."""
        if ranges.num_rows == 0 or events.num_rows == 0:
            return
        copy = self.copies.copy(facts)
        clipped = _clip(ranges, copy)
        if clipped.num_rows == 0:
            return
        range_name = self.register("ranges", clipped)
        event_name = self.register("range_events", events)
        joined = self.join_ranges(
            "l.person_key, l.created_us, r.q",
            f"SELECT row_key, person_key, created_us FROM {copy.name} WHERE person_key IS NOT NULL",
            "row_key",
            range_name,
            clipped,
        )
        self.parts.append(
            "SELECT k.person_key, e.t_us AS first_us, e.t_us AS last_us, e.conf, e.mask, "
            f"e.ref, 1 AS n FROM ({joined}) k JOIN {event_name} e ON e.q = k.q "
            f"WHERE {_existed('k', 'e.t_us')}"
        )

    def join_ranges(
        self, select: str, rows: str, key: str, range_name: str, ranges: pa.Table
    ) -> str:
        """SQL joining ``rows`` (alias ``l``) to the registered ``ranges`` (q, lo, hi; alias
        ``r``) where ``l.key`` is within a range. Narrow ranges are expanded into keys and
        joined on equality (a hash join); wide ones use the engine's range join."""
        width = pc.sum(pc.add(pc.subtract(ranges.column("hi"), ranges.column("lo")), 1))
        if (width.as_py() or 0) <= EXPAND_LIMIT:
            expanded = f"SELECT q, {self.engine.series('lo', 'hi')} AS __key FROM {range_name}"
            return f"SELECT {select} FROM ({expanded}) r JOIN ({rows}) l ON l.{key} = r.__key"
        return self.engine.range_join(
            select, rows, key, f"SELECT q, lo, hi FROM {range_name}", "lo", "hi"
        )

    def add_person_keys(self, keys: pa.Table, events: pa.Table) -> None:
        """``keys`` (q, person_key) returned by replays; ``events`` as for ``add_ranges``."""
        if keys.num_rows == 0 or events.num_rows == 0:
            return
        person = self.copies.person_copy()
        key_name = self.register("replayed", keys)
        event_name = self.register("replay_events", events)
        self.parts.append(
            "SELECT c.person_key, e.t_us AS first_us, e.t_us AS last_us, e.conf, e.mask, "
            f"e.ref, 1 AS n FROM {key_name} k JOIN {event_name} e ON e.q = k.q "
            f"JOIN {person.name} c ON c.row_key = k.person_key WHERE {_existed('c', 'e.t_us')}"
        )

    def late_keys(self, keys: pa.Table, events: pa.Table) -> set[int]:
        """The q whose replayed keys include a person created after the event (a LIMIT
        window may then have moved since)."""
        if keys.num_rows == 0 or events.num_rows == 0:
            return set()
        person = self.copies.person_copy()
        key_name = self.register("late_keys", keys)
        event_name = self.register("late_events", events)
        found = self.engine.run(
            f"SELECT DISTINCT e.q FROM {key_name} k JOIN {event_name} e ON e.q = k.q "
            f"JOIN {person.name} c ON c.row_key = k.person_key "
            "WHERE c.created_us IS NOT NULL AND c.created_us > e.t_us"
        )
        return {int(v) for v in found.column("q").to_pylist()}

    def add_bulk(self, facts: TableFacts, event: BulkEvent) -> None:
        """``event`` reached every row of ``facts``' table that existed at its time."""
        self._bulk[facts.name.lower()].append((facts, event))

    def add_ranked(self, sql: str) -> None:
        """A finished part (list pages build their own)."""
        self.parts.append(sql)

    def _bulk_parts(self) -> None:
        for entries in self._bulk.values():
            facts = entries[0][0]
            copy = self.copies.copy(facts)
            groups: dict[tuple[int, int], list[BulkEvent]] = defaultdict(list)
            for _, event in entries:
                groups[(event.conf, event.mask)].append(event)
            for (conf, mask), events in groups.items():
                ordered = sorted(events, key=lambda e: (e.t_us, e.ref))
                for start in range(0, len(ordered), _BULK_CHUNK):
                    chunk = ordered[start : start + _BULK_CHUNK]
                    self.parts.append(_bulk_part(self, copy, chunk, conf, mask))
        self._bulk.clear()

    def aggregate(self) -> pa.Table:
        """One row per person: key, first/last access, best confidence, categories mask,
        number of hits and up to ``REFS_PER_PERSON`` references."""
        self._bulk_parts()
        key_type = self.copies.person_key_type
        if not self.parts:
            return pa.table(
                {
                    "person_key": pa.array([], pa.int64() if key_type == "BIGINT" else pa.string()),
                    "first_us": pa.array([], pa.int64()),
                    "last_us": pa.array([], pa.int64()),
                    "conf": pa.array([], pa.int64()),
                    "mask": pa.array([], pa.int64()),
                    "events": pa.array([], pa.int64()),
                    "refs": pa.array([], pa.list_(pa.string())),
                }
            )
        union = " UNION ALL ".join(
            "SELECT CAST(person_key AS "
            f"{key_type}) AS person_key, CAST(first_us AS BIGINT) AS first_us, "
            "CAST(last_us AS BIGINT) AS last_us, CAST(conf AS BIGINT) AS conf, "
            "CAST(mask AS BIGINT) AS mask, CAST(ref AS STRING) AS ref, "
            f"CAST(n AS BIGINT) AS n FROM ({part}) p{index}"
            for index, part in enumerate(self.parts)
        )
        refs = self.engine.first_sorted("ref", REFS_PER_PERSON)
        return self.engine.run(
            "SELECT person_key, min(first_us) AS first_us, max(last_us) AS last_us, "
            "max(conf) AS conf, bit_or(mask) AS mask, sum(n) AS events, "
            f"{refs} AS refs FROM ({union}) h GROUP BY person_key"
        )


def _bulk_part(
    hits: HitSet, copy: TableCopy, events: Sequence[BulkEvent], conf: int, mask: int
) -> str:
    """Every row that existed at one of ``events``' times; the first such event is the
    person's first access (a CASE over the sorted times), the last one their last."""
    times = [e.t_us for e in events]
    table = pa.table(
        {
            "k": pa.array(range(1, len(events) + 1), pa.int64()),
            "t_us": pa.array(times, pa.int64()),
            "ref": pa.array([e.ref for e in events], pa.string()),
        }
    )
    name = hits.register("bulk_events", table)
    steps = " ".join(f"WHEN {_existed('c', str(t))} THEN {k}" for k, t in enumerate(times, 1))
    last = times[-1]
    return (
        f"SELECT b.person_key, e.t_us AS first_us, {last} AS last_us, {conf} AS conf, "
        f"{mask} AS mask, e.ref, {len(times) + 1} - b.k AS n FROM "
        f"(SELECT c.person_key, CASE {steps} END AS k FROM {copy.name} c "
        f"WHERE c.person_key IS NOT NULL AND {_existed('c', str(last))}) b "
        f"JOIN {name} e ON e.k = b.k"
    )


def _clip(ranges: pa.Table, copy: TableCopy) -> pa.Table:
    """Ranges cut to the table's key span (open ends become its first or last key)."""
    if copy.min_key is None or copy.max_key is None:
        return ranges.slice(0, 0)
    lo = pc.max_element_wise(ranges.column("lo"), pa.scalar(copy.min_key, pa.int64()))
    hi = pc.min_element_wise(ranges.column("hi"), pa.scalar(copy.max_key, pa.int64()))
    keep = pc.less_equal(lo, hi)
    clipped = pa.table({"q": ranges.column("q"), "lo": lo, "hi": hi})
    return clipped.filter(keep)


__all__ = ["EVENT_SCHEMA", "HIT_FIELDS", "BulkEvent", "HitSet"]
