"""A small incident workspace for the web tests, built through the services, and a client.

The workspace has events (one with a ``<script>`` user agent), two alerts (one in an
incident), an incident with an obligation deadline and affected persons, a data map from a
real scan, a watch list, and one account per role. ``Client`` drives the ASGI app in
process through httpx (cookies kept, like a browser).
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from breachdesk.detect.alerts import store_alerts
from breachdesk.incident import open_incident
from breachdesk.inventory import scan_sources, store_scan
from breachdesk.model import EVENT_SCHEMA, AffectedPerson, Alert, Category, Severity
from breachdesk.phishing import generate_lookalikes, store_watchlist
from breachdesk.store import add_affected_person
from breachdesk.store.tables import Obligation
from breachdesk.web import add_user, create_app
from breachdesk.web.ratelimit import LoginLimits
from breachdesk.web.roles import Role
from breachdesk.workspace import Workspace, init_workspace

SCRIPT_UA = '<script>alert("ua")</script>Mozilla/5.0'
SCRIPT_NAME = "<script>alert('name')</script>"
PASSWORD = "correct horse battery staple"
FREE_ALERT = "ALR-free0000000001"
TAKEN_ALERT = "ALR-taken000000001"
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=20)
USERS = {role: f"{role.value}-user" for role in Role}
TARGET_USER = "target-user"


@dataclass(frozen=True)
class Demo:
    workspace: Workspace
    incident_id: str
    free_alert: str
    taken_alert: str


def _events(ws: Workspace) -> None:
    rows: list[dict[str, Any]] = []
    for i in range(30):
        rows.append(
            {
                "time": T0 + timedelta(seconds=i),
                "source": "gateway",
                "class": "api",
                "principal": "svc-export",
                "src_ip": "203.0.113.9",
                "user_agent": SCRIPT_UA if i == 3 else "curl/8.5",
                "action": "read",
                "method": "GET",
                "path": f"/api/v1/customers/{i + 1}",
                "route": "/api/v1/customers/{id}",
                "status": 200,
                "bytes": 812,
                "resource": "customers",
                "object_id": str(i + 1),
                "raw_ref": f"logs/gateway/access.jsonl:{i + 1}",
            }
        )
    columns = {name: [r.get(name) for r in rows] for name in EVENT_SCHEMA.names}
    table = pa.table(columns, schema=EVENT_SCHEMA)
    folder = ws.path("events") / "source=gateway" / f"date={T0.date().isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / "part-0.parquet")


def _alerts(ws: Workspace) -> None:
    def alert(alert_id: str, principal: str, severity: Severity) -> Alert:
        return Alert(
            id=alert_id,
            severity=severity,
            detectors=("volume",),
            principals=(principal,),
            src_ips=("203.0.113.9",),
            start=T0,
            end=T0 + timedelta(seconds=29),
            events=30,
            objects=30,
            evidence_query="SELECT 1",
        )

    store_alerts(
        ws.store,
        [
            alert(FREE_ALERT, "svc-export", Severity.HIGH),
            alert(TAKEN_ALERT, SCRIPT_NAME, Severity.CRITICAL),
        ],
    )


def _incident(ws: Workspace) -> str:
    case = open_incident(
        ws,
        title=f"Extraction {SCRIPT_NAME}",
        actor="test",
        alert_ids=[TAKEN_ALERT],
        aware_at=T0 + timedelta(hours=1),
        aware_reason="test",
        playbook="customer-data-exfiltration",
    )
    incident_id = case.summary.id
    store = ws.store
    with store.session() as session:
        session.add(
            Obligation(
                incident_id=incident_id,
                jurisdiction="EU",
                recipient="authority",
                required=True,
                reason="GDPR Art. 33",
                deadline_at=T0 + timedelta(hours=73),
                deadline_text="72 hours after awareness",
                citation="GDPR Art. 33(1)",
                content=[],
                status="open",
            )
        )
        people = [
            AffectedPerson(
                key="1",
                email='=HYPERLINK("http://evil.test")@example.test',
                name=SCRIPT_NAME,
                language="fr",
                country="FR",
                categories=frozenset({Category("contact.email"), Category("contact.name")}),
            ),
            AffectedPerson(key="2", email="b@example.test", name="Bea", country="US"),
        ]
        for person in people:
            add_affected_person(session, store.cipher, incident_id, person)
    return incident_id


def _inventory(ws: Workspace, folder: Path) -> None:
    db = folder / "shop.db"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, full_name TEXT, "
        "password_hash TEXT);"
    )
    con.executemany(
        "INSERT INTO customers VALUES (?, ?, ?, ?)",
        [(i, f"p{i}@example.test", f"Person {i}", "$2b$12$" + "a" * 53) for i in range(1, 40)],
    )
    con.commit()
    con.close()
    store_scan(ws.store, scan_sources([str(db)]), actor="test")


def build_demo(root: Path) -> Demo:
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("BREACHDESK_")}
    try:
        ws = init_workspace(root / "ws")
    finally:
        os.environ.update(saved)
    _events(ws)
    _alerts(ws)
    incident_id = _incident(ws)
    _inventory(ws, root)
    store_watchlist(ws.store, generate_lookalikes("shop.example"))
    for role, name in USERS.items():
        add_user(ws.store, name, role.value, PASSWORD, actor="test")
    add_user(ws.store, TARGET_USER, "viewer", PASSWORD, actor="test")
    return Demo(ws, incident_id, FREE_ALERT, TAKEN_ALERT)


class Client:
    """A browser-like client of the ASGI app: keeps cookies, does not follow redirects."""

    def __init__(self, app: Any, *, address: str = "127.0.0.1", https: bool = False) -> None:
        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        base = "https://workbench.test" if https else "http://workbench.test"
        self.http = httpx.AsyncClient(transport=transport, base_url=base)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.http.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def login_form_token(self) -> str:
        return csrf_of(self.get("/login").text)

    def login(self, name: str, password: str = PASSWORD) -> httpx.Response:
        token = self.login_form_token()
        return self.post("/login", data={"name": name, "password": password, "csrf": token})

    def csrf(self) -> str:
        """The session's CSRF token, as a page's forms carry it."""
        return csrf_of(self.get("/").text)

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    built = build_demo(tmp_path_factory.mktemp("web"))
    yield built
    built.workspace.close()


@pytest.fixture(scope="module")
def app(demo: Demo) -> Any:
    # Generous limits here; the rate-limit test builds its own app with tight ones.
    return create_app(demo.workspace, login_limits=LoginLimits(per_address=10_000, per_account=50))


@pytest.fixture
def client(app: Any) -> Iterator[Client]:
    c = Client(app)
    yield c
    c.close()


def logged_in(app: Any, role: Role) -> Client:
    c = Client(app)
    response = c.login(USERS[role])
    assert response.status_code == 303, response.text
    return c
