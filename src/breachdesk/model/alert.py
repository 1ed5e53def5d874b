"""An alert: detector hits of one principal (or a few) in one time window, graded by severity.

Alerts cross stages (detect → incident → report), so they are a model type, not loose dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


@dataclass(frozen=True)
class Alert:
    """Evidence of possible extraction: who, from where, when, how much, and why."""

    id: str
    severity: Severity
    detectors: tuple[str, ...]
    principals: tuple[str, ...]
    src_ips: tuple[str, ...]
    start: datetime
    end: datetime
    events: int
    objects: int
    evidence_query: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The stable ``--json`` shape (times as ISO 8601 UTC with a ``Z``)."""
        return {
            "id": self.id,
            "severity": str(self.severity),
            "detectors": list(self.detectors),
            "principals": list(self.principals),
            "src_ips": list(self.src_ips),
            "start": iso_utc(self.start),
            "end": iso_utc(self.end),
            "events": self.events,
            "objects": self.objects,
            "evidence_query": self.evidence_query,
        }


def iso_utc(moment: datetime) -> str:
    """``moment`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
