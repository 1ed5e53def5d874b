"""The portal: real codes verify, forged ones do not; "affected?" never tells the page.

Uniform timing is tested through the work done, not the clock: the handler for an affected
and an unaffected address runs the same SQL statements (captured with an engine event) and
queues the same kind of row, and the responses are byte-identical. A clock-based check would
be flaky on a loaded machine; same statements, same rows and the response padding
(``portal_min_response_ms``) are what make the timing uniform.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, select

from breachdesk.notify import PortalService, plan_campaign, portal_router, run_worker
from breachdesk.notify.codes import verification_code
from breachdesk.notify.plan import CAMPAIGN_SECRET
from breachdesk.notify.sink import SmtpSink
from breachdesk.notify.smtp import SmtpConfig
from breachdesk.store.notify_tables import Campaign, PortalInquiry
from breachdesk.store.tables import Notice
from breachdesk.workspace import Workspace
from tests.notify.conftest import populated


@pytest.fixture
def sent(tmp_path: Path) -> Iterator[tuple[Workspace, str]]:
    ws, incident = populated(tmp_path / "ws", 3)
    plan = plan_campaign(ws, incident)
    with SmtpSink() as sink:
        run_worker(ws.store, ws.settings, ws.root, SmtpConfig("127.0.0.1", sink.port, tls="none"))
    with ws.store.session() as session:
        campaign = session.get(Campaign, plan.campaign)
        assert campaign is not None
        secret = ws.store.cipher.decrypt(campaign.secret_enc, CAMPAIGN_SECRET)
        notice = session.scalars(select(Notice.id).limit(1)).one()
    yield ws, verification_code(ws.store.cipher, secret, notice)
    ws.close()


class Client:
    """A synchronous face on httpx's ASGI transport (no server, no network)."""

    def __init__(self, app: FastAPI):
        self.app = app

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as c:
                return await c.post(path, **kwargs)

        return asyncio.run(go())


def _client(ws: Workspace) -> Client:
    app = FastAPI()
    app.include_router(portal_router(lambda: ws.store, lambda: ws.settings.notify))
    return Client(app)


def test_portal_verifies_real_code_and_rejects_forged(sent: tuple[Workspace, str]) -> None:
    ws, code = sent
    client = _client(ws)
    real = client.post("/api/verify", json={"code": code.lower()})
    assert real.status_code == 200
    body = real.json()
    assert body["genuine"] is True
    assert set(body) == {"genuine", "sent_on"}
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert client.post("/api/verify", json={"code": forged}).json() == {"genuine": False}
    page = client.post("/verify", data={"code": code})
    assert "Genuine." in page.text


def test_portal_affected_same_answer_and_same_work(sent: tuple[Workspace, str]) -> None:
    ws, _ = sent
    client = _client(ws)
    statements: list[str] = []

    def capture(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(ws.store.engine, "before_cursor_execute", capture)
    try:
        affected = client.post("/api/affected", json={"email": "p1@example1.test"})
        trace_affected = statements[:]
        statements.clear()
        unaffected = client.post("/api/affected", json={"email": "nobody@example1.test"})
        trace_unaffected = statements[:]
    finally:
        event.remove(ws.store.engine, "before_cursor_execute", capture)
    assert affected.status_code == unaffected.status_code == 202
    assert affected.content == unaffected.content
    assert trace_affected == trace_unaffected
    assert trace_affected
    with ws.store.session() as session:
        rows = session.scalars(select(PortalInquiry).order_by(PortalInquiry.id)).all()
        assert [(r.state, r.language, r.attempts) for r in rows] == [("pending", "en", 0)] * 2


def test_portal_answers_are_mailed_not_shown(sent: tuple[Workspace, str]) -> None:
    ws, _ = sent
    service = PortalService(ws.store, ws.settings.notify)
    service.inquire("P1@Example1.test", "10.0.0.1")
    service.inquire("nobody@example1.test", "10.0.0.1")
    with SmtpSink(keep=True) as sink:
        report = run_worker(
            ws.store, ws.settings, ws.root, SmtpConfig("127.0.0.1", sink.port, tls="none")
        )
        messages = [m.decode("ascii") for m in sink.log.messages]
    assert report.answers_sent == 2
    import base64
    import re

    bodies = {}
    for raw in messages:
        to = re.search(r"^To: (.+)$", raw, re.M)
        part = raw.split("Content-Transfer-Encoding: base64\r\n\r\n", 1)[1].split("\r\n--", 1)[0]
        bodies[to.group(1).strip() if to else ""] = base64.b64decode(part).decode()
    assert "It is. We sent you a notice" in bodies["P1@example1.test"]
    assert "It is not" in bodies["nobody@example1.test"]


def test_portal_rate_limits(sent: tuple[Workspace, str]) -> None:
    ws, _ = sent
    notify = ws.settings.notify.model_copy(update={"portal_ip_limit": 3, "portal_address_limit": 1})
    app = FastAPI()
    app.include_router(portal_router(lambda: ws.store, lambda: notify))
    client = Client(app)
    answers = [client.post("/api/affected", json={"email": "p2@example2.test"}) for _ in range(3)]
    assert {a.status_code for a in answers} == {202}
    assert len({a.content for a in answers}) == 1
    with ws.store.session() as session:
        assert len(session.scalars(select(PortalInquiry)).all()) == 1, "one answer per address"
    limited = client.post("/api/verify", json={"code": "AAAA-AAAA-AAAA-AAAA"})
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers


def test_portal_rejects_malformed_address(sent: tuple[Workspace, str]) -> None:
    ws, _ = sent
    answer = _client(ws).post("/api/affected", json={"email": "a@b.test\r\nBcc: c@d.test"})
    assert answer.status_code == 422
