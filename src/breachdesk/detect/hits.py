"""Hits: what one detector saw one principal do in one span of time, and how strongly.

Every detector returns a table of this shape; alerts are built by merging hits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import ibis
import ibis.expr.types as ir
import pyarrow as pa

# 1: a weak signal (new network, unusual hour); 2: suspicious on its own; 3: strong evidence.
WEAK, SUSPICIOUS, STRONG = 1, 2, 3

HIT_COLUMNS = ("detector", "principal", "start", "end", "events", "strength", "reason")


@dataclass(frozen=True)
class Hit:
    detector: str
    principal: str
    start: datetime
    end: datetime
    events: int
    strength: int
    reason: str


def hit_table(
    rows: ir.Table,
    detector: str,
    *,
    strength: ir.IntegerValue | int,
    reason: ir.StringValue | str,
) -> ir.Table:
    """``rows`` (with principal, start, end, events) in the hit shape."""
    return rows.select(
        detector=ibis.literal(detector),
        principal=rows.principal,
        start=rows.start,
        end=rows.end,
        events=rows.events.cast("int64"),
        strength=ibis.literal(strength).cast("int64")
        if isinstance(strength, int)
        else strength.cast("int64"),
        reason=ibis.literal(reason) if isinstance(reason, str) else reason,
    )


def hourly(flagged: ir.Table, **extra: ir.Value) -> ir.Table:
    """Flagged rows summarised per principal and hour (start, end, events, and ``extra``)."""
    return flagged.group_by(["principal", "hour"]).aggregate(
        start=flagged.time.min(),
        end=flagged.time.max(),
        events=flagged.count(),
        **extra,
    )


def as_text(value: ir.Value) -> ir.StringValue:
    """A number as text the same way on every engine (integers only, so no float formatting)."""
    return value.cast("int64").cast("string")


def hits_from_arrow(table: pa.Table) -> list[Hit]:
    return [
        Hit(
            detector=row["detector"],
            principal=row["principal"],
            start=row["start"],
            end=row["end"],
            events=int(row["events"]),
            strength=int(row["strength"]),
            reason=row["reason"] or "",
        )
        for row in table.select(list(HIT_COLUMNS)).to_pylist()
    ]
