"""Alerts: the list, one alert with its events, and "open incident" from an alert."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from breachdesk.detect import alert_events, alert_incidents, read_alert, read_alerts
from breachdesk.incident import open_incident
from breachdesk.web.pagekit import NotFound, Page, Require
from breachdesk.web.roles import Permission

router = APIRouter()
EVENTS_SHOWN = 200
# Event columns shown on an alert's page, in this order.
EVENT_COLUMNS = (
    "time",
    "source",
    "principal",
    "src_ip",
    "action",
    "method",
    "path",
    "query",
    "status",
    "rows",
    "user_agent",
    "raw_ref",
)


@router.get("/alerts")
async def alert_list(page: Annotated[Page, Depends(Require(Permission.VIEW))]) -> Response:
    store = page.workspace.store
    alerts = await run_in_threadpool(read_alerts, store)
    taken = await run_in_threadpool(alert_incidents, store)
    return page.render("alerts.html.j2", alerts=alerts, taken=taken)


@router.get("/alerts/{alert_id}")
async def alert_detail(
    alert_id: str, page: Annotated[Page, Depends(Require(Permission.VIEW))]
) -> Response:
    found = await run_in_threadpool(read_alert, page.workspace.store, alert_id)
    if found is None:
        raise NotFound("such alert")
    alert, incident_id = found
    table = await run_in_threadpool(alert_events, page.workspace, alert, limit=EVENTS_SHOWN)
    events = table.select(list(EVENT_COLUMNS)).to_pylist()
    return page.render(
        "alert.html.j2",
        alert=alert,
        incident_id=incident_id,
        events=events,
        columns=EVENT_COLUMNS,
        shown_limit=EVENTS_SHOWN,
    )


@router.post("/alerts/{alert_id}/incident")
async def open_from_alert(
    alert_id: str,
    page: Annotated[Page, Depends(Require(Permission.RESPOND))],
    title: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    found = await run_in_threadpool(read_alert, page.workspace.store, alert_id)
    if found is None:
        raise NotFound("such alert")
    alert, incident_id = found
    if incident_id is not None:
        return RedirectResponse(f"/incidents/{incident_id}", status_code=303)
    name = title.strip() or f"Possible extraction by {', '.join(alert.principals)}"[:300]
    case = await run_in_threadpool(
        lambda: open_incident(
            page.workspace, title=name, actor=page.user.actor, alert_ids=[alert.id]
        )
    )
    return RedirectResponse(f"/incidents/{case.summary.id}", status_code=303)
