"""The public portal: reachable without login, cookie-blind, no workbench session."""

from __future__ import annotations

import asyncio
from typing import Any

from breachdesk.web.roles import Role
from breachdesk.web.security import WithoutCookies
from tests.web.conftest import Client, logged_in


def test_portal_is_reachable_without_login(client: Client) -> None:
    for path in ("/portal/verify", "/portal/affected"):
        response = client.get(path)
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        assert response.headers["x-frame-options"] == "DENY"
        assert "script-src" not in response.headers["content-security-policy"]


def test_portal_answers_a_code_without_a_session(client: Client) -> None:
    response = client.post("/portal/api/verify", json={"code": "ABCD-EFGH-JKLM"})
    assert response.status_code == 200
    assert response.json() == {"genuine": False}


def test_workbench_session_opens_nothing_under_the_portal(app: Any) -> None:
    admin = logged_in(app, Role.ADMIN)
    try:
        assert admin.get("/portal/users").status_code == 404
        assert admin.get("/portal/").status_code == 404
        response = admin.get("/portal/verify")
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
    finally:
        admin.close()


def test_portal_never_receives_the_cookie_header() -> None:
    seen: list[list[tuple[bytes, bytes]]] = []

    async def probe(scope: Any, receive: Any, send: Any) -> None:
        seen.append(list(scope["headers"]))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def run() -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            return None

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/verify",
            "headers": [(b"cookie", b"bd_session=secret"), (b"accept", b"text/html")],
        }
        await WithoutCookies(probe)(scope, receive, send)

    asyncio.run(run())
    assert seen == [[(b"accept", b"text/html")]]
