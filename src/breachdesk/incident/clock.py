"""The regulatory clock: time left to the nearest open obligation deadline of an incident.

Obligations come from the law stage; while an incident has none with a deadline, there is
no clock and views show nothing (rather than a guess).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.incident.times import duration_text, iso
from breachdesk.model.incident import Deadline
from breachdesk.store.tables import Obligation

# Obligation states that no longer run against a deadline.
FINISHED = frozenset(
    {"done", "met", "sent", "notified", "closed", "cancelled", "withdrawn", "not-required"}
)


def nearest_deadline(session: Session, incident_id: str, *, now: datetime) -> Deadline | None:
    """The open, required obligation with the earliest deadline (overdue ones included)."""
    rows = [
        row
        for row in session.scalars(
            select(Obligation).where(
                Obligation.incident_id == incident_id,
                Obligation.required.is_(True),
                Obligation.deadline_at.is_not(None),
            )
        )
        if row.status.lower() not in FINISHED
    ]
    if not rows:
        return None
    first = min(rows, key=lambda r: (r.deadline_at, r.id))
    assert first.deadline_at is not None
    return Deadline(
        obligation_id=first.id,
        jurisdiction=first.jurisdiction,
        recipient=first.recipient,
        deadline_at=first.deadline_at,
        deadline_text=first.deadline_text,
        citation=first.citation,
        seconds_left=int((first.deadline_at - now).total_seconds()),
        open_obligations=len(rows),
    )


def clock_text(deadline: Deadline) -> str:
    """``41h 12m left: GDPR authority (Art. 33), due 2026-11-06T09:00:00Z`` or ``OVERDUE …``."""
    span = duration_text(deadline.seconds_left)
    state = f"OVERDUE by {span}" if deadline.overdue else f"{span} left"
    what = f"{deadline.jurisdiction} {deadline.recipient}"
    cite = f" ({deadline.citation})" if deadline.citation else ""
    more = deadline.open_obligations - 1
    tail = f"; {more} more open obligation{'s' * (more != 1)}" if more > 0 else ""
    return f"{state}: {what}{cite}, due {iso(deadline.deadline_at)}{tail}"
