"""What every workbench route depends on: the logged-in user, the permission, the CSRF check.

A route asks for a ``Page`` through ``Require(Permission.X)``::

    @router.get("/alerts")
    def alerts(page: Annotated[Page, Depends(Require(Permission.VIEW))]) -> Response:
        return page.render("alerts.html.j2", alerts=...)

``Require`` loads the session from the cookie (else login), checks the role's permission
(else 403) and, on every method but GET/HEAD, the form's ``csrf`` field or the
``X-CSRF-Token`` header (else 403). ``create_app`` refuses a route without one.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from breachdesk.store import record_audit
from breachdesk.web.render import environment
from breachdesk.web.roles import Permission, allowed
from breachdesk.web.sessions import SessionUser, load_session
from breachdesk.workspace import Workspace

SESSION_COOKIE = "bd_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

NAV = (
    ("Dashboard", "/", Permission.VIEW),
    ("Incidents", "/incidents", Permission.VIEW),
    ("Alerts", "/alerts", Permission.VIEW),
    ("Inventory", "/inventory", Permission.VIEW),
    ("Phishing", "/phishing", Permission.VIEW),
    ("Audit log", "/audit", Permission.AUDIT_READ),
    ("Users", "/users", Permission.USERS_MANAGE),
)


class LoginRequired(Exception):
    """No live session: browsers are sent to the login page, other clients get 401."""


class Forbidden(Exception):
    """The role lacks the permission, or the CSRF token is missing or wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotFound(Exception):
    """What the URL names does not exist."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class Page:
    """One authorised request: the workspace, the user, and rendering with the layout."""

    request: Request
    workspace: Workspace
    user: SessionUser
    permission: Permission

    def can(self, permission: Permission | str) -> bool:
        return allowed(self.user.role, Permission(permission))

    def render(self, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
        """``template`` (extending ``base.html.j2``) with ``user``, ``csrf``, ``can``, ``nav``."""
        html = (
            environment()
            .get_template(template)
            .render(
                user=self.user,
                csrf=self.user.csrf,
                can=self.can,
                nav=[(label, href) for label, href, need in NAV if self.can(need)],
                path=self.request.url.path,
                server_now=f"{time.time():.3f}",
                **values,
            )
        )
        return HTMLResponse(html, status_code=status)

    def audit(self, action: str, target: str, detail: dict[str, Any] | None = None) -> None:
        """One audit entry by this user (views of persons, exports, changes)."""
        with self.workspace.store.session() as session:
            record_audit(
                session, actor=self.user.actor, action=action, target=target, detail=detail
            )


class Require:
    """The dependency that guards a route with one permission (see the module docstring)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Page:
        workspace: Workspace = request.app.state.workspace
        token = request.cookies.get(SESSION_COOKIE, "")
        user = await run_in_threadpool(load_session, workspace.store, token) if token else None
        if user is None:
            raise LoginRequired
        if not allowed(user.role, self.permission):
            raise Forbidden(f"your role ({user.role}) does not allow {self.permission}")
        if request.method not in SAFE_METHODS:
            await check_csrf(request, user.csrf)
        return Page(request, workspace, user, self.permission)


async def check_csrf(request: Request, expected: str) -> None:
    """Forbidden unless the request carries ``expected`` as a form field or header."""
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        kind = request.headers.get("content-type", "")
        if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else ""
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden("the form's security token is missing or wrong; reload the page")


def required_permission(dependencies: list[Any]) -> Permission | None:
    """The permission a route's dependencies require (for ``create_app`` and the tests)."""
    for dependency in dependencies:
        if isinstance(dependency.call, Require):
            return dependency.call.permission
    return None
