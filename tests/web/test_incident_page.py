"""The incident pages on the demo workspace built by the real stages: every route, every role,
CSRF, escaping of log-borne text, audited downloads, scope and assessment from the web."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from breachdesk.incident import add_entry, add_evidence, list_tasks, open_incident
from breachdesk.scope import list_runs
from breachdesk.store.audit_read import audit_entries
from breachdesk.store.tables import Alert, Incident
from breachdesk.web import Role, add_user, create_app
from breachdesk.workspace import Workspace, init_workspace
from tests.web.conftest import PASSWORD, Client, csrf_of
from tests.web.incident_demo import clients, demo_workspace

__all__ = ["clients", "demo_workspace"]  # the fixtures this module uses

HOSTILE = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
ROLES = [r.value for r in Role]


@pytest.fixture(scope="module")
def incident_id(demo_workspace: Workspace) -> str:
    """The incident the demo opened (scoped, assessed, notified)."""
    with demo_workspace.store.session() as session:
        found = session.scalars(select(Incident.id).order_by(Incident.created_at)).first()
    assert found is not None
    return found


@pytest.fixture(scope="module")
def triage_id(demo_workspace: Workspace) -> str:
    """A second incident, from the alerts the demo left for triage: no scope, no assessment."""
    with demo_workspace.store.session() as session:
        free = list(session.scalars(select(Alert.id).where(Alert.incident_id.is_(None))))
    assert free, "the demo leaves lower-severity alerts for triage"
    case = open_incident(
        demo_workspace,
        title="Triage of the lower-severity alerts",
        actor="test",
        alert_ids=free,
        aware_at=datetime.now(UTC) - timedelta(hours=1),
        aware_reason="bulk queries reviewed",
    )
    return case.id


def audits(workspace: Workspace, action: str, actor: str) -> list[dict[str, object]]:
    entries = audit_entries(workspace.store, limit=100_000)
    return [
        {"target": e.target, "detail": e.detail}
        for e in entries
        if e.action == action and e.actor == actor
    ]


def post(client: Client, url: str, page_url: str, **data: str) -> httpx.Response:
    """POST a form the way the browser does: with the token of the page it came from."""
    token = csrf_of(client.get(page_url).text)
    return client.post(url, data={"csrf": token, **data})


# --- Access -------------------------------------------------------------------------------


def test_incident_routes_refuse_anonymous_requests(
    clients: dict[str, Client], incident_id: str
) -> None:
    anonymous = clients["anonymous"]
    for url in ("/incidents", f"/incidents/{incident_id}", f"/incidents/{incident_id}/persons"):
        answer = anonymous.get(url)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/login?next=")
    for action in (
        "tasks/1",
        "evidence/verify",
        "scope",
        "assess",
        "download/report-html",
        "persons/export",
    ):
        answer = anonymous.post(f"/incidents/{incident_id}/{action}", data={"csrf": "x"})
        assert answer.status_code == 401, action


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_list_and_the_page(
    clients: dict[str, Client], incident_id: str, role: str
) -> None:
    listing = clients[role].get("/incidents")
    assert listing.status_code == 200
    assert f'id="incident-link-{incident_id}"' in listing.text
    page = clients[role].get(f"/incidents/{incident_id}")
    assert page.status_code == 200
    html = page.text
    for element in (
        'id="incident-clock"',
        'id="timeline-chart"',
        'id="timeline-table"',
        'id="tasks-table"',
        'id="evidence-table"',
        'id="scope-summary"',
        'id="scope-by-country"',
        'id="scope-by-category"',
        'id="obligations-table"',
        'id="campaign-progress"',
    ):
        assert element in html, element
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert '<script src="/static/incident.js" defer></script>' in html


def test_forms_follow_the_role(clients: dict[str, Client], incident_id: str) -> None:
    def has(role: str, element: str) -> bool:
        return element in clients[role].get(f"/incidents/{incident_id}").text

    for role in ("admin", "responder"):
        assert has(role, 'id="scope-run"')
        assert has(role, 'id="evidence-verify"')
        assert has(role, 'data-test="task-form"')
    for role in ("legal", "viewer"):
        assert not has(role, 'id="scope-run"')
        assert not has(role, 'data-test="task-form"')
    assert has("viewer", 'id="downloads-refused"')
    assert not has("viewer", 'id="download-report-html"')
    assert has("legal", 'id="download-report-html"')


def test_unknown_incident_is_404(clients: dict[str, Client]) -> None:
    assert clients["viewer"].get("/incidents/INC-1999-0001").status_code == 404
    assert clients["viewer"].get("/incidents/" + "X" * 500).status_code == 404


# --- The demo's data on the page ----------------------------------------------------------


def test_page_shows_the_demo_scope_obligations_and_campaign(
    clients: dict[str, Client], demo_workspace: Workspace, incident_id: str
) -> None:
    html = clients["viewer"].get(f"/incidents/{incident_id}").text
    summary = list_runs(demo_workspace, incident_id)[-1]["summary"]
    affected = re.search(r'id="scope-affected" data-affected="(\d+)"', html)
    assert affected is not None
    assert int(affected.group(1)) == summary["affected"] > 0
    # Each country of the latest run is one bar with its count.
    for country, count in summary["by_country"].items():
        assert f'data-key="{country}"' in html
        assert f"{country}: {count:,} persons" in html
    assert 'data-key="FR:authority"' in html
    assert 'data-required="yes"' in html
    progress = re.search(r'id="campaign-progress"[^>]*data-total="(\d+)" data-sent="(\d+)"', html)
    assert progress is not None
    assert int(progress.group(1)) > 0


def test_timeline_filter_by_kind_and_window(clients: dict[str, Client], incident_id: str) -> None:
    client = clients["viewer"]
    evidence = client.get(f"/incidents/{incident_id}?kind=evidence").text
    kinds = set(re.findall(r'<tr id="entry-\d+" data-kind="([a-z-]+)"', evidence))
    assert kinds == {"evidence"}
    assert 'id="timeline-kind-evidence" checked' in evidence
    everything = client.get(f"/incidents/{incident_id}").text
    assert len(re.findall(r'<tr id="entry-', everything)) > len(
        re.findall(r'<tr id="entry-', evidence)
    )
    future = client.get(f"/incidents/{incident_id}?since=2099-01-01T00:00:00Z").text
    assert 'id="timeline-empty"' in future
    assert client.get(f"/incidents/{incident_id}?kind=nonsense").status_code == 400
    assert client.get(f"/incidents/{incident_id}?since=yesterday").status_code == 400
    backwards = f"/incidents/{incident_id}?since=2026-11-02T00:00:00Z&until=2026-11-01T00:00:00Z"
    assert client.get(backwards).status_code == 400


def test_log_borne_text_is_escaped_everywhere(
    clients: dict[str, Client], demo_workspace: Workspace, triage_id: str
) -> None:
    add_entry(
        demo_workspace,
        triage_id,
        at=datetime.now(UTC),
        text=f"User agent seen: {HOSTILE}",
        actor="test",
    )
    html = clients["viewer"].get(f"/incidents/{triage_id}").text
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html
    # The page carries no inline script, handler or style: only what the CSP allows.
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html)
    assert not re.search(r"<[^>]+\sstyle\s*=", html)


# --- Actions ------------------------------------------------------------------------------


def test_task_update_by_responder_and_refusals(
    clients: dict[str, Client], demo_workspace: Workspace, incident_id: str
) -> None:
    page_url = f"/incidents/{incident_id}"
    task = list_tasks(demo_workspace, incident_id)[0]
    url = f"/incidents/{incident_id}/tasks/{task.id}"
    answer = post(clients["responder"], url, page_url, status="in-progress", owner="Dana")
    assert answer.status_code == 303
    changed = next(t for t in list_tasks(demo_workspace, incident_id) if t.id == task.id)
    assert changed.status == "in-progress"
    assert changed.owner == "Dana"
    assert audits(demo_workspace, "incident.task.update", "web:responder")
    for role in ("viewer", "legal"):
        refused = post(clients[role], url, page_url, status="done")
        assert refused.status_code == 403
    no_token = clients["responder"].post(url, data={"status": "done"})
    assert no_token.status_code == 403
    wrong = clients["responder"].post(url, data={"status": "done", "csrf": "0" * 64})
    assert wrong.status_code == 403
    bad = post(clients["responder"], url, page_url, status="finished")
    assert bad.status_code == 400
    after = next(t for t in list_tasks(demo_workspace, incident_id) if t.id == task.id)
    assert after.status == "in-progress"


def test_verify_evidence_shows_the_result(
    clients: dict[str, Client], demo_workspace: Workspace, incident_id: str
) -> None:
    page_url = f"/incidents/{incident_id}"
    answer = post(clients["responder"], f"{page_url}/evidence/verify", page_url)
    assert answer.status_code == 303
    html = clients["viewer"].get(page_url).text
    result = re.search(r'id="evidence-verify-result"[^>]*>\s*<p class="([a-z-]+)">([^<]+)', html)
    assert result is not None
    assert result.group(1) == "result-ok"
    assert "by web:responder: all" in result.group(2)
    assert audits(demo_workspace, "incident.evidence.verify", "web:responder")
    refused = post(clients["viewer"], f"{page_url}/evidence/verify", page_url)
    assert refused.status_code == 403


def test_scope_then_assess_from_the_web(
    clients: dict[str, Client], demo_workspace: Workspace, triage_id: str
) -> None:
    page_url = f"/incidents/{triage_id}"
    before = clients["admin"].get(page_url).text
    assert 'id="scope-none"' in before
    assert 'id="assess-form"' in before
    # Neither a viewer nor a legal role runs scope, and no form goes without its token.
    for role in ("viewer", "legal"):
        refused = post(clients[role], f"{page_url}/scope", page_url)
        assert refused.status_code == 403
    no_token = clients["responder"].post(f"{page_url}/scope")
    assert no_token.status_code == 403
    assert list_runs(demo_workspace, triage_id) == []

    ran = post(clients["responder"], f"{page_url}/scope", page_url)
    assert ran.status_code == 303
    assert ran.headers["location"] == f"{page_url}#scope"
    runs = list_runs(demo_workspace, triage_id)
    assert len(runs) == 1
    assert runs[0]["actor"] == "web:responder"
    html = clients["viewer"].get(page_url).text
    assert f'data-affected="{runs[0]["affected"]}"' in html
    assert audits(demo_workspace, "scope.run", "web:responder")

    refused = post(clients["responder"], f"{page_url}/assess", page_url, cause="malicious")
    assert refused.status_code == 403
    bad = post(clients["legal"], f"{page_url}/assess", page_url, cause="aliens")
    assert bad.status_code == 400
    assessed = post(clients["legal"], f"{page_url}/assess", page_url, cause="malicious")
    assert assessed.status_code == 303
    after = clients["viewer"].get(page_url).text
    assert 'id="obligations-table"' in after
    assert 'id="assess-form"' not in after
    assert audits(demo_workspace, "law.assess", "web:legal")


def test_case_form_sets_awareness_which_assessing_needs(
    clients: dict[str, Client], demo_workspace: Workspace
) -> None:
    case = open_incident(demo_workspace, title="Opened from the web", actor="test")
    page_url = f"/incidents/{case.id}"
    assert 'id="assess-needs-aware"' in clients["legal"].get(page_url).text
    refused = post(clients["viewer"], f"{page_url}/case", page_url, status="investigating")
    assert refused.status_code == 403
    missing = post(clients["responder"], f"{page_url}/case", page_url, aware_at="now")
    assert missing.status_code == 200
    assert 'id="case-error"' in missing.text
    assert "--aware-reason" in missing.text
    naive = post(
        clients["responder"],
        f"{page_url}/case",
        page_url,
        aware_at="2026-11-03T09:30:00",
        aware_reason="alerts reviewed",
    )
    assert "no UTC offset" in naive.text
    done = post(
        clients["responder"],
        f"{page_url}/case",
        page_url,
        status="investigating",
        aware_at="2026-11-03T09:30:00+01:00",
        aware_reason="alerts <b>reviewed</b>",
    )
    assert done.status_code == 303
    html = clients["legal"].get(page_url).text
    assert 'id="assess-form"' in html
    assert "2026-11-03 08:30 UTC" in html
    assert "alerts &lt;b&gt;reviewed&lt;/b&gt;" in html
    assert '<dd id="incident-status">investigating</dd>' in html
    assert audits(demo_workspace, "incident.update", "web:responder")


# --- Downloads ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "action", "check"),
    [
        ("report-html", "incident.report", "<!doctype html"),
        ("veris", "incident.export", '"schema_version"'),
        ("stix", "incident.export", '"type": "bundle"'),
        ("timesketch", "incident.export", '"timestamp_desc"'),
        ("timesketch-csv", "incident.export", "message,"),
    ],
)
def test_downloads_are_audited_files(
    clients: dict[str, Client],
    demo_workspace: Workspace,
    incident_id: str,
    name: str,
    action: str,
    check: str,
) -> None:
    page_url = f"/incidents/{incident_id}"
    before = len(audits(demo_workspace, action, "web:legal"))
    answer = post(clients["legal"], f"{page_url}/download/{name}", page_url)
    assert answer.status_code == 200
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="{incident_id}-')
    assert check in answer.text.lower() if check.startswith("<") else check in answer.text
    if name in ("veris", "stix"):
        json.loads(answer.text)
    logged = audits(demo_workspace, action, "web:legal")
    assert len(logged) == before + 1
    detail = logged[-1]["detail"]
    assert isinstance(detail, dict)
    written = Path(str(detail["path"]))
    assert written.parent == demo_workspace.path("reports") / "web"
    assert written.stat().st_mode & 0o077 == 0
    assert written.name.startswith(f"{incident_id}-")
    assert "-legal-" in written.name
    # The file kept is the one sent, as the audit entry's hash says.
    assert hashlib.sha256(written.read_bytes()).hexdigest() == detail["sha256"]
    assert hashlib.sha256(answer.content).hexdigest() == detail["sha256"]
    again = post(clients["legal"], f"{page_url}/download/{name}", page_url)
    assert again.status_code == 200
    details = [e["detail"] for e in audits(demo_workspace, action, "web:legal")]
    paths = [str(d["path"]) for d in details if isinstance(d, dict)]
    assert len(set(paths[-2:])) == 2


def test_viewer_cannot_export(clients: dict[str, Client], incident_id: str) -> None:
    page_url = f"/incidents/{incident_id}"
    for url in (f"{page_url}/download/report-html", f"{page_url}/persons/export"):
        assert post(clients["viewer"], url, page_url).status_code == 403
    no_token = clients["responder"].post(f"{page_url}/download/report-html")
    assert no_token.status_code == 403
    unknown = post(clients["responder"], f"{page_url}/download/passwords", page_url)
    assert unknown.status_code == 404


# --- Evidence that changed ----------------------------------------------------------------


@pytest.fixture
def small_workspace(tmp_path: Path) -> Iterator[Workspace]:
    workspace = init_workspace(tmp_path / "ws")
    add_user(workspace.store, "resp", "responder", PASSWORD, actor="test")
    yield workspace
    workspace.close()


def test_verify_reports_a_changed_stored_copy(small_workspace: Workspace, tmp_path: Path) -> None:
    case = open_incident(small_workspace, title="Evidence check", actor="test")
    log = tmp_path / "gateway.log"
    log.write_text("GET /api/v1/customers/1 200\n", encoding="utf-8")
    item = add_evidence(small_workspace, case.id, log, actor="test")
    stored = Path(item.stored_path)
    stored.chmod(0o600)
    stored.write_text("tampered\n", encoding="utf-8")
    client = Client(create_app(small_workspace))
    try:
        assert client.login("resp").status_code == 303
        page_url = f"/incidents/{case.id}"
        assert post(client, f"{page_url}/evidence/verify", page_url).status_code == 303
        html = client.get(page_url).text
    finally:
        client.close()
    assert '<p class="result-bad">' in html
    assert "1 stored copy changed or missing, 0 intact" in html
    assert "DOES NOT MATCH" in html


def test_scope_and_assess_say_why_they_did_not_run(
    small_workspace: Workspace, tmp_path: Path
) -> None:
    case = open_incident(small_workspace, title="Nothing ingested", actor="test")
    client = Client(create_app(small_workspace))
    try:
        assert client.login("resp").status_code == 303
        page_url = f"/incidents/{case.id}"
        answer = post(client, f"{page_url}/scope", page_url)
        assert answer.status_code == 200
        assert 'id="scope-error"' in answer.text
        assert list_runs(small_workspace, case.id) == []
        # The lock is released after a failed run: the next attempt runs (and fails) again.
        again = post(client, f"{page_url}/scope", page_url)
        assert 'id="scope-error"' in again.text
    finally:
        client.close()
    add_user(small_workspace.store, "counsel", "legal", PASSWORD, actor="test")
    lawyer = Client(create_app(small_workspace))
    try:
        assert lawyer.login("counsel").status_code == 303
        page = lawyer.get(f"/incidents/{case.id}").text
        assert 'id="assess-needs-aware"' in page
        answer = post(
            lawyer, f"/incidents/{case.id}/assess", f"/incidents/{case.id}", cause="malicious"
        )
        assert answer.status_code == 200
        assert 'id="assess-error"' in answer.text
        assert "aware" in answer.text
    finally:
        lawyer.close()
