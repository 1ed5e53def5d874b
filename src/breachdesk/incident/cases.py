"""The case: open, list, show, update and close incidents, with the history of key facts.

Status and CSF 2.0 function changes, ``aware_at`` (who set it and why) and containment are
each recorded as an ``IncidentChange`` and a timeline entry, and audited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from breachdesk.errors import StoreError, UserInputError
from breachdesk.incident.clock import nearest_deadline
from breachdesk.incident.errors import IncidentClosed, UnknownIncident
from breachdesk.incident.mutation import Outcome, check_actor, mutate_incident
from breachdesk.incident.playbooks import find_playbook
from breachdesk.incident.tasks import add_playbook_tasks
from breachdesk.incident.timeline import alert_entries
from breachdesk.incident.times import iso
from breachdesk.model.incident import (
    Awareness,
    Change,
    CsfFunction,
    IncidentCase,
    IncidentSummary,
    Status,
    TimelineKind,
)
from breachdesk.store import record_audit
from breachdesk.store.incident_tables import IncidentChange
from breachdesk.store.tables import Alert, Evidence, Incident, Task, TimelineEntry
from breachdesk.workspace import Workspace


class _AlertTaken(Exception):
    """An alert was attached to another incident between our read and our write."""


_ID_PATTERN = re.compile(r"INC-(\d{4})-(\d{4,})")
_OPEN_ATTEMPTS = 20


def open_incident(
    workspace: Workspace,
    *,
    title: str,
    actor: str,
    alert_ids: Sequence[str] = (),
    aware_at: datetime | None = None,
    aware_reason: str | None = None,
    description: str = "",
    playbook: str | None = None,
    now: datetime | None = None,
) -> IncidentCase:
    """Open an incident; alerts are attached and their first and last events put on the
    timeline; a playbook's steps become tasks. Returns the new case."""
    actor = check_actor(actor)
    title = _check_title(title)
    _check_awareness(aware_at, aware_reason)
    book = find_playbook(workspace.root, playbook) if playbook else None
    wanted = list(dict.fromkeys(alert_ids))
    store = workspace.store
    for _ in range(_OPEN_ATTEMPTS):
        when = (now or datetime.now(UTC)).astimezone(UTC)
        try:
            with store.session() as session:
                alerts = _free_alerts(session, wanted)
                incident_id = _next_id(session, when)
                row = Incident(
                    id=incident_id,
                    title=title,
                    summary=description,
                    status=Status.OPEN.value,
                    csf_function=CsfFunction.DETECT.value,
                    aware_at=aware_at,
                    created_at=when,
                    updated_at=when,
                )
                session.add(row)
                session.flush()
                _claim_alerts(session, incident_id, alerts)
                _record(session, incident_id, when, actor, "status", None, Status.OPEN.value)
                _record(
                    session, incident_id, when, actor, "function", None, CsfFunction.DETECT.value
                )
                if aware_at is not None:
                    _set_awareness(session, row, when, actor, aware_at, aware_reason or "")
                for alert in alerts:
                    session.add_all(alert_entries(alert, incident_id, actor))
                tasks = add_playbook_tasks(session, row, book, when) if book else []
                session.flush()
                record_audit(
                    session,
                    actor=actor,
                    action="incident.open",
                    target=f"incident:{incident_id}",
                    detail={
                        "title": title,
                        "alerts": [a.id for a in alerts],
                        "aware_at": iso(aware_at),
                        "aware_reason": aware_reason,
                        "playbook": book.name if book else None,
                        "tasks": len(tasks),
                    },
                    at=when,
                )
        except (IntegrityError, _AlertTaken):
            # Another process took the same id (or an alert) first: try again from scratch;
            # the next attempt reports an alert that now belongs to another incident.
            continue
        return show_incident(workspace, incident_id)
    raise StoreError("could not allocate an incident id; too many concurrent opens")


def list_incidents(
    workspace: Workspace, *, status: Status | None = None, now: datetime | None = None
) -> list[IncidentSummary]:
    """Incidents, newest first; each with its clock when obligations exist."""
    when = now or datetime.now(UTC)
    with workspace.store.session() as session:
        query = select(Incident).order_by(Incident.created_at.desc(), Incident.id.desc())
        if status is not None:
            query = query.where(Incident.status == status.value)
        alert_counts = dict(
            session.execute(
                select(Alert.incident_id, func.count())
                .where(Alert.incident_id.is_not(None))
                .group_by(Alert.incident_id)
            ).all()
        )
        return [
            _summary(session, row, int(alert_counts.get(row.id, 0)), when)
            for row in session.scalars(query)
        ]


def show_incident(
    workspace: Workspace, incident_id: str, *, now: datetime | None = None
) -> IncidentCase:
    """The case with its awareness, alerts, history, counts and clock."""
    with workspace.store.session() as session:
        return load_case(session, incident_id, now or datetime.now(UTC))


def load_case(session: Session, incident_id: str, now: datetime) -> IncidentCase:
    row = session.get(Incident, incident_id)
    if row is None:
        raise UnknownIncident(incident_id)
    alert_ids = tuple(
        session.scalars(
            select(Alert.id).where(Alert.incident_id == incident_id).order_by(Alert.start)
        )
    )
    changes = session.scalars(
        select(IncidentChange)
        .where(IncidentChange.incident_id == incident_id)
        .order_by(IncidentChange.at, IncidentChange.id)
    ).all()
    history = tuple(
        Change(c.at, c.actor, c.field, c.old_value, c.new_value, c.reason) for c in changes
    )
    awareness = None
    aware_changes = [c for c in changes if c.field == "aware_at"]
    if row.aware_at is not None and aware_changes:
        last = aware_changes[-1]
        awareness = Awareness(row.aware_at, last.actor, last.at, last.reason)
    counts = {
        "timeline": _count(session, TimelineEntry, incident_id),
        "tasks": _count(session, Task, incident_id),
        "tasks_open": int(
            session.scalar(
                select(func.count())
                .select_from(Task)
                .where(Task.incident_id == incident_id, Task.status.in_(["open", "in-progress"]))
            )
            or 0
        ),
        "evidence": _count(session, Evidence, incident_id),
    }
    return IncidentCase(
        summary=_summary(session, row, len(alert_ids), now),
        description=row.summary,
        awareness=awareness,
        alert_ids=alert_ids,
        history=history,
        counts=counts,
    )


def update_incident(
    workspace: Workspace,
    incident_id: str,
    *,
    actor: str,
    status: Status | None = None,
    function: CsfFunction | None = None,
    aware_at: datetime | None = None,
    aware_reason: str | None = None,
    contained_at: datetime | None = None,
    title: str | None = None,
    description: str | None = None,
    now: datetime | None = None,
) -> IncidentCase:
    """Change key facts of the case; each change is recorded with who, when (and why)."""
    actor = check_actor(actor)
    if all(v is None for v in (status, function, aware_at, contained_at, title, description)):
        raise UserInputError(
            "nothing to update: give --status, --function, --aware-at, --contained-at, "
            "--title or --description"
        )
    _check_awareness(aware_at, aware_reason)
    new_title = _check_title(title) if title is not None else None

    def change(session: Session, row: Incident, when: datetime) -> Outcome[None]:
        current = Status(row.status)
        if current is Status.CLOSED and (status is None or status is Status.CLOSED):
            raise IncidentClosed(
                f"incident {row.id} is closed; reopen it first "
                f"(breachdesk incident update {row.id} --status investigating)"
            )
        changed: dict[str, Any] = {}

        def note(field: str, old: str | None, new: str | None, reason: str = "") -> None:
            _record(session, row.id, when, actor, field, old, new, reason)
            changed[field] = [old, new]

        if new_title is not None and new_title != row.title:
            note("title", row.title, new_title)
            row.title = new_title
        if description is not None and description != row.summary:
            note("description", None, None)
            row.summary = description
        if status is not None and status is not current:
            note("status", current.value, status.value)
            _case_entry(session, row.id, when, actor, f"Status {current} → {status}")
            row.status = status.value
            row.closed_at = when if status is Status.CLOSED else None
        if function is not None and function.value != row.csf_function:
            note("function", row.csf_function, function.value)
            _case_entry(
                session, row.id, when, actor, f"CSF function {row.csf_function} → {function}"
            )
            row.csf_function = function.value
        if aware_at is not None and aware_at != row.aware_at:
            changed["aware_at"] = [iso(row.aware_at), iso(aware_at)]
            _set_awareness(session, row, when, actor, aware_at, aware_reason or "")
        if contained_at is not None and contained_at != row.contained_at:
            note("contained_at", iso(row.contained_at), iso(contained_at))
            session.add(
                TimelineEntry(
                    incident_id=row.id,
                    at=contained_at,
                    kind=TimelineKind.CONTAINMENT.value,
                    text=f"Incident contained (recorded by {actor})",
                    actor=actor,
                    source_ref="case:contained_at",
                    created_at=when,
                )
            )
            row.contained_at = contained_at
        if not changed:
            return Outcome(None, None)
        detail: dict[str, Any] = {"changes": changed}
        if "aware_at" in changed:
            detail["aware_reason"] = aware_reason
        return Outcome(None, "incident.update", detail)

    mutate_incident(workspace.store, incident_id, change, actor=actor, now=now, allow_closed=True)
    return show_incident(workspace, incident_id, now=now)


def close_incident(
    workspace: Workspace, incident_id: str, *, actor: str, now: datetime | None = None
) -> IncidentCase:
    """Close the case (status ``closed``, ``closed_at`` now); a closed case cannot change."""
    actor = check_actor(actor)

    def change(session: Session, row: Incident, when: datetime) -> Outcome[None]:
        if row.status == Status.CLOSED.value:
            raise IncidentClosed(f"incident {row.id} is already closed")
        _record(session, row.id, when, actor, "status", row.status, Status.CLOSED.value)
        _case_entry(session, row.id, when, actor, f"Status {row.status} → closed")
        detail = {"changes": {"status": [row.status, Status.CLOSED.value]}}
        row.status = Status.CLOSED.value
        row.closed_at = when
        return Outcome(None, "incident.close", detail)

    mutate_incident(workspace.store, incident_id, change, actor=actor, now=now, allow_closed=True)
    return show_incident(workspace, incident_id, now=now)


def _summary(session: Session, row: Incident, alerts: int, now: datetime) -> IncidentSummary:
    return IncidentSummary(
        id=row.id,
        title=row.title,
        status=Status(row.status),
        function=CsfFunction(row.csf_function),
        aware_at=row.aware_at,
        contained_at=row.contained_at,
        closed_at=row.closed_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        alerts=alerts,
        clock=nearest_deadline(session, row.id, now=now),
    )


def _set_awareness(
    session: Session, row: Incident, when: datetime, actor: str, aware_at: datetime, reason: str
) -> None:
    _record(session, row.id, when, actor, "aware_at", iso(row.aware_at), iso(aware_at), reason)
    session.add(
        TimelineEntry(
            incident_id=row.id,
            at=aware_at,
            kind=TimelineKind.CASE.value,
            text=f"Organisation aware that personal data was compromised: {reason}",
            actor=actor,
            source_ref="case:aware_at",
            created_at=when,
        )
    )
    row.aware_at = aware_at


def _record(
    session: Session,
    incident_id: str,
    when: datetime,
    actor: str,
    field: str,
    old: str | None,
    new: str | None,
    reason: str = "",
) -> None:
    session.add(
        IncidentChange(
            incident_id=incident_id,
            at=when,
            actor=actor,
            field=field,
            old_value=old,
            new_value=new,
            reason=reason,
        )
    )


def _case_entry(session: Session, incident_id: str, when: datetime, actor: str, text: str) -> None:
    session.add(
        TimelineEntry(
            incident_id=incident_id,
            at=when,
            kind=TimelineKind.CASE.value,
            text=text,
            actor=actor,
            source_ref="case",
            created_at=when,
        )
    )


def _free_alerts(session: Session, wanted: list[str]) -> list[Alert]:
    alerts: list[Alert] = []
    for alert_id in wanted:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise UserInputError(f"no alert {alert_id!r}; 'breachdesk status' counts the alerts")
        if alert.incident_id is not None:
            raise UserInputError(
                f"alert {alert_id!r} already belongs to incident {alert.incident_id}"
            )
        alerts.append(alert)
    return alerts


def _claim_alerts(session: Session, incident_id: str, alerts: list[Alert]) -> None:
    for alert in alerts:
        claimed = session.execute(
            update(Alert)
            .where(Alert.id == alert.id, Alert.incident_id.is_(None))
            .values(incident_id=incident_id)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 1) != 1:
            raise _AlertTaken(alert.id)
        alert.incident_id = incident_id


def _next_id(session: Session, when: datetime) -> str:
    prefix = f"INC-{when.year:04d}-"
    ids = session.scalars(select(Incident.id).where(Incident.id.like(f"{prefix}%")))
    numbers = [int(m.group(2)) for i in ids if (m := _ID_PATTERN.fullmatch(i))]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _count(session: Session, table: type[TimelineEntry | Task | Evidence], incident_id: str) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(table).where(table.incident_id == incident_id)
        )
        or 0
    )


def _check_title(title: str) -> str:
    value = " ".join(title.split())
    if not value:
        raise UserInputError("the incident title is empty; pass --title TEXT")
    if len(value) > 300:
        raise UserInputError("the incident title is longer than 300 characters")
    return value


def _check_awareness(aware_at: datetime | None, reason: str | None) -> None:
    if aware_at is not None and not (reason and reason.strip()):
        raise UserInputError(
            "--aware-at starts the regulatory clocks: say why with --aware-reason TEXT"
        )
    if aware_at is None and reason:
        raise UserInputError("--aware-reason needs --aware-at")
