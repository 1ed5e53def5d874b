from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from breachdesk.errors import UserInputError
from breachdesk.incident import list_entries, list_tasks, open_incident, update_task
from breachdesk.model.incident import TaskStatus, TimelineKind
from breachdesk.store.tables import AuditEntry
from breachdesk.workspace import Workspace

from .conftest import T0


def _case(ws: Workspace) -> str:
    return open_incident(ws, title="t", actor="a", playbook="customer-data-exfiltration").id


def test_task_updates_by_id_or_step(workspace: Workspace) -> None:
    incident = _case(workspace)
    first = list_tasks(workspace, incident)[0]
    due = T0 + timedelta(days=1)
    task = update_task(
        workspace, incident, str(first.id), actor="lead", owner="jmartin's manager", due_at=due
    )
    assert (task.owner, task.due_at, task.status) == ("jmartin's manager", due, TaskStatus.OPEN)
    task = update_task(workspace, incident, "notify", actor="dpo", status=TaskStatus.IN_PROGRESS)
    assert task.step == "notify"
    assert task.status is TaskStatus.IN_PROGRESS
    assert task.done_at is None
    with workspace.store.session() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("incident.task.update") == 2


def test_done_containment_goes_on_the_timeline(workspace: Workspace) -> None:
    incident = _case(workspace)
    task = update_task(workspace, incident, "revoke-token", actor="oncall", status=TaskStatus.DONE)
    assert task.done_at is not None
    entries = list_entries(workspace, incident, kinds=[TimelineKind.CONTAINMENT])
    assert [(e.text, e.actor, e.at) for e in entries] == [
        ("Done: Revoke the abused token or account", "oncall", task.done_at)
    ]
    update_task(workspace, incident, "notify", actor="dpo", status=TaskStatus.DONE)
    assert len(list_entries(workspace, incident, kinds=[TimelineKind.CONTAINMENT])) == 1
    reopened = update_task(workspace, incident, "revoke-token", actor="o", status=TaskStatus.OPEN)
    assert reopened.done_at is None


def test_task_update_that_changes_nothing_returns_the_task(workspace: Workspace) -> None:
    incident = _case(workspace)
    update_task(workspace, incident, "notify", actor="dpo", status=TaskStatus.IN_PROGRESS)
    same = update_task(workspace, incident, "notify", actor="dpo", status=TaskStatus.IN_PROGRESS)
    assert same.step == "notify"
    assert same.status is TaskStatus.IN_PROGRESS
    with workspace.store.session() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("incident.task.update") == 1


def test_bad_task_references(sqlite_workspace: Workspace) -> None:
    incident = _case(sqlite_workspace)
    other = _case(sqlite_workspace)
    foreign = list_tasks(sqlite_workspace, other)[0]
    for ref in ("999", "no-such-step", str(foreign.id)):
        with pytest.raises(UserInputError, match="has no task"):
            update_task(sqlite_workspace, incident, ref, actor="a", status=TaskStatus.DONE)
    with pytest.raises(UserInputError, match="nothing to change"):
        update_task(sqlite_workspace, incident, "notify", actor="a")
