from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from breachdesk.errors import UserInputError
from breachdesk.incident import (
    IncidentClosed,
    UnknownIncident,
    add_entry,
    add_evidence,
    apply_playbook,
    close_incident,
    list_incidents,
    open_incident,
    show_incident,
    update_incident,
    update_task,
    verify_evidence,
)
from breachdesk.incident.timeline import list_entries
from breachdesk.model.incident import CsfFunction, Status, TaskStatus, TimelineKind
from breachdesk.store import verify_audit_chain
from breachdesk.store.tables import Alert, AuditEntry
from breachdesk.workspace import Workspace

from .conftest import T0, add_alert

SHIPPED = "customer-data-exfiltration"


def _audit(ws: Workspace) -> list[AuditEntry]:
    with ws.store.session() as session:
        assert verify_audit_chain(session) is None
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_open_from_alert_fills_timeline_and_claims_alert(workspace: Workspace) -> None:
    add_alert(workspace, principals=("agent:jmartin", "svc:<b>x</b>"))
    case = open_incident(workspace, title="  Bulk   read ", actor="alice", alert_ids=["A1"])
    assert case.id.startswith("INC-")
    assert case.summary.title == "Bulk read"
    assert case.alert_ids == ("A1",)
    assert case.summary.status is Status.OPEN
    assert case.summary.function is CsfFunction.DETECT
    entries = list_entries(workspace, case.id)
    assert [e.kind for e in entries] == [TimelineKind.FIRST_EVENT, TimelineKind.LAST_EVENT]
    assert entries[0].at == T0
    assert entries[1].at == T0 + timedelta(hours=2)
    assert "agent:jmartin" in entries[0].text
    assert "203.0.113.9" in entries[1].text
    with workspace.store.session() as session:
        assert session.get(Alert, "A1").incident_id == case.id  # type: ignore[union-attr]
    assert [a.action for a in _audit(workspace)] == ["incident.open"]


def test_open_refuses_unknown_or_taken_alert(workspace: Workspace) -> None:
    add_alert(workspace)
    with pytest.raises(UserInputError, match="no alert 'nope'"):
        open_incident(workspace, title="t", actor="a", alert_ids=["nope"])
    first = open_incident(workspace, title="t", actor="a", alert_ids=["A1"])
    with pytest.raises(UserInputError, match=f"already belongs to incident {first.id}"):
        open_incident(workspace, title="t2", actor="a", alert_ids=["A1"])


def test_ids_are_sequential_per_year(workspace: Workspace) -> None:
    ids = [open_incident(workspace, title=f"t{n}", actor="a").id for n in range(3)]
    year = ids[0].split("-")[1]
    assert ids == [f"INC-{year}-0001", f"INC-{year}-0002", f"INC-{year}-0003"]
    assert [s.id for s in list_incidents(workspace)] == list(reversed(ids))


def test_update_records_history_with_who_and_why(workspace: Workspace) -> None:
    case = open_incident(workspace, title="t", actor="alice")
    aware = T0 + timedelta(hours=5)
    case = update_incident(
        workspace,
        case.id,
        actor="bob",
        status=Status.INVESTIGATING,
        function=CsfFunction.RESPOND,
        aware_at=aware,
        aware_reason="logs show customer emails read in bulk",
    )
    assert case.summary.status is Status.INVESTIGATING
    assert case.summary.version == 2
    assert case.awareness is not None
    assert case.awareness.at == aware
    assert case.awareness.set_by == "bob"
    assert case.awareness.reason == "logs show customer emails read in bulk"
    fields = [(h.field, h.old, h.new, h.actor) for h in case.history]
    assert ("status", "open", "investigating", "bob") in fields
    assert ("function", "detect", "respond", "bob") in fields
    assert ("aware_at", None, "2026-11-03T06:00:00Z", "bob") in fields
    # Moving aware_at later keeps the earlier value in the history.
    case = update_incident(
        workspace, case.id, actor="carol", aware_at=aware + timedelta(hours=1), aware_reason="dpo"
    )
    assert case.awareness is not None
    assert case.awareness.set_by == "carol"
    assert [h.old for h in case.history if h.field == "aware_at"] == [
        None,
        "2026-11-03T06:00:00Z",
    ]
    actions = [a.action for a in _audit(workspace)]
    assert actions == ["incident.open", "incident.update", "incident.update"]


def test_update_with_nothing_changed_writes_nothing(workspace: Workspace) -> None:
    case = open_incident(workspace, title="t", actor="alice")
    again = update_incident(workspace, case.id, actor="bob", status=Status.OPEN)
    assert again.summary.version == case.summary.version
    assert len(_audit(workspace)) == 1


def test_awareness_needs_a_reason(workspace: Workspace) -> None:
    with pytest.raises(UserInputError, match="--aware-reason"):
        open_incident(workspace, title="t", actor="a", aware_at=T0)
    case = open_incident(workspace, title="t", actor="a")
    with pytest.raises(UserInputError, match="--aware-reason"):
        update_incident(workspace, case.id, actor="a", aware_at=T0, aware_reason="  ")
    with pytest.raises(UserInputError, match="nothing to update"):
        update_incident(workspace, case.id, actor="a")


def test_containment_goes_on_the_timeline(workspace: Workspace) -> None:
    case = open_incident(workspace, title="t", actor="a")
    contained = T0 + timedelta(hours=3)
    case = update_incident(workspace, case.id, actor="bob", contained_at=contained)
    assert case.summary.contained_at == contained
    entries = list_entries(workspace, case.id, kinds=[TimelineKind.CONTAINMENT])
    assert [(e.at, e.actor) for e in entries] == [(contained, "bob")]


def test_closed_incident_refuses_changes_until_reopened(workspace: Workspace) -> None:
    case = open_incident(workspace, title="t", actor="a")
    closed = close_incident(workspace, case.id, actor="a")
    assert closed.summary.status is Status.CLOSED
    assert closed.summary.closed_at is not None
    with pytest.raises(IncidentClosed):
        close_incident(workspace, case.id, actor="a")
    with pytest.raises(IncidentClosed, match="reopen"):
        update_incident(workspace, case.id, actor="a", function=CsfFunction.RECOVER)
    reopened = update_incident(workspace, case.id, actor="a", status=Status.INVESTIGATING)
    assert reopened.summary.closed_at is None
    assert list_incidents(workspace, status=Status.CLOSED) == []


def test_unknown_incident_is_a_user_error(workspace: Workspace) -> None:
    with pytest.raises(UnknownIncident, match="no incident 'INC-0000-0000'") as info:
        show_incident(workspace, "INC-0000-0000")
    assert info.value.exit_code == 2
    with pytest.raises(UnknownIncident):
        update_incident(workspace, "INC-0000-0000", actor="a", status=Status.CONTAINED)
    with pytest.raises(UnknownIncident):
        list_entries(workspace, "INC-0000-0000")


def test_closed_incident_accepts_only_custody_checks(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    case = open_incident(sqlite_workspace, title="t", actor="a", playbook=SHIPPED)
    source = tmp_path / "a.log"
    source.write_text("x")
    add_evidence(sqlite_workspace, case.id, source, actor="a")
    close_incident(sqlite_workspace, case.id, actor="a")
    for attempt in (
        lambda: add_entry(sqlite_workspace, case.id, at=T0, text="late", actor="a"),
        lambda: update_task(sqlite_workspace, case.id, "notify", actor="a", status=TaskStatus.DONE),
        lambda: add_evidence(sqlite_workspace, case.id, source, actor="a"),
        lambda: apply_playbook(sqlite_workspace, case.id, SHIPPED, actor="a"),
    ):
        with pytest.raises(IncidentClosed, match="is closed; reopen it first"):
            attempt()
    assert verify_evidence(sqlite_workspace, case.id, actor="a").ok
