"""Changing an incident safely while other people (other processes) change it too.

Each change runs in one transaction that reads the incident, applies the change, and writes
the incident row back with an optimistic version check (``incidents.version``). When another
writer committed in between, the check fails, the whole transaction rolls back and the change
runs again on fresh data: no update is lost and the history never records a stale "from".
The audit entry is written after the version check, in the same transaction.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from breachdesk.errors import UserInputError
from breachdesk.incident.errors import IncidentBusy, IncidentClosed, UnknownIncident
from breachdesk.store import Store, record_audit
from breachdesk.store.tables import Incident

T = TypeVar("T")

_ATTEMPTS = 40


@dataclass
class Outcome(Generic[T]):
    """What a change produced; ``action`` None means nothing changed (nothing is written)."""

    value: T
    action: str | None
    detail: dict[str, Any] = field(default_factory=dict)


Change = Callable[[Session, Incident, datetime], Outcome[T]]


def mutate_incident(
    store: Store,
    incident_id: str,
    change: Change[T],
    *,
    actor: str,
    now: datetime | None = None,
    allow_closed: bool = False,
) -> T:
    """Run ``change`` on the incident until it commits without a concurrent write in between.

    ``change`` gets the session, the incident row and the time of the change; it must not
    write the audit log itself (this function does, after the version check). A closed
    incident refuses changes unless ``allow_closed`` (reopening, custody checks).
    """
    for attempt in range(_ATTEMPTS):
        try:
            with store.session() as session:
                row = session.get(Incident, incident_id)
                if row is None:
                    raise UnknownIncident(incident_id)
                if row.status == "closed" and not allow_closed:
                    raise IncidentClosed(
                        f"incident {incident_id} is closed; reopen it first "
                        f"(breachdesk incident update {incident_id} --status investigating)"
                    )
                when = (now or datetime.now(UTC)).astimezone(UTC)
                with session.no_autoflush:
                    outcome = change(session, row, when)
                if outcome.action is None:
                    session.rollback()
                    return outcome.value
                row.updated_at = when
                # The UPDATE ... WHERE version = <read version>: StaleDataError if overtaken.
                session.flush()
                record_audit(
                    session,
                    actor=actor,
                    action=outcome.action,
                    target=f"incident:{incident_id}",
                    detail=outcome.detail,
                    at=when,
                )
            return outcome.value
        except (StaleDataError, IntegrityError):
            # Overtaken (or a unique row inserted meanwhile): the next attempt sees it.
            pass
        except OperationalError as exc:
            if "locked" not in str(exc.orig):
                raise
        # Back off a little, more each time, so two writers stop colliding in lockstep.
        time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
    raise IncidentBusy(
        f"incident {incident_id} kept being changed by others ({_ATTEMPTS} attempts); "
        "nothing was written, try again"
    )


def audit_only(
    store: Store, *, actor: str, action: str, target: str, detail: dict[str, Any]
) -> None:
    """Record an audit entry that changes no incident (exports, reports)."""
    with store.session() as session:
        record_audit(session, actor=actor, action=action, target=target, detail=detail)


def check_actor(actor: str) -> str:
    """The actor name, trimmed; UserInputError when empty or too long for the store."""
    name = actor.strip()
    if not name:
        raise UserInputError("the actor name is empty; pass --actor NAME")
    if len(name) > 120:
        raise UserInputError("the actor name is longer than 120 characters")
    return name
