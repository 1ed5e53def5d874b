"""Fixtures of the notify tests: workspaces with an incident, people, duties and an SMTP sink."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from breachdesk.incident import open_incident
from breachdesk.model import AffectedPerson, Category
from breachdesk.notify.sink import SmtpSink
from breachdesk.store import add_affected_person
from breachdesk.store.tables import Obligation
from breachdesk.workspace import Workspace, init_workspace

AWARE = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
SETTINGS = """
[controller]
name = "Maison Aurelle SAS"
country = "FR"
contact_email = "dpo@maison-aurelle.com"

[brand]
name = "Maison Aurelle"
domains = ["maison-aurelle.com"]

[notify]
smtp_tls = "none"
domain_rate = 0.0
portal_min_response_ms = 0
retry_base_seconds = 0.0
"""
CONTACT = frozenset({Category.CONTACT_NAME, Category.CONTACT_EMAIL, Category.LOCATION_CITY})


def make_workspace(root: Path, database_url: str | None = None, extra: str = "") -> Workspace:
    text = SETTINGS + extra
    if database_url:
        text = f'database_url = "{database_url}"\n' + text
    return init_workspace(root, settings_text=text)


def open_case(ws: Workspace) -> str:
    case = open_incident(
        ws,
        title="Customer records copied",
        actor="test",
        aware_at=AWARE,
        aware_reason="alerts reviewed",
    )
    return case.id


def add_duties(ws: Workspace, incident: str, codes: dict[str, str | None]) -> None:
    """Required notices to individuals in ``codes`` (code → the authority's name)."""
    with ws.store.session() as session:
        for code, authority in codes.items():
            session.add(
                Obligation(
                    incident_id=incident,
                    jurisdiction=code,
                    recipient="individuals",
                    required=True,
                    reason="test",
                    citation="test",
                    content=[],
                )
            )
            if authority:
                session.add(
                    Obligation(
                        incident_id=incident,
                        jurisdiction=code,
                        recipient="authority",
                        required=True,
                        reason="test",
                        citation="test",
                        content=[],
                        authority=authority,
                    )
                )


def add_people(ws: Workspace, incident: str, people: list[AffectedPerson]) -> None:
    with ws.store.session() as session:
        for person in people:
            add_affected_person(session, ws.store.cipher, incident, person)


def person(
    key: str,
    country: str = "FR",
    *,
    email: str | None = None,
    name: str | None = None,
    language: str | None = "fr-FR",
    region: str | None = None,
    categories: frozenset[Category] = CONTACT,
) -> AffectedPerson:
    return AffectedPerson(
        key=key,
        email=email
        if email is not None
        else f"p{key}@example{int(key) % 7 if key.isdigit() else 0}.test",
        name=name if name is not None else f"Person {key}",
        language=language,
        country=country,
        region=region,
        categories=categories,
        first_access=datetime(2026, 11, 2, 1, tzinfo=UTC),
        last_access=datetime(2026, 11, 2, 3, tzinfo=UTC),
    )


def populated(root: Path, count: int, database_url: str | None = None) -> tuple[Workspace, str]:
    ws = make_workspace(root, database_url)
    incident = open_case(ws)
    add_duties(ws, incident, {"FR": "CNIL"})
    add_people(ws, incident, [person(str(i)) for i in range(count)])
    return ws, incident


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = make_workspace(tmp_path / "ws")
    yield workspace
    workspace.close()


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink(keep=True) as running:
        yield running
