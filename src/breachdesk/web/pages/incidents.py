"""Incidents: the list, a minimal incident page, its affected persons and their export.

The incident page here shows the case's key facts only; the full page (clock, timeline,
tasks, evidence, scope, obligations, campaigns, reports) replaces ``incident_detail``.
Viewing the persons list and exporting it are each audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from breachdesk.incident import UnknownIncident, list_incidents, show_incident
from breachdesk.model.incident import IncidentCase
from breachdesk.web.pagekit import NotFound, Page, Require
from breachdesk.web.persons import persons_csv, persons_page
from breachdesk.web.roles import Permission

router = APIRouter()
PERSONS_PER_PAGE = 100


async def load_case(page: Page, incident_id: str) -> IncidentCase:
    """The case, or 404."""
    try:
        return await run_in_threadpool(show_incident, page.workspace, incident_id[:32])
    except UnknownIncident:
        raise NotFound("such incident") from None


@router.get("/incidents")
async def incident_list(page: Annotated[Page, Depends(Require(Permission.VIEW))]) -> Response:
    incidents = await run_in_threadpool(list_incidents, page.workspace)
    return page.render("incidents.html.j2", incidents=incidents)


@router.get("/incidents/{incident_id}")
async def incident_detail(
    incident_id: str, page: Annotated[Page, Depends(Require(Permission.VIEW))]
) -> Response:
    case = await load_case(page, incident_id)
    return page.render("incident.html.j2", case=case, incident=case.summary)


@router.get("/incidents/{incident_id}/persons")
async def incident_persons(
    incident_id: str,
    page: Annotated[Page, Depends(Require(Permission.PERSONS_VIEW))],
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    case = await load_case(page, incident_id)
    offset = (page_no - 1) * PERSONS_PER_PAGE
    persons, more = await run_in_threadpool(
        lambda: persons_page(page.workspace, case.summary.id, offset=offset, limit=PERSONS_PER_PAGE)
    )
    await run_in_threadpool(
        page.audit,
        "persons.view",
        f"incident:{case.summary.id}",
        {"page": page_no, "persons": len(persons)},
    )
    return page.render(
        "persons.html.j2",
        incident=case.summary,
        persons=persons,
        page_no=page_no,
        has_next=more,
    )


@router.post("/incidents/{incident_id}/persons/export")
async def export_persons(
    incident_id: str, page: Annotated[Page, Depends(Require(Permission.PERSONS_EXPORT))]
) -> Response:
    case = await load_case(page, incident_id)
    data, rows, digest = await run_in_threadpool(persons_csv, page.workspace, case.summary.id)
    await run_in_threadpool(
        page.audit,
        "persons.export",
        f"incident:{case.summary.id}",
        {"format": "csv", "rows": rows, "sha256": digest},
    )
    name = f"{case.summary.id}-persons.csv"
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
