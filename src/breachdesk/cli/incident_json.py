"""The ``--json`` shapes of ``breachdesk incident`` verbs (documented in docs/incident.md)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from breachdesk.model.incident import Deadline, IncidentCase, IncidentSummary


def plain(value: Any) -> Any:
    """Dataclasses, enums and datetimes as JSON-ready values (times ISO 8601 UTC)."""
    if isinstance(value, datetime):
        from breachdesk.incident import iso

        return iso(value)
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def clock_json(deadline: Deadline | None) -> dict[str, Any] | None:
    from breachdesk.incident import clock_text

    if deadline is None:
        return None
    return {**plain(deadline), "overdue": deadline.overdue, "text": clock_text(deadline)}


def summary_json(summary: IncidentSummary) -> dict[str, Any]:
    data = plain(summary)
    data["clock"] = clock_json(summary.clock)
    return dict(data)


def case_json(case: IncidentCase) -> dict[str, Any]:
    from breachdesk.incident import iso

    data = summary_json(case.summary)
    aware = case.awareness
    data.update(
        {
            "description": case.description,
            "aware_set_by": aware.set_by if aware else None,
            "aware_reason": aware.reason if aware else None,
            "aware_recorded_at": iso(aware.set_at) if aware else None,
            "alerts": list(case.alert_ids),
            "counts": dict(case.counts),
            "history": plain(case.history),
        }
    )
    return data
