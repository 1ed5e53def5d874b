"""Inventory: the data map (which column holds which categories) and segmentation findings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from breachdesk.inventory import read_data_map, read_findings
from breachdesk.web.pagekit import Page, Require
from breachdesk.web.roles import Permission

router = APIRouter()


@router.get("/inventory")
async def inventory(page: Annotated[Page, Depends(Require(Permission.VIEW))]) -> Response:
    store = page.workspace.store
    data_map = await run_in_threadpool(read_data_map, store)
    findings = await run_in_threadpool(read_findings, store)
    personal = [e for e in data_map.entries if e.categories]
    tables = sorted({(e.source, e.table) for e in data_map.entries})
    return page.render(
        "inventory.html.j2",
        entries=personal,
        column_count=len(data_map.entries),
        table_count=len(tables),
        findings=findings,
    )
