"""The public portal (no login): "Is this notice genuine?" and "Was I affected?".

- *Genuine?* A code is looked up by its blind index: the answer is genuine with the date the
  notice was sent, or not genuine — nothing else (no name, no campaign).
- *Affected?* The address is queued with nothing else (``portal_inquiries``); the worker
  composes the answer and mails it to that address. The handler never looks the address up,
  so affected and unaffected addresses cost the same work and get the same response.
- Rate limits: per client IP (keyed hash) on both; per address on *affected?*, where going
  over the limit silently queues nothing (the response stays the same). Every response is
  padded to ``portal_min_response_ms``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from breachdesk.config import NotifySettings
from breachdesk.notify.catalog import language_of
from breachdesk.notify.codes import code_index
from breachdesk.notify.compose import INQUIRY_ADDRESS
from breachdesk.notify.outbox import SENT
from breachdesk.notify.sanitize import BadAddress, clean_address
from breachdesk.store import Store
from breachdesk.store.notify_tables import PortalInquiry, PortalRateLimit
from breachdesk.store.tables import Notice

RECEIVED = (
    "Thank you. If the address can receive email, the answer will be sent to it shortly. "
    "It is never shown on this page."
)
MAX_BODY = 4096


class RateLimited(Exception):
    """Too many requests from one client address."""


@dataclass(frozen=True)
class Verdict:
    genuine: bool
    sent_on: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"genuine": True, "sent_on": self.sent_on} if self.genuine else {"genuine": False}


class PortalService:
    """The portal's work, apart from HTTP (the CLI, tests and the web app call it)."""

    def __init__(
        self, store: Store, settings: NotifySettings, clock: Callable[[], float] = time.time
    ):
        self.store = store
        self.settings = settings
        self.clock = clock

    def verify(self, code: str, client: str) -> Verdict:
        s = self.settings
        index = code_index(self.store.cipher, code)
        with self.store.session() as session:
            self._limit(
                session,
                f"ip:{self._key(client, 'portal.ip')}",
                s.portal_ip_limit,
                s.portal_ip_window_seconds,
            )
            if index is None:
                return Verdict(False)
            sent_at = session.scalars(
                select(Notice.sent_at)
                .where(Notice.verification_index == index, Notice.state == SENT)
                .limit(1)
            ).first()
        if sent_at is None:
            return Verdict(False)
        return Verdict(True, sent_at.astimezone(UTC).date().isoformat())

    def inquire(self, address: str, client: str, language: str | None = None) -> None:
        """Queue the answer for ``address``; BadAddress when it is not an address at all."""
        s = self.settings
        clean = clean_address(address)
        cipher = self.store.cipher
        address_key = self._key(clean, "portal.address")
        with self.store.session() as session:
            self._limit(
                session,
                f"ip:{self._key(client, 'portal.ip')}",
                s.portal_ip_limit,
                s.portal_ip_window_seconds,
            )
            allowed = (
                self._count(session, f"addr:{address_key}", s.portal_address_window_seconds)
                <= s.portal_address_limit
            )
            if allowed:
                session.add(
                    PortalInquiry(
                        address_index=address_key,
                        address_enc=cipher.encrypt(clean, INQUIRY_ADDRESS),
                        language=language_of(language, s.default_language),
                        state="pending",
                        attempts=0,
                        requested_at=datetime.now(UTC),
                    )
                )

    def _key(self, value: str, context: str) -> str:
        return self.store.cipher.blind_index(value, context)

    def _limit(self, session: Session, key: str, limit: int, window: int) -> None:
        if self._count(session, key, window) > limit:
            raise RateLimited(key)

    def _count(self, session: Session, key: str, window: int) -> int:
        slot = int(self.clock() // window)
        table = cast(Table, PortalRateLimit.__table__)
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(table)
            .values(key=key, window=slot, hits=1)
            .on_conflict_do_update(
                index_elements=["key", "window"], set_={"hits": table.c.hits + 1}
            )
            .returning(table.c.hits)
        )
        hits: int = session.execute(statement).scalar_one()
        return hits


def client_address(request: Request, trust_proxy: bool) -> str:
    """The client's IP: the socket peer, or the first ``X-Forwarded-For`` hop when trusted."""
    if trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        first = forwarded.split(",", 1)[0].strip()
        if first:
            return first[:64]
    return request.client.host if request.client is not None else "unknown"


async def _fields(request: Request) -> dict[str, str]:
    body = (await request.body())[:MAX_BODY]
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        return {str(k): str(v)[:512] for k, v in data.items()} if isinstance(data, dict) else {}
    parsed = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    return {k: v[0][:512] for k, v in parsed.items() if v}


@cache
def _pages() -> Environment:
    return Environment(
        loader=PackageLoader("breachdesk.notify", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=True),
    )


def portal_router(
    store_of: Callable[[], Store], settings_of: Callable[[], NotifySettings]
) -> APIRouter:
    """The portal's routes: ``/verify`` and ``/affected`` (HTML forms) and ``/api/…`` (JSON).

    ``store_of`` and ``settings_of`` give the workspace's store and ``[notify]`` settings; the
    web app mounts the router wherever it likes (the notices tell people ``portal_path``).
    """
    router = APIRouter()

    async def padded(started: float, response: Response) -> Response:
        wait = settings_of().portal_min_response_ms / 1000 - (time.monotonic() - started)
        if wait > 0:
            await asyncio.sleep(wait)
        return response

    def service() -> PortalService:
        return PortalService(store_of(), settings_of())

    async def do_verify(request: Request, as_json: bool) -> Response:
        started = time.monotonic()
        fields = await _fields(request)
        client = client_address(request, settings_of().portal_trust_proxy)
        try:
            verdict = await asyncio.to_thread(service().verify, fields.get("code", ""), client)
        except RateLimited:
            return await padded(started, _too_many(as_json))
        if as_json:
            return await padded(started, JSONResponse(verdict.to_json()))
        page = _pages().get_template("portal.html.j2").render(kind="verify", verdict=verdict)
        return await padded(started, HTMLResponse(page))

    async def do_affected(request: Request, as_json: bool) -> Response:
        started = time.monotonic()
        fields = await _fields(request)
        client = client_address(request, settings_of().portal_trust_proxy)
        language = fields.get("language") or request.headers.get("accept-language", "")[:35]
        try:
            await asyncio.to_thread(service().inquire, fields.get("email", ""), client, language)
        except RateLimited:
            return await padded(started, _too_many(as_json))
        except BadAddress:
            message = "Please enter a valid email address."
            if as_json:
                return await padded(started, JSONResponse({"error": message}, status_code=422))
            page = _pages().get_template("portal.html.j2").render(kind="affected", error=message)
            return await padded(started, HTMLResponse(page, status_code=422))
        if as_json:
            return await padded(
                started, JSONResponse({"status": "received", "message": RECEIVED}, status_code=202)
            )
        page = _pages().get_template("portal.html.j2").render(kind="affected", received=RECEIVED)
        return await padded(started, HTMLResponse(page, status_code=202))

    @router.get("/verify", response_class=HTMLResponse)
    async def verify_form() -> HTMLResponse:
        return HTMLResponse(_pages().get_template("portal.html.j2").render(kind="verify"))

    @router.post("/verify")
    async def verify_page(request: Request) -> Response:
        return await do_verify(request, as_json=False)

    @router.post("/api/verify")
    async def verify_api(request: Request) -> Response:
        return await do_verify(request, as_json=True)

    @router.get("/affected", response_class=HTMLResponse)
    async def affected_form() -> HTMLResponse:
        return HTMLResponse(_pages().get_template("portal.html.j2").render(kind="affected"))

    @router.post("/affected")
    async def affected_page(request: Request) -> Response:
        return await do_affected(request, as_json=False)

    @router.post("/api/affected")
    async def affected_api(request: Request) -> Response:
        return await do_affected(request, as_json=True)

    return router


def _too_many(as_json: bool) -> Response:
    message = "Too many requests from your network. Please try again later."
    headers = {"Retry-After": "3600"}
    if as_json:
        return JSONResponse({"error": message}, status_code=429, headers=headers)
    page = _pages().get_template("portal.html.j2").render(kind="limited", error=message)
    return HTMLResponse(page, status_code=429, headers=headers)
