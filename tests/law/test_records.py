"""Obligations stored on the incident (SQLite and PostgreSQL), overrides audited and applied."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from breachdesk.errors import UserInputError
from breachdesk.law import assess_incident, current_assessment, override_conclusion
from breachdesk.law.records import LawOverride
from breachdesk.model import AffectedPerson, Category
from breachdesk.store import add_affected_person, verify_audit_chain
from breachdesk.store.tables import AuditEntry, Incident, Obligation
from breachdesk.workspace import Workspace, init_workspace

AWARE = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def workspace(tmp_path: Path, database_url: str) -> Workspace:
    settings = (
        f'database_url = "{database_url}"\n[controller]\nname = "Maison"\ncountry = "FR"\n'
        'contact_email = "dpo@example.com"\n'
    )
    ws = init_workspace(tmp_path / "ws", settings_text=settings)
    with ws.store.session() as session:
        session.add(Incident(id="INC-1", title="token abuse", aware_at=AWARE))
    return ws


def _add_people(ws: Workspace) -> None:
    cats = frozenset({Category.CONTACT_NAME, Category.CONTACT_EMAIL, Category.LOCATION_CITY})
    people = [("1", "FR", None), ("2", "FR", None), ("3", "US", "CA"), ("4", "GB", None)]
    with ws.store.session() as session:
        for key, country, region in people:
            person = AffectedPerson(
                key=key,
                email=f"p{key}@example.com",
                country=country,
                region=region,
                categories=cats,
            )
            add_affected_person(session, ws.store.cipher, "INC-1", person)


def test_records_assess_from_scope_stores_obligations(workspace: Workspace) -> None:
    _add_people(workspace)
    result = assess_incident(workspace, "INC-1", cause="malicious", actor="tester")
    assert result.case.residents == {"FR": 2, "US-CA": 1, "GB": 1}
    with workspace.store.session() as session:
        rows = {f"{o.jurisdiction}:{o.recipient}": o for o in session.scalars(select(Obligation))}
        assert rows["FR:authority"].required
        assert rows["FR:authority"].deadline_at == datetime(2026, 11, 6, 9, 0, tzinfo=UTC)
        assert rows["FR:authority"].regime == "gdpr"
        assert not rows["US-CA:individuals"].required
        actions = [a.action for a in session.scalars(select(AuditEntry))]
        assert actions == ["law.assess"]
        assert verify_audit_chain(session) is None
    workspace.close()


def test_records_assess_needs_cause_or_case(workspace: Workspace) -> None:
    _add_people(workspace)
    with pytest.raises(UserInputError, match="--cause"):
        assess_incident(workspace, "INC-1")
    with pytest.raises(UserInputError, match="no incident 'NOPE'"):
        assess_incident(workspace, "NOPE", cause="malicious")
    workspace.close()


def test_records_override_is_audited_and_applied(workspace: Workspace) -> None:
    _add_people(workspace)
    assess_incident(workspace, "INC-1", cause="malicious")
    result = override_conclusion(
        workspace,
        "INC-1",
        "us-ca:individuals",
        required=True,
        justification="customer contract promises notice",
        actor="counsel",
    )
    ca = {c.key: c for c in result.conclusions}["US-CA:individuals"]
    assert ca.required
    assert ca.overridden
    assert ca.reason.startswith("OVERRIDDEN to required by counsel: customer contract")
    result = override_conclusion(
        workspace,
        "INC-1",
        "risk",
        level="low",
        justification="data already public",
        actor="counsel",
    )
    assert result.risk.level == "low"
    assert not {c.key: c for c in result.conclusions}["FR:authority"].required
    again = current_assessment(workspace, "INC-1")
    assert again.risk.level == "low"
    with workspace.store.session() as session:
        assert len(list(session.scalars(select(LawOverride)))) == 2
        actions = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions.count("law.override") == 2
        assert verify_audit_chain(session) is None
    workspace.close()


def test_records_override_needs_justification_and_known_target(workspace: Workspace) -> None:
    _add_people(workspace)
    assess_incident(workspace, "INC-1", cause="malicious")
    with pytest.raises(UserInputError, match="justification"):
        override_conclusion(
            workspace, "INC-1", "FR:authority", required=False, justification=" ", actor="x"
        )
    with pytest.raises(UserInputError, match="no conclusion 'DE:authority'"):
        override_conclusion(
            workspace, "INC-1", "DE:authority", required=False, justification="because", actor="x"
        )
    with pytest.raises(UserInputError, match="override target"):
        override_conclusion(
            workspace, "INC-1", "FR", required=False, justification="because", actor="x"
        )
    workspace.close()
