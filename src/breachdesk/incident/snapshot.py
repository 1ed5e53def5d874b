"""One consistent read of an incident for exports and reports.

Scope is summarised as counts (persons per category and per country), never identities:
exports and reports go to regulators, insurers and police, who get numbers, not people.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import func, select

from breachdesk.incident.cases import load_case
from breachdesk.incident.evidence import custody_of, evidence_of
from breachdesk.incident.tasks import tasks_of
from breachdesk.incident.timeline import entries_of
from breachdesk.model.incident import AlertView, IncidentSnapshot, ObligationView, ScopeSummary
from breachdesk.store.tables import AffectedPerson, Alert, Notice, Obligation
from breachdesk.workspace import Workspace


def take_snapshot(
    workspace: Workspace, incident_id: str, *, now: datetime | None = None
) -> IncidentSnapshot:
    """Everything about the incident, read in one transaction."""
    when = now or datetime.now(UTC)
    folder = workspace.path("evidence")
    with workspace.store.session() as session:
        case = load_case(session, incident_id, when)
        alerts = tuple(
            AlertView(
                id=a.id,
                severity=a.severity,
                detectors=tuple(a.detectors),
                principals=tuple(a.principals),
                src_ips=tuple(a.src_ips),
                start=a.start,
                end=a.end,
                events=a.events,
                objects=a.objects,
            )
            for a in session.scalars(
                select(Alert).where(Alert.incident_id == incident_id).order_by(Alert.start)
            )
        )
        categories: Counter[str] = Counter()
        countries: Counter[str] = Counter()
        combinations: Counter[tuple[str, ...]] = Counter()
        persons = 0
        rows = session.execute(
            select(AffectedPerson.categories, AffectedPerson.country).where(
                AffectedPerson.incident_id == incident_id
            )
        )
        for person_categories, country in rows:
            persons += 1
            lost = tuple(sorted(set(person_categories)))
            categories.update(lost)
            combinations[lost] += 1
            countries[country or "unknown"] += 1
        obligations = tuple(
            ObligationView(
                id=o.id,
                jurisdiction=o.jurisdiction,
                recipient=o.recipient,
                required=o.required,
                reason=o.reason,
                deadline_at=o.deadline_at,
                deadline_text=o.deadline_text,
                citation=o.citation,
                status=o.status,
            )
            for o in session.scalars(
                select(Obligation)
                .where(Obligation.incident_id == incident_id)
                .order_by(Obligation.deadline_at, Obligation.id)
            )
        )
        notices = {
            str(state): int(count)
            for state, count in session.execute(
                select(Notice.state, func.count())
                .where(Notice.incident_id == incident_id)
                .group_by(Notice.state)
            )
        }
        return IncidentSnapshot(
            case=case,
            controller_name=workspace.settings.controller.name,
            controller_country=workspace.settings.controller.country,
            alerts=alerts,
            timeline=tuple(entries_of(session, incident_id)),
            tasks=tuple(tasks_of(session, incident_id)),
            evidence=tuple(evidence_of(session, incident_id, folder)),
            custody=tuple(custody_of(session, incident_id)),
            scope=ScopeSummary(
                persons=persons,
                categories=dict(categories.most_common()),
                countries=dict(countries.most_common()),
                combinations=tuple(combinations.most_common()),
            ),
            obligations=obligations,
            notices=notices,
            taken_at=when,
        )
