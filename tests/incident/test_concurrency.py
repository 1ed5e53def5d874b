"""No lost update: two processes changing one incident at once, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from breachdesk.incident import open_incident, show_incident, update_incident
from breachdesk.incident.mutation import Outcome, mutate_incident
from breachdesk.model.incident import Status
from breachdesk.store import verify_audit_chain
from breachdesk.store.incident_tables import IncidentChange
from breachdesk.store.tables import AuditEntry, Incident, TimelineEntry
from breachdesk.workspace import Workspace, open_workspace

ROUNDS = 10

# Each worker alternates an analyst note (always a change) and a status change.
WORKER = """
import sys, time
from pathlib import Path
from datetime import UTC, datetime
from breachdesk.workspace import open_workspace
from breachdesk.incident import add_entry, update_incident
from breachdesk.model.incident import Status
root, incident, name, rounds = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
statuses = [Status(s) for s in sys.argv[5].split(",")]
ws = open_workspace(root)
ws.store
(root / f"ready-{name}").touch()
while not (root / "go").exists():
    time.sleep(0.002)
for n in range(rounds):
    add_entry(ws, incident, at=datetime.now(UTC), text=f"{name} note {n}", actor=name)
    update_incident(ws, incident, actor=name, status=statuses[n % len(statuses)])
ws.close()
"""


def _run_workers(ws: Workspace, incident_id: str) -> None:
    plans = {"w1": "investigating,contained", "w2": "recovering,open"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(ws.root), incident_id, name, str(ROUNDS), plan],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, plan in plans.items()
    ]
    deadline = time.monotonic() + 60
    while not all((ws.root / f"ready-{n}").exists() for n in plans):
        assert time.monotonic() < deadline, "workers did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    (ws.root / "go").touch()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err


def test_two_processes_lose_no_update(workspace: Workspace) -> None:
    case = open_incident(workspace, title="race", actor="setup")
    _run_workers(workspace, case.id)
    with workspace.store.session() as session:
        row = session.get(Incident, case.id)
        assert row is not None
        notes = session.scalars(
            select(TimelineEntry.text).where(TimelineEntry.kind == "analyst")
        ).all()
        statuses = session.scalars(
            select(IncidentChange)
            .where(IncidentChange.incident_id == case.id, IncidentChange.field == "status")
            .order_by(IncidentChange.id)
        ).all()
        audit = session.scalars(select(AuditEntry.action)).all()
        assert verify_audit_chain(session) is None
    assert len(notes) == 2 * ROUNDS
    # Each recorded change starts from the value the previous one left: no stale "from".
    for before, after in itertools.pairwise(statuses):
        assert after.old_value == before.new_value
    assert row.status == statuses[-1].new_value
    status_changes = len(statuses) - 1
    # Every committed change bumped the version exactly once, from a fresh read.
    assert row.version == 1 + 2 * ROUNDS + status_changes
    assert len(audit) == 1 + 2 * ROUNDS + status_changes


def test_stale_write_is_refused(workspace: Workspace) -> None:
    case = open_incident(workspace, title="t", actor="a")
    other = open_workspace(workspace.root)
    try:
        with workspace.store.session() as session:
            row = session.get(Incident, case.id)
            assert row is not None
            update_incident(other, case.id, actor="b", status=Status.CONTAINED)
            row.title = "written from a stale read"
            with pytest.raises(StaleDataError):
                session.flush()
            session.rollback()
    finally:
        other.close()
    assert show_incident(workspace, case.id).summary.title == "t"


def test_mutation_retries_when_overtaken(workspace: Workspace) -> None:
    case = open_incident(workspace, title="t", actor="a")
    other = open_workspace(workspace.root)
    calls: list[str] = []

    def change(session: Session, row: Incident, when: datetime) -> Outcome[None]:
        calls.append(row.status)
        if len(calls) == 1:
            # Another writer commits between our read and our write.
            update_incident(other, case.id, actor="b", status=Status.CONTAINED)
        row.title = "mine"
        return Outcome(None, "test.change")

    try:
        mutate_incident(workspace.store, case.id, change, actor="a")
    finally:
        other.close()
    assert calls == ["open", "contained"]
    final = show_incident(workspace, case.id).summary
    assert (final.title, final.status, final.version) == ("mine", Status.CONTAINED, 3)
