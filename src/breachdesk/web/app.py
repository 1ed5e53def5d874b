"""The web application: the team's workbench (login, roles) and the public portal.

``create_app(workspace)`` builds the workbench with every page router and mounts the
notify stage's portal as a separate sub-application at ``/portal``: the portal has no
session handling and never receives the workbench's cookie (the Cookie header is dropped
before it), so the two share nothing but the origin.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from breachdesk.errors import UserInputError
from breachdesk.notify import portal_router
from breachdesk.web.pagekit import Forbidden, LoginRequired, NotFound, required_permission
from breachdesk.web.pages import ROUTERS, dashboard, login, phishing
from breachdesk.web.ratelimit import LoginLimits
from breachdesk.web.render import environment
from breachdesk.web.security import PORTAL_CSP, BodyLimit, SecurityHeaders, WithoutCookies
from breachdesk.workspace import Workspace

STATIC = Path(__file__).parent / "static"
PORTAL_PREFIX = "/portal"


def create_app(workspace: Workspace, *, login_limits: LoginLimits | None = None) -> FastAPI:
    """The workbench on ``workspace``, with the portal at ``/portal``."""
    app = FastAPI(title="Breachdesk workbench", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.workspace = workspace
    app.state.login_limits = login_limits or LoginLimits()
    app.state.dashboard_cache = dashboard.DashboardCache()
    app.state.watchlist_cache = phishing.WatchlistCache()
    _check_guarded()
    for router in (login.router, *ROUTERS):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount(PORTAL_PREFIX, portal_app(workspace))
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(UserInputError, _bad_input)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    return app


def portal_app(workspace: Workspace) -> WithoutCookies:
    """The public portal ("Is this notice genuine?", "Was I affected?"), cookie-blind."""
    portal = FastAPI(title="Breachdesk portal", docs_url=None, redoc_url=None, openapi_url=None)
    portal.include_router(portal_router(lambda: workspace.store, lambda: workspace.settings.notify))
    return WithoutCookies(SecurityHeaders(BodyLimit(portal, 64 * 1024), PORTAL_CSP))


def workbench_routes() -> list[APIRoute]:
    """The workbench's own routes (login and the pages; not static files, not the portal)."""
    return [
        r for router in (login.router, *ROUTERS) for r in router.routes if isinstance(r, APIRoute)
    ]


def _check_guarded() -> None:
    # A route without a permission would be open to anyone: refuse to build the app.
    for route in workbench_routes():
        if route.path in login.PUBLIC_PATHS:
            continue
        if required_permission(route.dependant.dependencies) is None:
            raise RuntimeError(f"workbench route {route.path} declares no permission (Require)")


def _error_page(status: int, title: str, message: str) -> HTMLResponse:
    html = environment().get_template("error.html.j2").render(title=title, message=message)
    return HTMLResponse(html, status_code=status)


async def _login_required(request: Request, exc: Exception) -> Response:
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return _error_page(401, "Not logged in", "Log in to use the workbench.")


async def _forbidden(request: Request, exc: Exception) -> Response:
    reason = exc.reason if isinstance(exc, Forbidden) else "forbidden"
    return _error_page(403, "Not allowed", reason)


async def _not_found(request: Request, exc: Exception) -> Response:
    what = exc.what if isinstance(exc, NotFound) else "page"
    return _error_page(404, "Not found", f"There is no {what}.")


async def _bad_input(request: Request, exc: Exception) -> Response:
    return _error_page(400, "Cannot do that", str(exc))
