"""Headers, cookies, sessions, login limits, audit entries and escaping of hostile strings."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from breachdesk.store.audit_read import audit_entries
from breachdesk.web import add_user, create_app
from breachdesk.web.ratelimit import LoginLimits
from breachdesk.web.roles import Role
from breachdesk.workspace import init_workspace
from tests.web.conftest import (
    PASSWORD,
    SCRIPT_NAME,
    SCRIPT_UA,
    USERS,
    Client,
    Demo,
    csrf_of,
    logged_in,
)


def _cookie_header(response: Any, name: str) -> str:
    found = [v for v in response.headers.get_list("set-cookie") if v.startswith(f"{name}=")]
    assert found, f"no {name} cookie set"
    return found[0]


def test_pages_carry_a_strict_policy_and_no_store(app: Any) -> None:
    client = logged_in(app, Role.ADMIN)
    try:
        for path in ("/", "/alerts", "/login"):
            headers = client.get(path).headers
            csp = headers["content-security-policy"]
            assert "default-src 'self'" in csp
            assert "script-src 'self';" in csp
            assert "unsafe-inline" not in csp
            assert "frame-ancestors 'none'" in csp
            assert headers["x-frame-options"] == "DENY"
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "no-referrer"
            assert headers["cache-control"] == "no-store"
    finally:
        client.close()


def test_templates_have_no_inline_script_or_style() -> None:
    folder = Path(__file__).parents[2] / "src" / "breachdesk" / "web" / "templates"
    for template in folder.glob("*.j2"):
        text = template.read_text(encoding="utf-8")
        assert "style=" not in text, template.name
        assert "<style" not in text, template.name
        for tag in text.split("<script")[1:]:
            assert tag.lstrip().startswith("src="), f"inline script in {template.name}"
        for handler in ("onclick", "onload", "onerror", "onsubmit", "javascript:"):
            assert handler not in text, f"{handler} in {template.name}"


def test_session_cookie_is_httponly_and_samesite_strict(app: Any) -> None:
    client = Client(app)
    try:
        response = client.login(USERS[Role.VIEWER])
        cookie = _cookie_header(response, "bd_session").lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert "path=/" in cookie
        assert "secure" not in cookie  # plain HTTP on loopback: a Secure cookie would be lost
    finally:
        client.close()


def test_session_cookie_is_secure_over_tls(app: Any) -> None:
    client = Client(app, https=True)
    try:
        response = client.login(USERS[Role.VIEWER])
        assert "secure" in _cookie_header(response, "bd_session").lower()
        assert client.get("/").status_code == 200
    finally:
        client.close()


def test_logout_revokes_the_session_on_the_server(app: Any) -> None:
    client = logged_in(app, Role.VIEWER)
    try:
        stolen = client.http.cookies.get("bd_session")
        assert client.post("/logout", data={"csrf": client.csrf()}).status_code == 303
        thief = Client(app)
        thief.http.cookies.set("bd_session", stolen or "", domain="workbench.test")
        assert thief.get("/").status_code == 303
        thief.close()
    finally:
        client.close()


def test_login_form_needs_its_token(client: Client) -> None:
    response = client.post(
        "/login", data={"name": USERS[Role.ADMIN], "password": PASSWORD, "csrf": "forged"}
    )
    assert response.status_code == 403
    assert "bd_session" not in response.headers.get("set-cookie", "")


def test_login_next_never_leaves_the_site(client: Client) -> None:
    token = csrf_of(client.get("/login?next=//evil.test/x").text)
    response = client.post(
        "/login",
        data={
            "name": USERS[Role.ADMIN],
            "password": PASSWORD,
            "csrf": token,
            "next": "//evil.test/x",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_logins_are_audited(app: Any, demo: Demo) -> None:
    client = Client(app)
    try:
        client.login(USERS[Role.LEGAL], "wrong password!")
        client.login(USERS[Role.LEGAL])
    finally:
        client.close()
    entries = audit_entries(demo.workspace.store, target=f"user:{USERS[Role.LEGAL]}", limit=5)
    actions = [e.action for e in entries]
    assert actions[-2:] == ["web.login.failed", "web.login"]
    assert entries[-1].actor == f"web:{USERS[Role.LEGAL]}"
    assert entries[-1].detail["address"] == "127.0.0.1"


def test_login_rate_limit_per_account_and_per_address(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    add_user(ws.store, "alice", "viewer", PASSWORD, actor="test")
    add_user(ws.store, "bob", "viewer", PASSWORD, actor="test")
    app = create_app(ws, login_limits=LoginLimits(per_address=6, per_account=3))
    attacker = Client(app, address="198.51.100.7")
    try:
        codes = [attacker.login("alice", f"guess {i}").status_code for i in range(3)]
        assert codes == [401, 401, 401]
        # The account is locked for a while, even with the right password…
        assert attacker.login("alice").status_code == 429
        # …from any address.
        other = Client(app, address="192.0.2.1")
        assert other.login("alice").status_code == 429
        other.close()
        # The address is limited across accounts.
        for i in range(3):
            attacker.login(f"nobody{i}", "guess")
        assert attacker.login("bob").status_code == 429
        friend = Client(app, address="192.0.2.2")
        assert friend.login("bob").status_code == 303
        friend.close()
    finally:
        attacker.close()
        ws.close()


def test_disabling_an_account_ends_its_sessions(app: Any, demo: Demo) -> None:
    add_user(demo.workspace.store, "short-lived", "viewer", PASSWORD, actor="test")
    victim = Client(app)
    admin = logged_in(app, Role.ADMIN)
    try:
        assert victim.login("short-lived").status_code == 303
        assert victim.get("/").status_code == 200
        response = admin.post("/users/short-lived/disable", data={"csrf": admin.csrf()})
        assert response.status_code == 200
        assert victim.get("/").status_code == 303
        assert victim.login("short-lived").status_code == 401
    finally:
        victim.close()
        admin.close()


def test_hostile_strings_are_escaped(app: Any, demo: Demo) -> None:
    client = logged_in(app, Role.RESPONDER)
    try:
        pages = [
            client.get(f"/alerts/{demo.free_alert}").text,
            client.get("/alerts").text,
            client.get(f"/incidents/{demo.incident_id}").text,
            client.get(f"/incidents/{demo.incident_id}/persons").text,
            client.get("/").text,
        ]
    finally:
        client.close()
    assert "&lt;script&gt;alert(&#34;ua&#34;)&lt;/script&gt;" in pages[0]
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in pages[1]
    for html in pages:
        assert SCRIPT_UA not in html
        assert SCRIPT_NAME not in html
        assert "<script>" not in html


def test_eml_subject_is_escaped(app: Any) -> None:
    eml = (
        b"From: Shop <support@shop-example.test>\r\nTo: p1@example.test\r\n"
        b"Subject: <script>alert('subject')</script> verify your account\r\n"
        b"Content-Type: text/plain\r\n\r\nClick http://shop-example.test/login now\r\n"
    )
    client = logged_in(app, Role.RESPONDER)
    try:
        response = client.post(
            "/phishing/score",
            data={"csrf": client.csrf()},
            files={"eml": ("<img src=x>.eml", eml, "message/rfc822")},
        )
    finally:
        client.close()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;" in response.text
    assert "<script>alert" not in response.text
    assert "<img src=x>" not in response.text
    assert 'id="verdict"' in response.text


def test_oversized_eml_is_refused(app: Any) -> None:
    client = logged_in(app, Role.RESPONDER)
    try:
        csrf = client.csrf()
        big = b"Subject: x\r\n\r\n" + b"a" * (5 * 1024 * 1024 + 10)
        response = client.post(
            "/phishing/score", data={"csrf": csrf}, files={"eml": ("big.eml", big, "text/plain")}
        )
        assert response.status_code == 413
        huge = b"a" * (12 * 1024 * 1024)
        assert client.post("/phishing/score", content=huge).status_code == 413
    finally:
        client.close()


def test_persons_view_and_export_are_audited_and_csv_is_inert(app: Any, demo: Demo) -> None:
    client = logged_in(app, Role.LEGAL)
    try:
        assert client.get(f"/incidents/{demo.incident_id}/persons").status_code == 200
        response = client.post(
            f"/incidents/{demo.incident_id}/persons/export", data={"csrf": client.csrf()}
        )
    finally:
        client.close()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2
    assert rows[0]["email"].startswith("'=HYPERLINK")
    entries = audit_entries(demo.workspace.store, target=f"incident:{demo.incident_id}", limit=5)
    mine = [e for e in entries if e.actor == f"web:{USERS[Role.LEGAL]}"]
    assert [e.action for e in mine][-2:] == ["persons.view", "persons.export"]
    assert mine[-1].detail["rows"] == 2
    assert len(mine[-1].detail["sha256"]) == 64


def test_open_incident_from_alert(tmp_path: Path) -> None:
    from tests.web.conftest import build_demo

    demo = build_demo(tmp_path)
    app = create_app(demo.workspace)
    client = logged_in(app, Role.RESPONDER)
    try:
        page = client.get(f"/alerts/{demo.free_alert}")
        assert 'id="open-incident"' in page.text
        response = client.post(
            f"/alerts/{demo.free_alert}/incident",
            data={"csrf": csrf_of(page.text), "title": "Bulk reads by svc-export"},
        )
        assert response.status_code == 303
        location = response.headers["location"]
        assert location.startswith("/incidents/INC-")
        incident = client.get(location)
        assert incident.status_code == 200
        assert "Bulk reads by svc-export" in incident.text
        assert demo.free_alert in incident.text
        # Opening again goes to the same incident instead of failing or duplicating.
        again = client.post(
            f"/alerts/{demo.free_alert}/incident", data={"csrf": csrf_of(page.text)}
        )
        assert again.headers["location"] == location
    finally:
        client.close()
        demo.workspace.close()
    entries = audit_entries(demo.workspace.store, target="incident:", limit=3)
    assert entries[-1].action == "incident.open"
    assert entries[-1].actor == f"web:{USERS[Role.RESPONDER]}"


def test_dashboard_counts_down_to_the_nearest_deadline(app: Any, demo: Demo) -> None:
    client = logged_in(app, Role.VIEWER)
    try:
        html = client.get("/").text
        script = client.get("/static/app.js")
    finally:
        client.close()
    assert 'class="countdown' in html
    assert "data-seconds-left=" in html
    assert "GDPR Art. 33(1)" in html
    assert demo.free_alert in html  # a new alert (in no incident)
    assert '<script src="/static/app.js" defer></script>' in html
    assert script.status_code == 200
    assert "countdown" in script.text
