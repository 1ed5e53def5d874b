"""Stored alerts: insert or update by id, read back most severe first.

Kept apart from the detectors (Ibis, pyarrow) so that listing alerts, in the CLI or the web,
loads the store and nothing of the analytics engines.
"""

from __future__ import annotations

from sqlalchemy import select

from breachdesk.model import Alert, Severity
from breachdesk.store import Store
from breachdesk.store.tables import Alert as AlertRow


def store_alerts(store: Store, alerts: list[Alert]) -> int:
    """Insert or update ``alerts`` (by id); returns how many were new."""
    created = 0
    with store.session() as session:
        for alert in alerts:
            row = session.get(AlertRow, alert.id)
            if row is None:
                row = AlertRow(id=alert.id)
                session.add(row)
                created += 1
            row.severity = str(alert.severity)
            row.detectors = list(alert.detectors)
            row.principals = list(alert.principals)
            row.src_ips = list(alert.src_ips)
            row.start = alert.start
            row.end = alert.end
            row.events = alert.events
            row.objects = alert.objects
            row.evidence_query = alert.evidence_query
    return created


def read_alerts(store: Store) -> list[Alert]:
    """Every stored alert, most severe first, then by start."""
    with store.session() as session:
        rows = session.scalars(select(AlertRow)).all()
        alerts = [alert_from_row(row) for row in rows]
    return sorted(alerts, key=lambda a: (-a.severity.rank, a.start, a.id))


def alert_from_row(row: AlertRow) -> Alert:
    """The alert a stored row holds."""
    return Alert(
        id=row.id,
        severity=Severity(row.severity),
        detectors=tuple(row.detectors),
        principals=tuple(row.principals),
        src_ips=tuple(row.src_ips),
        start=row.start,
        end=row.end,
        events=row.events,
        objects=row.objects,
        evidence_query=row.evidence_query,
    )
