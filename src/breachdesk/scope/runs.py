"""Scope runs in the store: the run, the incident's affected persons, the audit entry.

The latest run is the incident's scope: its persons are added to (or refreshed in)
``affected_persons``, identities encrypted by the store; persons an earlier run found but
this one does not are removed — unless a notice was already made for them, then they are
kept and counted. Each run keeps, per person, what it found (confidence, categories,
first and last access, evidence references) in ``scope_run_persons``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select

from breachdesk.incident import IncidentClosed, add_entry, show_incident
from breachdesk.model import AffectedPerson, Category
from breachdesk.model.incident import Status
from breachdesk.model.scope import ScopeReport
from breachdesk.store import record_audit
from breachdesk.store.persons import (
    add_affected_persons,
    person_key_index,
    update_affected_persons,
)
from breachdesk.store.scope_tables import ScopeRun, ScopeRunPerson
from breachdesk.store.tables import AffectedPerson as PersonRow
from breachdesk.store.tables import Notice
from breachdesk.workspace import Workspace

_BATCH = 2_000
_CHUNK = 500


@dataclass(frozen=True)
class StoredRun:
    """What storing a run changed."""

    run_id: int
    added: int
    refreshed: int
    removed: int
    kept_notified: int


def store_run(
    workspace: Workspace,
    report: ScopeReport,
    *,
    actor: str,
    started_at: datetime,
    finished_at: datetime | None = None,
) -> StoredRun:
    """Store ``report`` as the newest scope run of its incident; audited and on the timeline."""
    incident_id = report.incident_id
    ensure_open(workspace, incident_id)
    finished = finished_at or datetime.now(UTC)
    store = workspace.store
    cipher = store.cipher
    added = refreshed = 0
    with store.session() as session:
        run = ScopeRun(
            incident_id=incident_id,
            started_at=started_at,
            finished_at=finished,
            actor=actor,
            engine=report.engine,
            affected=report.affected,
            selection=report.selection.to_json(),
            summary=_summary(report),
        )
        session.add(run)
        session.flush()
        existing: dict[str, int] = {
            index: row_id
            for index, row_id in session.execute(
                select(PersonRow.person_key_index, PersonRow.id).where(
                    PersonRow.incident_id == incident_id
                )
            )
        }
        seen: set[str] = set()
        for batch in report.persons.to_batches(_BATCH):
            records = batch.to_pylist()
            people = [_person(r) for r in records]
            indexes = [person_key_index(cipher, p.key) for p in people]
            fresh = [i for i, index in enumerate(indexes) if index not in existing]
            known = [i for i, index in enumerate(indexes) if index in existing]
            existing.update(
                add_affected_persons(session, cipher, incident_id, [people[i] for i in fresh])
            )
            update_affected_persons(
                session, cipher, incident_id, [(existing[indexes[i]], people[i]) for i in known]
            )
            added += len(fresh)
            refreshed += len(known)
            seen.update(indexes)
            session.execute(
                insert(ScopeRunPerson),
                [
                    {
                        "run_id": run.id,
                        "person_id": existing[index],
                        "confidence": record["confidence"],
                        "categories": list(record["categories"] or []),
                        "first_access": record["first_access"],
                        "last_access": record["last_access"],
                        "events": int(record["events"] or 0),
                        "evidence": list(record["refs"] or []),
                    }
                    for index, record in zip(indexes, records, strict=True)
                ],
            )
        gone = [row_id for index, row_id in existing.items() if index not in seen]
        notified = _notified(session, gone)
        removable = [i for i in gone if i not in notified]
        for start in range(0, len(removable), _CHUNK):
            chunk = removable[start : start + _CHUNK]
            session.execute(delete(ScopeRunPerson).where(ScopeRunPerson.person_id.in_(chunk)))
            session.execute(delete(PersonRow).where(PersonRow.id.in_(chunk)))
        record_audit(
            session,
            actor=actor,
            action="scope.run",
            target=f"incident:{incident_id}",
            detail={
                "run": run.id,
                "engine": report.engine,
                "affected": report.affected,
                "by_confidence": report.by_confidence,
                "added": added,
                "refreshed": refreshed,
                "removed": len(removable),
                "kept_notified": len(notified),
                "selection": report.selection.to_json(),
            },
        )
        run_id = run.id
    confidence = ", ".join(f"{k} {v:,}" for k, v in report.by_confidence.items()) or "none"
    add_entry(
        workspace,
        incident_id,
        at=finished,
        text=(
            f"Scope run {run_id}: {report.affected:,} persons affected ({confidence}) from "
            f"{report.selection.events:,} selected events"
        ),
        actor=actor,
    )
    return StoredRun(run_id, added, refreshed, len(removable), len(notified))


def ensure_open(workspace: Workspace, incident_id: str) -> None:
    """UnknownIncident or IncidentClosed unless the incident can take a new scope run."""
    case = show_incident(workspace, incident_id)
    if case.summary.status is Status.CLOSED:
        raise IncidentClosed(
            f"incident {incident_id} is closed; reopen it before running scope again"
        )


def _notified(session: Any, person_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(person_ids), _CHUNK):
        chunk = person_ids[start : start + _CHUNK]
        found.update(session.scalars(select(Notice.person_id).where(Notice.person_id.in_(chunk))))
    return found


def _person(record: dict[str, Any]) -> AffectedPerson:
    return AffectedPerson(
        key=str(record["key"]),
        email=record["email"],
        name=record["name"],
        language=record["language"],
        country=record["country"],
        region=record["region"],
        postal_code=record["postal_code"],
        categories=frozenset(Category(c) for c in record["categories"] or []),
        first_access=record["first_access"],
        last_access=record["last_access"],
    )


def _summary(report: ScopeReport) -> dict[str, Any]:
    return {
        "affected": report.affected,
        "by_category": report.by_category,
        "by_jurisdiction": report.by_jurisdiction,
        "by_country": report.by_country,
        "by_confidence": report.by_confidence,
        "notes": [n.to_json() for n in report.notes],
        "seconds": report.seconds,
    }


def list_runs(workspace: Workspace, incident_id: str) -> list[dict[str, Any]]:
    """The incident's scope runs, oldest first (counts only, no identities)."""
    with workspace.store.session() as session:
        rows = session.scalars(
            select(ScopeRun).where(ScopeRun.incident_id == incident_id).order_by(ScopeRun.id)
        )
        return [
            {
                "run": r.id,
                "started_at": r.started_at.isoformat(),
                "finished_at": r.finished_at.isoformat(),
                "actor": r.actor,
                "engine": r.engine,
                "affected": r.affected,
                "selection": r.selection,
                "summary": r.summary,
            }
            for r in rows
        ]
