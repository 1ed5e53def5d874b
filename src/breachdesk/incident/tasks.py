"""Tasks of an incident: created from playbooks, then given owners, due dates and states.

Marking a containment task done also puts it on the timeline, since containment times
matter to regulators (how long personal data stayed exposed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.errors import UserInputError
from breachdesk.incident.errors import UnknownIncident
from breachdesk.incident.mutation import Outcome, check_actor, mutate_incident
from breachdesk.incident.playbooks import Playbook, find_playbook
from breachdesk.incident.times import iso
from breachdesk.model.incident import TaskItem, TaskStatus, TimelineKind
from breachdesk.store.tables import Incident, Task, TimelineEntry
from breachdesk.workspace import Workspace


def add_playbook_tasks(
    session: Session, incident: Incident, playbook: Playbook, when: datetime
) -> list[Task]:
    """Add the playbook's steps the incident does not have yet; returns the new tasks."""
    have = set(
        session.scalars(
            select(Task.step).where(Task.incident_id == incident.id, Task.playbook == playbook.name)
        )
    )
    last = session.scalars(
        select(Task.position).where(Task.incident_id == incident.id).order_by(Task.position.desc())
    ).first()
    position = (last or 0) + 1
    added: list[Task] = []
    for step in playbook.steps:
        if step.key in have:
            continue
        anchor = incident.created_at
        if step.due_from == "aware" and incident.aware_at is not None:
            anchor = incident.aware_at
        offset = step.due_offset
        task = Task(
            incident_id=incident.id,
            title=step.title,
            owner=step.owner,
            status=TaskStatus.OPEN.value,
            due_at=anchor + offset if offset is not None else None,
            created_at=when,
            playbook=playbook.name,
            step=step.key,
            phase=step.phase,
            description=step.description.strip(),
            position=position,
        )
        session.add(task)
        added.append(task)
        position += 1
    return added


def apply_playbook(
    workspace: Workspace, incident_id: str, name: str, *, actor: str, now: datetime | None = None
) -> list[TaskItem]:
    """Add a playbook's steps as tasks (steps already there are skipped)."""
    actor = check_actor(actor)
    book = find_playbook(workspace.root, name)

    def change(session: Session, row: Incident, when: datetime) -> Outcome[list[Task]]:
        added = add_playbook_tasks(session, row, book, when)
        if not added:
            return Outcome(added, None)
        detail = {"playbook": book.name, "steps": [t.step for t in added]}
        return Outcome(added, "incident.playbook.apply", detail)

    tasks = mutate_incident(workspace.store, incident_id, change, actor=actor, now=now)
    return [task_item(t) for t in tasks]


def list_tasks(workspace: Workspace, incident_id: str) -> list[TaskItem]:
    """The incident's tasks in playbook order, then by id."""
    with workspace.store.session() as session:
        return tasks_of(session, incident_id)


def tasks_of(session: Session, incident_id: str) -> list[TaskItem]:
    if session.get(Incident, incident_id) is None:
        raise UnknownIncident(incident_id)
    rows = session.scalars(
        select(Task).where(Task.incident_id == incident_id).order_by(Task.position, Task.id)
    )
    return [task_item(row) for row in rows]


def update_task(
    workspace: Workspace,
    incident_id: str,
    task_ref: str,
    *,
    actor: str,
    status: TaskStatus | None = None,
    owner: str | None = None,
    due_at: datetime | None = None,
    now: datetime | None = None,
) -> TaskItem:
    """Change a task's status, owner or due time; ``task_ref`` is its id or its step key."""
    actor = check_actor(actor)
    if status is None and owner is None and due_at is None:
        raise UserInputError("nothing to change: give --status, --owner or --due")
    if owner is not None and len(owner) > 120:
        raise UserInputError("the owner name is longer than 120 characters")

    def change(session: Session, row: Incident, when: datetime) -> Outcome[TaskItem]:
        task = _find_task(session, row.id, task_ref)
        changed: dict[str, Any] = {}
        if owner is not None and owner != task.owner:
            changed["owner"] = [task.owner, owner]
            task.owner = owner or None
        if due_at is not None and due_at != task.due_at:
            changed["due_at"] = [iso(task.due_at), iso(due_at)]
            task.due_at = due_at
        if status is not None and status.value != task.status:
            changed["status"] = [task.status, status.value]
            task.status = status.value
            task.done_at = when if status is TaskStatus.DONE else None
            if status is TaskStatus.DONE and task.phase == "contain":
                session.add(
                    TimelineEntry(
                        incident_id=row.id,
                        at=when,
                        kind=TimelineKind.CONTAINMENT.value,
                        text=f"Done: {task.title}",
                        actor=actor,
                        source_ref=f"task:{task.id}",
                        created_at=when,
                    )
                )
        if not changed:
            # Read inside the session: an unchanged update is rolled back, which would
            # detach and expire the row before the caller could read it.
            return Outcome(task_item(task), None)
        return Outcome(
            task_item(task), "incident.task.update", {"task": task.id, "changes": changed}
        )

    return mutate_incident(workspace.store, incident_id, change, actor=actor, now=now)


def task_item(row: Task) -> TaskItem:
    return TaskItem(
        id=row.id,
        incident_id=row.incident_id,
        title=row.title,
        status=TaskStatus(row.status),
        owner=row.owner,
        due_at=row.due_at,
        done_at=row.done_at,
        playbook=row.playbook,
        step=row.step,
        phase=row.phase,
        description=row.description,
        position=row.position,
    )


def _find_task(session: Session, incident_id: str, task_ref: str) -> Task:
    ref = task_ref.strip()
    query = select(Task).where(Task.incident_id == incident_id)
    query = query.where(Task.id == int(ref)) if ref.isdigit() else query.where(Task.step == ref)
    found = session.scalars(query.order_by(Task.id)).all()
    if not found:
        raise UserInputError(
            f"incident {incident_id} has no task {ref!r}; "
            f"'breachdesk incident tasks {incident_id}' lists them"
        )
    if len(found) > 1:
        raise UserInputError(f"step {ref!r} names several tasks; use the task id")
    return found[0]
