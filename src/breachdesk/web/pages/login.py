"""Login and logout. Logins (ok or failed) are audited and rate limited.

The login form is protected from cross-site posting by a double-submit token: a random
value in a SameSite=Strict cookie scoped to ``/login`` that the form must echo.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from breachdesk.store import record_audit
from breachdesk.web.accounts import verify_login
from breachdesk.web.pagekit import SESSION_COOKIE, Page, Require
from breachdesk.web.ratelimit import LoginLimits, clear_account, login_blocked, record_failure
from breachdesk.web.render import environment
from breachdesk.web.roles import Permission
from breachdesk.web.sessions import end_session, start_session
from breachdesk.workspace import Workspace

router = APIRouter()
LOGIN_COOKIE = "bd_login"
PUBLIC_PATHS = frozenset({"/login"})


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _next(value: str | None) -> str:
    """Only a local path: ``next`` must never send the browser to another site."""
    if not value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value:
        return "/"
    return value


def _form(request: Request, *, status: int = 200, error: str = "", name: str = "") -> Response:
    token = secrets.token_urlsafe(32)
    html = (
        environment()
        .get_template("login.html.j2")
        .render(csrf=token, error=error, name=name, next=_next(request.query_params.get("next")))
    )
    response = HTMLResponse(html, status_code=status)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return _form(request)


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    workspace: Workspace = request.app.state.workspace
    limits: LoginLimits = request.app.state.login_limits
    store = workspace.store
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not csrf or not hmac.compare_digest(cookie.encode(), csrf.encode()):
        return _form(request, status=403, error="The form expired; please log in again.")
    address = request.client.host if request.client is not None else "unknown"
    shown = name.strip()[:64]
    if login_blocked(store, address, shown, limits):
        _audit(workspace, "web.login.failed", shown, address, "rate limited")
        response = _form(
            request, status=429, error="Too many failed logins; wait and try again.", name=shown
        )
        response.headers["Retry-After"] = str(int(limits.window.total_seconds()))
        return response
    account = verify_login(store, shown, password)
    if account is None:
        record_failure(store, address, shown, limits)
        _audit(workspace, "web.login.failed", shown, address, "wrong name or password")
        return _form(request, status=401, error="Wrong name or password.", name=shown)
    clear_account(store, address, shown)
    token = start_session(store, account.id)
    _audit(workspace, "web.login", account.name, address, "ok")
    response = RedirectResponse(_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, path="/", httponly=True, samesite="strict", secure=_secure(request)
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(page: Annotated[Page, Depends(Require(Permission.VIEW))]) -> Response:
    await run_in_threadpool(end_session, page.workspace.store, page.user)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _audit(workspace: Workspace, action: str, name: str, address: str, outcome: str) -> None:
    with workspace.store.session() as session:
        record_audit(
            session,
            actor=f"web:{name}" if action == "web.login" else "web:anonymous",
            action=action,
            target=f"user:{name}",
            detail={"address": address[:64], "outcome": outcome},
        )
