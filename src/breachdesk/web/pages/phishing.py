"""Phishing: the watch list of lookalike domains, and scoring an uploaded ``.eml``.

Uploads are capped at ``MAX_EML`` bytes (the whole request at the app's body cap) and
parsed under the phishing stage's limits; nothing of the email is stored.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from breachdesk.phishing import (
    Limits,
    ParsedEmail,
    Verdict,
    email_scorer,
    parse_message,
    read_watchlist,
    to_unicode,
)
from breachdesk.web.pagekit import Page, Require
from breachdesk.web.roles import Permission
from breachdesk.workspace import Workspace

router = APIRouter()
MAX_EML = 5 * 1024 * 1024
WATCHED_PER_PAGE = 200
# The watch list (thousands of domains) changes only when lookalikes are regenerated.
WATCHLIST_FRESH_SECONDS = 30.0

# (lookalike in IDNA form, as shown in Unicode, the brand domain it imitates, fuzzer)
Watched = list[tuple[str, str, str, str]]


class WatchlistCache:
    """The sorted watch list with display forms, rebuilt at most every 30 s per process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: Watched | None = None
        self.at = 0.0

    def get(self, workspace: Workspace) -> Watched:
        with self.lock:
            if self.entries is None or time.monotonic() - self.at >= WATCHLIST_FRESH_SECONDS:
                watched = read_watchlist(workspace.store)
                self.entries = [
                    (domain, to_unicode(domain), entry.brand_domain, entry.fuzzer)
                    for domain, entry in sorted(watched.entries.items())
                ]
                self.at = time.monotonic()
            return self.entries


@router.get("/phishing")
async def phishing(
    page: Annotated[Page, Depends(Require(Permission.VIEW))],
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    cache: WatchlistCache = page.request.app.state.watchlist_cache
    entries = await run_in_threadpool(cache.get, page.workspace)
    start = (page_no - 1) * WATCHED_PER_PAGE
    return page.render(
        "phishing.html.j2",
        watched=entries[start : start + WATCHED_PER_PAGE],
        total=len(entries),
        page_no=page_no,
        has_next=start + WATCHED_PER_PAGE < len(entries),
        max_mib=MAX_EML // (1024 * 1024),
        result=None,
        error="",
    )


@router.post("/phishing/score")
async def score_email(
    page: Annotated[Page, Depends(Require(Permission.PHISHING_SCORE))],
    eml: Annotated[UploadFile, File()],
) -> Response:
    data = await eml.read(MAX_EML + 1)
    values: dict[str, Any] = {"watched": [], "total": 0, "page_no": 1, "has_next": False}
    values["max_mib"] = MAX_EML // (1024 * 1024)
    if len(data) > MAX_EML:
        error = f"The email is larger than {values['max_mib']} MiB; it was not scored."
        return page.render("phishing.html.j2", status=413, result=None, error=error, **values)
    if not data:
        return page.render(
            "phishing.html.j2", status=400, result=None, error="The file is empty.", **values
        )
    name = (eml.filename or "upload.eml")[:200]
    limits = Limits(max_bytes=MAX_EML)

    def judge() -> tuple[ParsedEmail, Verdict]:
        parsed = parse_message(data, limits)
        verdict = email_scorer(page.workspace, limits=limits).score_bytes(data, name)
        return parsed, verdict

    parsed, verdict = await run_in_threadpool(judge)
    await run_in_threadpool(
        page.audit,
        "phishing.score",
        f"email:{hashlib.sha256(data).hexdigest()}",
        {"file": name, "verdict": verdict.verdict, "bytes": len(data)},
    )
    return page.render(
        "phishing.html.j2",
        result={"parsed": parsed, "verdict": verdict, "name": name},
        error="",
        **values,
    )
