"""The dashboard: open incidents with their regulatory clocks, nearest deadlines, new alerts.

Many people keep it open at once, so its figures are computed at most once per
``FRESH_SECONDS`` per process (four cheap store queries, no event scan) and the seconds left
are recomputed from the cached deadlines on every request.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from breachdesk.detect import alert_incidents, read_alerts
from breachdesk.incident import list_incidents
from breachdesk.model import Alert
from breachdesk.model.incident import IncidentSummary, Status
from breachdesk.web.pagekit import Page, Require
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


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: Overview | None = None
        self.at = 0.0


def overview(workspace: Workspace, cache: _Cache | None = None) -> Overview:
    """Open incidents (nearest deadline first) and the alerts no incident holds yet."""
    if cache is not None:
        with cache.lock:
            if cache.value is not None and time.monotonic() - cache.at < FRESH_SECONDS:
                return cache.value
    incidents = [i for i in list_incidents(workspace) if i.status is not Status.CLOSED]
    taken = alert_incidents(workspace.store)
    alerts = read_alerts(workspace.store)
    free = [a for a in alerts if a.id not in taken]
    result = Overview(tuple(incidents), tuple(free[:NEW_ALERTS_SHOWN]), len(free), len(alerts))
    if cache is not None:
        with cache.lock:
            cache.value, cache.at = result, time.monotonic()
    return result


def _with_seconds_left(incidents: tuple[IncidentSummary, ...]) -> list[IncidentSummary]:
    now = datetime.now(UTC)
    fresh = []
    for incident in incidents:
        clock = incident.clock
        if clock is not None:
            left = int((clock.deadline_at - now).total_seconds())
            incident = replace(incident, clock=replace(clock, seconds_left=left))
        fresh.append(incident)
    far = float("inf")
    return sorted(fresh, key=lambda i: i.clock.seconds_left if i.clock else far)


@router.get("/")
async def dashboard(page: Annotated[Page, Depends(Require(Permission.VIEW))]) -> Response:
    state = page.request.app.state
    if not hasattr(state, "dashboard_cache"):
        state.dashboard_cache = _Cache()
    data = await run_in_threadpool(overview, page.workspace, state.dashboard_cache)
    incidents = _with_seconds_left(data.incidents)
    return page.render(
        "dashboard.html.j2",
        incidents=incidents,
        deadlines=[i for i in incidents if i.clock is not None],
        new_alerts=data.new_alerts,
        new_alert_count=data.new_alert_count,
        alert_count=data.alert_count,
    )
