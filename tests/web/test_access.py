"""Every workbench route × every role, unauthenticated requests, and CSRF on every POST.

The route list comes from the app, so a new route without a case here fails the suite.
"""

from __future__ import annotations

from typing import Any

import pytest

from breachdesk.web.app import workbench_routes
from breachdesk.web.pagekit import required_permission
from breachdesk.web.pages.login import PUBLIC_PATHS
from breachdesk.web.roles import Permission, Role, allowed
from tests.web.conftest import TARGET_USER, Client, Demo, logged_in

EML = b"From: a@example.test\r\nTo: b@example.test\r\nSubject: hello\r\n\r\nHi\r\n"


def _values(demo: Demo) -> dict[str, str]:
    return {
        "alert_id": demo.free_alert,
        "incident_id": demo.incident_id,
        "name": TARGET_USER,
        "task_id": "1",
        "file": "veris",
    }


# What each POST sends besides the CSRF token (form fields, or files for uploads).
POST_BODIES: dict[str, dict[str, Any]] = {
    "/logout": {},
    "/alerts/{alert_id}/incident": {"data": {"title": "Opened from the route matrix"}},
    "/incidents/{incident_id}/persons/export": {},
    "/incidents/{incident_id}/case": {"data": {"status": "investigating"}},
    "/incidents/{incident_id}/tasks/{task_id}": {"data": {"status": "in-progress"}},
    "/incidents/{incident_id}/evidence/verify": {},
    "/incidents/{incident_id}/scope": {},
    "/incidents/{incident_id}/assess": {"data": {"cause": "malicious"}},
    "/incidents/{incident_id}/download/{file}": {},
    "/phishing/score": {"files": {"eml": ("x.eml", EML, "message/rfc822")}},
    "/users": {"data": {"name": "matrix-made", "role": "viewer"}},
    "/users/{name}/password": {},
    "/users/{name}/disable": {},
}

GUARDED = [
    (method, route.path, required_permission(route.dependant.dependencies))
    for route in workbench_routes()
    for method in sorted(route.methods)
    if route.path not in PUBLIC_PATHS
]


def _call(client: Client, method: str, path: str, demo: Demo, csrf: str | None) -> Any:
    url = path.format(**_values(demo))
    if method == "GET":
        return client.get(url)
    body = POST_BODIES[path]
    data = dict(body.get("data", {}))
    if csrf is not None:
        data["csrf"] = csrf
    return client.post(url, data=data, files=body.get("files"))


def test_every_route_declares_a_permission_and_has_a_case() -> None:
    assert GUARDED, "no workbench routes found"
    for method, path, permission in GUARDED:
        assert permission is not None, f"{method} {path} has no permission"
        if method == "POST":
            assert path in POST_BODIES, f"POST {path} has no case in POST_BODIES"
    assert {"/", "/alerts", "/incidents", "/inventory", "/phishing", "/audit", "/users"} <= {
        path for _, path, _ in GUARDED
    }


@pytest.mark.parametrize(("method", "path", "permission"), GUARDED, ids=lambda v: str(v))
def test_unauthenticated_request_is_refused(
    client: Client, demo: Demo, method: str, path: str, permission: Permission
) -> None:
    response = _call(client, method, path, demo, csrf=None)
    if method == "GET":
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    else:
        assert response.status_code == 401


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize(
    ("method", "path", "permission"),
    [g for g in GUARDED if g[1] != "/logout"],
    ids=lambda v: str(v),
)
def test_route_answers_each_role_by_the_matrix(
    app: Any, demo: Demo, role: Role, method: str, path: str, permission: Permission
) -> None:
    client = logged_in(app, role)
    try:
        csrf = client.csrf()
        response = _call(client, method, path, demo, csrf)
    finally:
        client.close()
    if allowed(role, permission):
        assert response.status_code in (200, 303), (role, path, response.text[:300])
    else:
        assert response.status_code == 403, (role, path)
        assert "does not allow" in response.text


@pytest.mark.parametrize(
    ("method", "path", "permission"),
    [g for g in GUARDED if g[0] == "POST"],
    ids=lambda v: str(v),
)
@pytest.mark.parametrize("token", ["", "wrong-token"], ids=["missing", "wrong"])
def test_post_without_a_valid_csrf_token_is_rejected(
    app: Any, demo: Demo, method: str, path: str, permission: Permission, token: str
) -> None:
    client = logged_in(app, Role.ADMIN)
    try:
        response = _call(client, method, path, demo, csrf=token or None)
        assert response.status_code == 403
        assert "security token" in response.text
        # The session still works: the refused form changed nothing (not even logout).
        assert client.get("/").status_code == 200
    finally:
        client.close()


def test_viewer_cannot_export_or_list_persons(app: Any, demo: Demo) -> None:
    client = logged_in(app, Role.VIEWER)
    try:
        csrf = client.csrf()
        export = client.post(f"/incidents/{demo.incident_id}/persons/export", data={"csrf": csrf})
        listing = client.get(f"/incidents/{demo.incident_id}/persons")
        page = client.get(f"/incidents/{demo.incident_id}")
    finally:
        client.close()
    assert export.status_code == 403
    assert "text/csv" not in export.headers.get("content-type", "")
    assert listing.status_code == 403
    assert "Export persons" not in page.text


def test_csrf_token_of_another_session_is_rejected(app: Any, demo: Demo) -> None:
    first, second = logged_in(app, Role.ADMIN), logged_in(app, Role.ADMIN)
    try:
        foreign = first.csrf()
        assert foreign != second.csrf()
        response = second.post(
            "/users", data={"name": "never-made", "role": "viewer", "csrf": foreign}
        )
        assert response.status_code == 403
        assert "never-made" not in second.get("/users").text
    finally:
        first.close()
        second.close()


def test_app_refuses_a_route_without_a_permission(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi import APIRouter

    from breachdesk.web import app as web_app
    from breachdesk.web import create_app

    open_router = APIRouter()

    @open_router.get("/forgotten")
    def forgotten() -> str:
        return "anyone"

    monkeypatch.setattr(web_app, "ROUTERS", (*web_app.ROUTERS, open_router))
    with pytest.raises(RuntimeError, match="/forgotten declares no permission"):
        create_app(demo.workspace)


def test_login_returns_to_the_page_asked_for(client: Client) -> None:
    first = client.get("/alerts")
    assert first.headers["location"] == "/login?next=%2Falerts"
    form = client.get(first.headers["location"]).text
    assert 'name="next" value="/alerts"' in form
