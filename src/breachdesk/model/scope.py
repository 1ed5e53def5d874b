"""What scope hands to later stages: who was affected, how sure we are, and why.

``persons`` is an Arrow table (one row per person, ``PERSONS_SCHEMA``); the rest are counts
and the reasons behind every part of the scope that is not exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import pyarrow as pa


class Confidence(StrEnum):
    """How sure scope is that a person's record left the house.

    ``exact``: the log names the record (object read, replayed statement, full copy);
    ``inferred``: rebuilt from what the request asked for (list pages, searches);
    ``conservative``: could not be resolved, so everyone it could have reached is included.
    """

    EXACT = "exact"
    INFERRED = "inferred"
    CONSERVATIVE = "conservative"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @classmethod
    def of_rank(cls, rank: int) -> Confidence:
        return _BY_RANK[rank]


_RANKS = {Confidence.EXACT: 3, Confidence.INFERRED: 2, Confidence.CONSERVATIVE: 1}
_BY_RANK = {rank: c for c, rank in _RANKS.items()}


PERSONS_SCHEMA = pa.schema(
    [
        pa.field("key", pa.string(), nullable=False),
        pa.field("categories", pa.list_(pa.string())),
        pa.field("country", pa.string()),
        pa.field("subdivision", pa.string()),
        pa.field("region", pa.string()),
        pa.field("language", pa.string()),
        pa.field("confidence", pa.string(), nullable=False),
        pa.field("first_access", pa.timestamp("us", tz="UTC")),
        pa.field("last_access", pa.timestamp("us", tz="UTC")),
        pa.field("events", pa.int64()),
        pa.field("refs", pa.list_(pa.string())),
        pa.field("email", pa.string()),
        pa.field("name", pa.string()),
        pa.field("postal_code", pa.string()),
    ]
)
"""One row per affected person. ``refs`` are evidence references (``file:line`` of events);
``email``, ``name`` and ``postal_code`` are only kept for the (encrypted) store."""


@dataclass(frozen=True)
class ScopeNote:
    """One reason part of the scope is not exact, or why events were left out.

    ``kind``: ``conservative``, ``refused-statement``, ``inferred``, ``ignored`` or
    ``mismatch``; ``refs`` are a few of the events' references.
    """

    kind: str
    reason: str
    events: int
    confidence: Confidence | None = None
    refs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "reason": self.reason,
            "events": self.events,
            "confidence": None if self.confidence is None else self.confidence.value,
            "refs": list(self.refs),
        }


@dataclass(frozen=True)
class ScopeSelection:
    """Which events were taken as malicious: the alerts or filters, and what matched."""

    alerts: tuple[str, ...]
    principals: tuple[str, ...]
    networks: tuple[str, ...]
    start: datetime | None
    end: datetime | None
    events: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "alerts": list(self.alerts),
            "principals": list(self.principals),
            "networks": list(self.networks),
            "start": None if self.start is None else self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "events": self.events,
        }


@dataclass(frozen=True)
class ScopeReport:
    """The result of one scope run of an incident."""

    incident_id: str
    engine: str
    selection: ScopeSelection
    persons: pa.Table
    by_category: dict[str, int]
    by_jurisdiction: dict[str, int]
    by_country: dict[str, int]
    by_confidence: dict[str, int]
    notes: tuple[ScopeNote, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)
    run_id: int | None = None

    @property
    def affected(self) -> int:
        return int(self.persons.num_rows)

    def summary_json(self) -> dict[str, object]:
        """The documented ``--json`` summary of ``breachdesk scope``."""
        return {
            "incident": self.incident_id,
            "affected": self.affected,
            "by_category": dict(self.by_category),
            "by_jurisdiction": dict(self.by_jurisdiction),
            "by_confidence": dict(self.by_confidence),
        }
