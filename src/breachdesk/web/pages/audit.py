"""The audit log, newest first, paged by entry id; and a check of its hash chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from breachdesk.store.audit_read import audit_entries, check_audit_log
from breachdesk.web.pagekit import Page, Require
from breachdesk.web.roles import Permission

router = APIRouter()
PER_PAGE = 100


@router.get("/audit")
async def audit_log(
    page: Annotated[Page, Depends(Require(Permission.AUDIT_READ))],
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    found = await run_in_threadpool(
        lambda: audit_entries(page.workspace.store, limit=PER_PAGE + 1, before=before)
    )
    more = len(found) > PER_PAGE
    entries = list(reversed(found[-PER_PAGE:]))
    older = entries[-1].id if more and entries else None
    return page.render("audit.html.j2", entries=entries, older=older, before=before, check=None)


@router.get("/audit/verify")
async def audit_verify(page: Annotated[Page, Depends(Require(Permission.AUDIT_READ))]) -> Response:
    check = await run_in_threadpool(check_audit_log, page.workspace.store)
    return page.render("audit.html.j2", entries=[], older=None, before=None, check=check)
