from __future__ import annotations

from datetime import timedelta

from breachdesk.incident import clock_text, list_incidents, open_incident, show_incident
from breachdesk.store.tables import Obligation
from breachdesk.workspace import Workspace

from .conftest import T0


def _obligation(
    ws: Workspace,
    incident: str,
    hours: int | None,
    status: str = "open",
    *,
    required: bool = True,
    recipient: str = "authority",
) -> None:
    with ws.store.session() as session:
        session.add(
            Obligation(
                incident_id=incident,
                jurisdiction="EU-GDPR",
                recipient=recipient,
                required=required,
                reason="r",
                deadline_at=None if hours is None else T0 + timedelta(hours=hours),
                deadline_text="without undue delay" if hours is None else "",
                citation="GDPR Art. 33(1)",
                content=[],
                status=status,
            )
        )


def test_no_obligations_no_clock(workspace: Workspace) -> None:
    incident = open_incident(workspace, title="t", actor="a").id
    assert show_incident(workspace, incident).summary.clock is None
    _obligation(workspace, incident, None)  # no deadline: nothing to count down
    _obligation(workspace, incident, 10, required=False)
    assert show_incident(workspace, incident).summary.clock is None


def test_clock_shows_the_nearest_open_deadline(workspace: Workspace) -> None:
    incident = open_incident(workspace, title="t", actor="a").id
    _obligation(workspace, incident, 24, status="sent", recipient="individuals")
    _obligation(workspace, incident, 72)
    _obligation(workspace, incident, 96, recipient="credit agencies")
    clock = show_incident(workspace, incident, now=T0 + timedelta(hours=30)).summary.clock
    assert clock is not None
    assert (clock.recipient, clock.seconds_left, clock.open_obligations) == (
        "authority",
        42 * 3600,
        2,
    )
    assert not clock.overdue
    assert clock_text(clock) == (
        "1d 18h left: EU-GDPR authority (GDPR Art. 33(1)), due 2026-11-06T01:00:00Z; "
        "1 more open obligation"
    )
    late = list_incidents(workspace, now=T0 + timedelta(hours=75))[0].clock
    assert late is not None
    assert late.overdue
    assert clock_text(late).startswith("OVERDUE by 3h 0m: EU-GDPR authority")
