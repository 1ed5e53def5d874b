"""Incidents: the list, the incident page and its actions, affected persons, downloads.

The incident page shows the case and its clock, the timeline chart, tasks, evidence,
scope, obligations and the notice campaign (``incident_view``). Every action is a POST
form carrying the CSRF token and redirects back to the page (post/redirect/get). Scope
runs synchronously: the request waits for ``scope_incident`` (seconds on the demo), one
run per incident at a time in this process. Views of persons and every download are
audited; downloads and persons need ``persons.export`` / ``persons.view``.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from breachdesk.errors import UserInputError
from breachdesk.incident import (
    UnknownIncident,
    list_incidents,
    parse_time,
    show_incident,
    update_incident,
    update_task,
    verify_evidence,
)
from breachdesk.law import assess_incident
from breachdesk.model.incident import IncidentCase, Status, TaskStatus
from breachdesk.scope import scope_incident
from breachdesk.web.charts import KIND_LABELS, KIND_ORDER, DeadlineMark, bar_chart_svg, timeline_svg
from breachdesk.web.incident_files import DOWNLOADS, write_download
from breachdesk.web.incident_view import (
    IncidentView,
    TimelineFilter,
    incident_view,
    parse_filter,
)
from breachdesk.web.pagekit import NotFound, Page, Require
from breachdesk.web.persons import persons_csv, persons_page
from breachdesk.web.render import environment
from breachdesk.web.roles import Permission

router = APIRouter()
PERSONS_PER_PAGE = 100
CAUSES = ("malicious", "accidental", "internal")


# One scope run per incident at a time in this process: a second click waits for nothing.
_SCOPE_LOCK = threading.Lock()
_SCOPE_RUNNING: set[tuple[str, str]] = set()


async def load_case(page: Page, incident_id: str) -> IncidentCase:
    """The case, or 404."""
    try:
        return await run_in_threadpool(show_incident, page.workspace, incident_id[:32])
    except UnknownIncident:
        raise NotFound("such incident") from None


def _back(incident_id: str, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"/incidents/{incident_id}#{anchor}", status_code=303)


def _refused(status: int, title: str, message: str) -> Response:
    html = environment().get_template("error.html.j2").render(title=title, message=message)
    return Response(html, status_code=status, media_type="text/html; charset=utf-8")


@router.get("/incidents")
async def incident_list(page: Annotated[Page, Depends(Require(Permission.VIEW))]) -> Response:
    incidents = await run_in_threadpool(list_incidents, page.workspace)
    return page.render("incidents.html.j2", incidents=incidents)


@router.get("/incidents/{incident_id}")
async def incident_detail(
    incident_id: str,
    page: Annotated[Page, Depends(Require(Permission.VIEW))],
    kind: Annotated[list[str] | None, Query(max_length=40)] = None,
    since: Annotated[str | None, Query(max_length=40)] = None,
    until: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    case = await load_case(page, incident_id)
    chosen = parse_filter(kind or (), since or None, until or None)
    return await render_incident(page, case.id, chosen)


async def render_incident(
    page: Page,
    incident_id: str,
    chosen: TimelineFilter | None = None,
    *,
    errors: dict[str, str] | None = None,
) -> Response:
    """The incident page; ``errors`` (section → message) tell why an action did not run."""
    view = await run_in_threadpool(
        lambda: incident_view(page.workspace, incident_id, timeline_filter=chosen)
    )
    return page.render(
        "incident.html.j2",
        case=view.case,
        incident=view.case.summary,
        view=view,
        errors=errors or {},
        timeline_chart=_timeline_chart(view),
        country_chart=_bars(view, "country"),
        category_chart=_bars(view, "category"),
        kinds=[(k.value, KIND_LABELS[k]) for k in KIND_ORDER],
        task_states=[s.value for s in TaskStatus],
        statuses=[s.value for s in Status],
        causes=CAUSES,
        downloads=[(name, item.label) for name, item in DOWNLOADS.items()],
    )


def _timeline_chart(view: IncidentView) -> object:
    deadlines = [
        DeadlineMark(o.deadline_at, f"{o.jurisdiction} {o.recipient} ({o.citation})")
        for o in (view.obligations.required if view.obligations else ())
        if o.deadline_at is not None
    ]
    return timeline_svg(
        view.timeline, aware_at=view.clock.aware_at, deadlines=deadlines, now=view.now
    )


def _bars(view: IncidentView, by: str) -> object:
    if view.scope is None:
        return ""
    if by == "country":
        return bar_chart_svg(
            view.scope.by_country, chart_id="scope-by-country", title="Affected persons by country"
        )
    return bar_chart_svg(
        view.scope.by_category,
        chart_id="scope-by-category",
        title="Affected persons by data category",
    )


@router.post("/incidents/{incident_id}/case")
async def case_update(
    incident_id: str,
    page: Annotated[Page, Depends(Require(Permission.RESPOND))],
    status: Annotated[str, Form(max_length=20)] = "",
    aware_at: Annotated[str, Form(max_length=40)] = "",
    aware_reason: Annotated[str, Form(max_length=2000)] = "",
    contained_at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    case = await load_case(page, incident_id)
    try:
        try:
            chosen = Status(status) if status else None
        except ValueError:
            raise UserInputError(f"unknown status {status[:20]!r}") from None
        aware = parse_time(aware_at, what="aware at") if aware_at.strip() else None
        contained = parse_time(contained_at, what="contained at") if contained_at.strip() else None
        await run_in_threadpool(
            lambda: update_incident(
                page.workspace,
                case.id,
                actor=page.user.actor,
                status=chosen,
                aware_at=aware,
                aware_reason=aware_reason.strip() or None,
                contained_at=contained,
            )
        )
    except UserInputError as exc:
        return await render_incident(page, case.id, errors={"case": str(exc)})
    return _back(case.id, "case")


@router.post("/incidents/{incident_id}/tasks/{task_id}")
async def task_update(
    incident_id: str,
    task_id: int,
    page: Annotated[Page, Depends(Require(Permission.RESPOND))],
    status: Annotated[str, Form(max_length=20)] = "",
    owner: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    case = await load_case(page, incident_id)
    try:
        chosen = TaskStatus(status) if status else None
    except ValueError:
        raise UserInputError(f"unknown task status {status[:20]!r}") from None
    # A blank owner leaves the owner as it is (the form always sends the field).
    new_owner = owner.strip() or None
    await run_in_threadpool(
        lambda: update_task(
            page.workspace,
            case.id,
            str(task_id),
            actor=page.user.actor,
            status=chosen,
            owner=new_owner,
        )
    )
    return _back(case.id, f"task-{task_id}")


@router.post("/incidents/{incident_id}/evidence/verify")
async def evidence_verify(
    incident_id: str, page: Annotated[Page, Depends(Require(Permission.RESPOND))]
) -> Response:
    case = await load_case(page, incident_id)
    # The outcome is recorded as custody events, which the page then shows.
    await run_in_threadpool(lambda: verify_evidence(page.workspace, case.id, actor=page.user.actor))
    return _back(case.id, "evidence")


@router.post("/incidents/{incident_id}/scope")
async def scope_run(
    incident_id: str, page: Annotated[Page, Depends(Require(Permission.RESPOND))]
) -> Response:
    case = await load_case(page, incident_id)
    key = (str(page.workspace.root), case.id)
    with _SCOPE_LOCK:
        if key in _SCOPE_RUNNING:
            return _refused(
                409,
                "Scope is already running",
                f"A scope run of {case.id} is in progress; reload the incident page in a moment.",
            )
        _SCOPE_RUNNING.add(key)
    try:
        # The same call as 'breachdesk scope INCIDENT': the incident's alerts, the
        # workspace's engine; stored as the incident's newest run, audited, on the timeline.
        await run_in_threadpool(
            lambda: scope_incident(page.workspace, case.id, actor=page.user.actor)
        )
    except UserInputError as exc:
        # Nothing was stored (no events, no person source, a closed incident): say why
        # where the button is.
        return await render_incident(page, case.id, errors={"scope": str(exc)})
    finally:
        with _SCOPE_LOCK:
            _SCOPE_RUNNING.discard(key)
    return _back(case.id, "scope")


@router.post("/incidents/{incident_id}/assess")
async def law_assess(
    incident_id: str,
    page: Annotated[Page, Depends(Require(Permission.DECIDE))],
    cause: Annotated[str, Form(max_length=20)] = "",
    encrypted: Annotated[str, Form(max_length=10)] = "",
    key_compromised: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    case = await load_case(page, incident_id)
    if cause and cause not in CAUSES:
        raise UserInputError(f"cause must be one of {', '.join(CAUSES)}")
    try:
        await run_in_threadpool(
            lambda: assess_incident(
                page.workspace,
                case.id,
                cause=cause or None,
                encrypted=bool(encrypted),
                key_compromised=bool(key_compromised),
                actor=page.user.actor,
            )
        )
    except UserInputError as exc:
        return await render_incident(page, case.id, errors={"obligations": str(exc)})
    return _back(case.id, "obligations")


@router.post("/incidents/{incident_id}/download/{file}")
async def download(
    incident_id: str, file: str, page: Annotated[Page, Depends(Require(Permission.PERSONS_EXPORT))]
) -> Response:
    case = await load_case(page, incident_id)
    item = DOWNLOADS.get(file)
    if item is None:
        raise NotFound("such download")
    handed = await run_in_threadpool(
        lambda: write_download(
            page.workspace, case.id, item, user=page.user.name, actor=page.user.actor
        )
    )
    return Response(
        handed.data,
        media_type=handed.media_type,
        headers={"Content-Disposition": f'attachment; filename="{handed.filename}"'},
    )


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
