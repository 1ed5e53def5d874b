"""Scope runs in the store: encrypted identities, re-runs, notices kept, audit, timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from breachdesk.incident import IncidentClosed, close_incident, list_entries
from breachdesk.law.records import case_from_scope
from breachdesk.scope import list_runs, scope_incident
from breachdesk.store import Base, open_store, read_affected_persons
from breachdesk.store import scope_tables as _scope_tables  # registers its tables
from breachdesk.store.scope_tables import ScopeRun, ScopeRunPerson
from breachdesk.store.tables import AffectedPerson, AuditEntry, Notice
from breachdesk.workspace import Workspace
from tests.scope.conftest import T0, add_alert, fetch, make_workspace, open_case, write_events


def test_scope_tables_match_migration_0006(database_url: str, tmp_path: Path) -> None:
    assert _scope_tables.ScopeRun.__tablename__ in Base.metadata.tables
    store = open_store(database_url, tmp_path / "key", create_key=True)
    try:
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        store.close()


def _fetches(ws: Workspace, ids: list[int], minute: int = 0) -> None:
    write_events(
        ws, [fetch(T0 + timedelta(minutes=minute, seconds=i), k) for i, k in enumerate(ids)]
    )


@pytest.fixture
def case(tmp_path: Path) -> tuple[Workspace, str]:
    ws = make_workspace(tmp_path / "ws", 60)
    _fetches(ws, [1, 2, 3, 4])
    add_alert(ws, "ALR-1", principals=["agent:jmartin"])
    return ws, open_case(ws, ["ALR-1"])


def test_run_stores_persons_encrypted(case: tuple[Workspace, str]) -> None:
    ws, incident = case
    report = scope_incident(ws, incident, actor="alice")
    assert report.run_id is not None
    raw = (ws.state_dir / "breachdesk.db").read_bytes()
    for secret in (b"p1@example.test", b"Person 1", b"10001"):
        assert secret not in raw
    with ws.store.session() as session:
        people = {p.key: p for p in read_affected_persons(session, ws.store.cipher, incident)}
        links = session.scalars(select(ScopeRunPerson)).all()
        run = session.get(ScopeRun, report.run_id)
        assert run is not None
        assert (run.affected, run.actor) == (4, "alice")
    assert set(people) == {"1", "2", "3", "4"}
    assert people["1"].email == "p1@example.test"
    assert (people["1"].country, people["1"].region) == ("US", "CA")
    assert people["1"].first_access == T0
    assert {link.confidence for link in links} == {"exact"}
    assert all(link.evidence for link in links)
    ws.close()


def test_rerun_replaces_scope_but_keeps_notified_persons(case: tuple[Workspace, str]) -> None:
    ws, incident = case
    scope_incident(ws, incident, actor="alice")
    with ws.store.session() as session:
        first = session.scalars(
            select(AffectedPerson).where(AffectedPerson.incident_id == incident)
        ).all()
        notified = next(p for p in first if p.first_access == T0)  # customer 1
        session.add(
            Notice(
                id="N-1",
                incident_id=incident,
                campaign="c1",
                person_id=notified.id,
                verification_index="x" * 64,
            )
        )
    # A narrower window now: only customers 3 and 4 (read 2 and 3 s after T0).
    window = (T0 + timedelta(seconds=2), T0 + timedelta(minutes=5))
    report = scope_incident(ws, incident, actor="alice", alert_ids=["ALR-1"], window=window)
    assert report.affected == 2
    with ws.store.session() as session:
        keys = {p.key for p in read_affected_persons(session, ws.store.cipher, incident)}
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "scope.run")).all()
    assert keys == {"1", "3", "4"}  # 2 removed; 1 kept: a notice exists for them
    assert audit[-1].detail["removed"] == 1
    assert audit[-1].detail["kept_notified"] == 1
    runs = list_runs(ws, incident)
    assert [r["affected"] for r in runs] == [4, 2]
    entries = [e.text for e in list_entries(ws, incident)]
    assert any(t.startswith("Scope run 2: 2 persons affected") for t in entries)
    ws.close()


def test_law_builds_its_case_from_the_scope(case: tuple[Workspace, str]) -> None:
    ws, incident = case
    scope_incident(ws, incident, actor="alice")
    result = case_from_scope(ws.store, incident, cause="malicious", controller_establishment="FR")
    # customers 1..4: US-CA, GB, DE, CA-QC (country by id % 6 in the test shop)
    assert result.residents == {"US-CA": 1, "GB": 1, "DE": 1, "CA-QC": 1}
    assert "contact.email" in result.categories
    ws.close()


def test_closed_incident_refuses_a_run(case: tuple[Workspace, str]) -> None:
    ws, incident = case
    close_incident(ws, incident, actor="alice", now=datetime.now(UTC))
    with pytest.raises(IncidentClosed):
        scope_incident(ws, incident, actor="alice")
    ws.close()
