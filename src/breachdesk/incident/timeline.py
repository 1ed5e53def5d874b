"""The incident timeline: what happened and what the team did, in time order.

Entries come from alerts (the first and last malicious event of each, with its principals
and addresses), from analysts, from containment actions, from changes of the case and from
evidence handling. Alert text is attacker-controlled and is stored as given; every view
escapes it for its medium.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.errors import UserInputError
from breachdesk.incident.errors import UnknownIncident
from breachdesk.incident.mutation import Outcome, check_actor, mutate_incident
from breachdesk.incident.times import iso
from breachdesk.model.incident import TimelineItem, TimelineKind
from breachdesk.store.tables import Alert, Incident, TimelineEntry
from breachdesk.workspace import Workspace

MAX_TEXT = 10_000
_LISTED = 10
# What analysts may add by hand; the other kinds come from the case itself.
MANUAL_KINDS = (TimelineKind.ANALYST, TimelineKind.CONTAINMENT)


def alert_entries(alert: Alert, incident_id: str, actor: str) -> list[TimelineEntry]:
    """The first and last malicious event of ``alert`` as two timeline entries."""
    who = _listing("principal", alert.principals)
    where = _listing("address", alert.src_ips)
    detectors = ", ".join(alert.detectors) or "detector unknown"
    scale = f"{alert.events:,} events, {alert.objects:,} objects"
    common = f"alert {alert.id} ({alert.severity}; {detectors}): {who}; {where}; {scale}"
    ref = f"alert:{alert.id}"
    return [
        TimelineEntry(
            incident_id=incident_id,
            at=alert.start,
            kind=TimelineKind.FIRST_EVENT.value,
            text=f"First malicious event of {common}",
            actor=actor,
            source_ref=ref,
        ),
        TimelineEntry(
            incident_id=incident_id,
            at=alert.end,
            kind=TimelineKind.LAST_EVENT.value,
            text=f"Last malicious event of {common}",
            actor=actor,
            source_ref=ref,
        ),
    ]


def add_entry(
    workspace: Workspace,
    incident_id: str,
    *,
    at: datetime,
    text: str,
    actor: str,
    kind: TimelineKind = TimelineKind.ANALYST,
    now: datetime | None = None,
) -> TimelineItem:
    """Add an analyst's (or a containment action's) entry to the timeline."""
    actor = check_actor(actor)
    if kind not in MANUAL_KINDS:
        allowed = ", ".join(k.value for k in MANUAL_KINDS)
        raise UserInputError(f"timeline entries added by hand are of kind {allowed}")
    body = text.strip()
    if not body:
        raise UserInputError("the timeline entry is empty; pass --text TEXT")
    if len(body) > MAX_TEXT:
        raise UserInputError(f"the timeline entry is longer than {MAX_TEXT:,} characters")

    def change(session: Session, row: Incident, when: datetime) -> Outcome[TimelineEntry]:
        entry = TimelineEntry(
            incident_id=row.id,
            at=at,
            kind=kind.value,
            text=body,
            actor=actor,
            source_ref=f"{kind.value}:{actor}",
            created_at=when,
        )
        session.add(entry)
        detail = {"kind": kind.value, "at": iso(at), "text": body[:500]}
        return Outcome(entry, "incident.timeline.add", detail)

    entry = mutate_incident(workspace.store, incident_id, change, actor=actor, now=now)
    return item_of(entry)


def list_entries(
    workspace: Workspace,
    incident_id: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    kinds: Sequence[TimelineKind] = (),
) -> list[TimelineItem]:
    """The incident's entries in time order, narrowed by time window and kinds."""
    if since is not None and until is not None and since > until:
        raise UserInputError("--since is after --until")
    with workspace.store.session() as session:
        return entries_of(session, incident_id, since=since, until=until, kinds=kinds)


def entries_of(
    session: Session,
    incident_id: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    kinds: Sequence[TimelineKind] = (),
) -> list[TimelineItem]:
    if session.get(Incident, incident_id) is None:
        raise UnknownIncident(incident_id)
    query = select(TimelineEntry).where(TimelineEntry.incident_id == incident_id)
    if since is not None:
        query = query.where(TimelineEntry.at >= since)
    if until is not None:
        query = query.where(TimelineEntry.at <= until)
    if kinds:
        query = query.where(TimelineEntry.kind.in_([k.value for k in kinds]))
    query = query.order_by(TimelineEntry.at, TimelineEntry.id)
    return [item_of(row) for row in session.scalars(query)]


def item_of(row: TimelineEntry) -> TimelineItem:
    return TimelineItem(
        id=row.id,
        incident_id=row.incident_id,
        at=row.at,
        kind=TimelineKind(row.kind),
        text=row.text,
        actor=row.actor,
        source_ref=row.source_ref,
    )


def _listing(noun: str, values: Iterable[str]) -> str:
    items = list(values)
    if not items:
        return f"no {noun} recorded"
    shown = ", ".join(items[:_LISTED])
    more = f" and {len(items) - _LISTED:,} more" if len(items) > _LISTED else ""
    plural = noun + ("es" if noun.endswith("s") else "s") if len(items) > 1 else noun
    return f"{plural} {shown}{more}"
