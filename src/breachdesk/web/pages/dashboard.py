"""The dashboard: open incidents with their regulatory clocks, nearest deadlines, new alerts.

Many people keep it open at once, so its body is computed and rendered at most once per
``FRESH_SECONDS`` per process (a few cheap store queries, no event scan) and shared by every
user; only the layout around it is rendered per request. The countdowns carry absolute
deadlines, and the page the server's time, so they stay exact although the body is shared.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from breachdesk.detect import alert_incidents, read_alerts
from breachdesk.incident import list_incidents
from breachdesk.model import Alert
from breachdesk.model.incident import IncidentSummary, Status
from breachdesk.web.pagekit import Page, Require
from breachdesk.web.render import environment
from breachdesk.web.roles import Permission
from breachdesk.workspace import Workspace

router = APIRouter()
FRESH_SECONDS = 2.0
NEW_ALERTS_SHOWN = 10


@dataclass(frozen=True)
class Overview:
    incidents: tuple[IncidentSummary, ...]
    new_alerts: tuple[Alert, ...]
    new_alert_count: int
    alert_count: int


class DashboardCache:
    """The last rendered body and when it was made (monotonic seconds)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.body: Markup | None = None
        self.at = 0.0

    def fresh(self) -> Markup | None:
        body = self.body
        return body if body is not None and time.monotonic() - self.at < FRESH_SECONDS else None


def overview(workspace: Workspace) -> Overview:
    """Open incidents (nearest deadline first) and the alerts no incident holds yet."""
    incidents = [i for i in list_incidents(workspace) if i.status is not Status.CLOSED]
    taken = alert_incidents(workspace.store)
    alerts = read_alerts(workspace.store)
    free = [a for a in alerts if a.id not in taken]
    return Overview(tuple(incidents), tuple(free[:NEW_ALERTS_SHOWN]), len(free), len(alerts))


def _nearest_first(incidents: tuple[IncidentSummary, ...]) -> list[IncidentSummary]:
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(incidents, key=lambda i: i.clock.deadline_at if i.clock else far)


def render_body(workspace: Workspace, cache: DashboardCache) -> Markup:
    """The dashboard's body, from the cache when fresh (one refresh at a time).

    While one request refreshes an expired body, the others get the previous one (at most a
    refresh older) instead of queueing behind the lock: no convoy every ``FRESH_SECONDS``.
    """
    stale = cache.body
    if stale is not None and not cache.lock.acquire(blocking=False):
        return stale
    if stale is None:
        cache.lock.acquire()
    try:
        body = cache.fresh()
        if body is not None:
            return body
        data = overview(workspace)
        incidents = _nearest_first(data.incidents)
        html = (
            environment()
            .get_template("dashboard_body.html.j2")
            .render(
                incidents=incidents,
                deadlines=[i for i in incidents if i.clock is not None],
                new_alerts=data.new_alerts,
                new_alert_count=data.new_alert_count,
                alert_count=data.alert_count,
            )
        )
        cache.body, cache.at = Markup(html), time.monotonic()  # noqa: S704 (autoescaped)
        return cache.body
    finally:
        cache.lock.release()


@router.get("/")
async def dashboard(page: Annotated[Page, Depends(Require(Permission.VIEW))]) -> Response:
    state = page.request.app.state
    cache: DashboardCache = state.dashboard_cache
    body = cache.fresh() or await run_in_threadpool(render_body, page.workspace, cache)
    return page.render("dashboard.html.j2", body=body)
