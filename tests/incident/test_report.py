from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from breachdesk.errors import UserInputError
from breachdesk.incident import (
    add_entry,
    open_incident,
    render_html,
    take_snapshot,
    update_incident,
    write_report,
)
from breachdesk.model import AffectedPerson, Category
from breachdesk.store import add_affected_person
from breachdesk.store.tables import AuditEntry, Notice, Obligation
from breachdesk.workspace import Workspace

from .conftest import T0, add_alert

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _case(ws: Workspace) -> str:
    add_alert(ws, principals=(HOSTILE, "agent:jmartin"), ips=("203.0.113.7",))
    case = open_incident(ws, title=f"Breach {HOSTILE}", actor="alice", alert_ids=["A1"])
    add_entry(ws, case.id, at=T0 + timedelta(hours=3), text=f"note {HOSTILE}", actor="bob")
    return case.id


def test_report_escapes_attacker_text(sqlite_workspace: Workspace) -> None:
    html = render_html(take_snapshot(sqlite_workspace, _case(sqlite_workspace)))
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "onerror=alert(1)&gt;" in html


def test_report_is_self_contained_with_a_chart(sqlite_workspace: Workspace) -> None:
    html = render_html(take_snapshot(sqlite_workspace, _case(sqlite_workspace)))
    assert "<svg" in html
    assert "<circle" in html
    assert "<rect" in html
    # Nothing to fetch: no links, sources, imports or remote URLs (SVG namespace aside).
    assert not re.search(r"<[^>]*\b(src|href)\s*=", html)
    assert "url(" not in html
    assert "@import" not in html
    assert re.findall(r"https?://[^\s\"'<]+", html) == ["http://www.w3.org/2000/svg"]
    assert "Executive summary" in html
    assert "First malicious event" in html


def test_obligations_and_notices_shown_only_when_they_exist(sqlite_workspace: Workspace) -> None:
    incident = _case(sqlite_workspace)
    before = render_html(take_snapshot(sqlite_workspace, incident))
    assert "<h2>Obligations</h2>" not in before
    assert "Regulatory clock" not in before
    update_incident(sqlite_workspace, incident, actor="dpo", aware_at=T0, aware_reason="why")
    with sqlite_workspace.store.session() as session:
        session.add(
            Obligation(
                incident_id=incident,
                jurisdiction="EU-GDPR",
                recipient="authority",
                required=True,
                reason="risk to rights and freedoms",
                deadline_at=T0 + timedelta(hours=72),
                citation="GDPR Art. 33(1)",
                content=[],
            )
        )
    after = render_html(take_snapshot(sqlite_workspace, incident, now=T0 + timedelta(hours=70)))
    assert "<h2>Obligations</h2>" in after
    assert "Regulatory clock: 2h 0m left: EU-GDPR authority (GDPR Art. 33(1))" in after
    assert "<h2>Notices</h2>" not in after


def test_pdf_report_is_written_and_audited(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    incident = _case(sqlite_workspace)
    written = write_report(sqlite_workspace, incident, tmp_path / "r.pdf", actor="eve")
    data = (tmp_path / "r.pdf").read_bytes()
    assert data.startswith(b"%PDF-")
    assert written.bytes == len(data)
    with sqlite_workspace.store.session() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None
    assert (last.action, last.detail["format"], last.detail["sha256"]) == (
        "incident.report",
        "pdf",
        written.sha256,
    )


def test_report_needs_html_or_pdf(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    incident = open_incident(sqlite_workspace, title="t", actor="a").id
    with pytest.raises(UserInputError, match=r"\.html or \.pdf"):
        write_report(sqlite_workspace, incident, tmp_path / "r.docx", actor="a")
    html = write_report(sqlite_workspace, incident, tmp_path / "r.html", actor="a")
    assert html.format == "html"
    assert "The timeline is empty." in (tmp_path / "r.html").read_text()


def test_scope_and_notices_appear_once_they_exist(sqlite_workspace: Workspace) -> None:
    incident = _case(sqlite_workspace)
    html = render_html(take_snapshot(sqlite_workspace, incident))
    assert "<h2>Scope</h2>" not in html
    assert "<h2>Notices</h2>" not in html
    with sqlite_workspace.store.session() as session:
        for n in range(3):
            person = AffectedPerson(
                key=str(n),
                email=f"secret{n}@example.com",
                name=f"Aline Secret{n}",
                country="FR",
                categories=frozenset({Category.CONTACT_EMAIL, Category.LOCATION_CITY}),
            )
            row = add_affected_person(session, sqlite_workspace.store.cipher, incident, person)
            session.flush()
            session.add(
                Notice(
                    id=f"n{n}",
                    incident_id=incident,
                    campaign="c1",
                    person_id=row.id,
                    verification_index="v" * 64,
                    state="sent" if n else "failed",
                )
            )
    html = render_html(take_snapshot(sqlite_workspace, incident))
    assert "<h2>Scope</h2>" in html
    assert "<h2>Notices</h2>" in html
    assert '<td>email address</td><td class="num">3</td>' in html
    assert '<td>sent</td><td class="num">2</td>' in html
    # Counts only: the report names no one.
    assert "secret0@example.com" not in html
    assert "Aline" not in html
