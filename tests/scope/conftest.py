"""Helpers of the scope tests: a small shop database, workspaces, events and alerts.

Ingest and detect are not on this branch, so tests write the events Parquet files (in the
EVENT_SCHEMA layout, hive-partitioned by source and UTC date) and the alert rows themselves.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from breachdesk.incident import open_incident
from breachdesk.model import EVENT_SCHEMA
from breachdesk.store.tables import Alert
from breachdesk.workspace import Workspace, init_workspace

T0 = datetime(2026, 11, 11, 0, 30, tzinfo=UTC)
SIGNUP0 = datetime(2020, 1, 1, tzinfo=UTC)
COUNTRIES = ("FR", "US", "GB", "DE", "CA", "AU")
REGIONS = {"US": "CA", "CA": "QC", "AU": "NSW", "FR": "IDF", "GB": "ENG", "DE": "BE"}
LANGUAGES = {
    "FR": "fr-FR",
    "US": "en-US",
    "GB": "en-GB",
    "DE": "de-DE",
    "CA": "fr-CA",
    "AU": "en-AU",
}

SHOP_SETTINGS = """
[person_source]
url = "sqlite:///shop.db"
table = "customers"
key = "id"
email = "email"
name = "full_name"
language = "preferred_language"
country = "country"
region = "region"
postal_code = "postal_code"

[[sources]]
name = "gateway"
format = "jsonl"
paths = ["logs/gateway"]

[[sources]]
name = "pgaudit"
format = "pgaudit"
paths = ["logs/pgaudit"]

[[exposure]]
route = "/api/v1/customers/{id}"
table = "customers"
key = "id"
kind = "object"
columns = ["id", "full_name", "email", "city", "region", "country"]

[[exposure]]
route = "/api/v1/customers"
table = "customers"
key = "id"
kind = "list"
order_by = "id"
page_param = "page"
size_param = "per_page"
columns = ["id", "full_name", "email", "city", "region", "country"]

[[exposure]]
route = "/api/v1/customers/search"
table = "customers"
key = "id"
kind = "search"
columns = ["id", "full_name", "email"]

[[exposure]]
route = "/api/v1/orders/{id}"
table = "orders"
key = "id"
kind = "object"
columns = ["id", "customer_id", "total_cents"]

[[exposure]]
route = "/api/v1/export/customers"
table = "customers"
kind = "table"
columns = ["id", "email"]

[[exposure]]
table = "customers"
key = "id"
kind = "table"
columns = ["id", "full_name", "email", "phone", "city", "region", "postal_code", "country",
           "preferred_language", "created_at"]

[[exposure]]
table = "orders"
key = "id"
kind = "table"
columns = ["id", "customer_id", "total_cents", "created_at"]
"""


def signup(customer_id: int) -> datetime:
    """Customer ``i`` signed up ``i`` hours after 2020-01-01 (ids grow with time)."""
    return SIGNUP0 + timedelta(hours=customer_id)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_shop(path: Path, customers: int, *, late: dict[int, datetime] | None = None) -> None:
    """A shop database: ``customers`` rows (ids 1..n), two orders each for the first 50.

    ``late`` overrides the sign-up time of some ids (customers created after an event).
    """
    late = late or {}
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE customers (
            id INTEGER PRIMARY KEY, full_name TEXT, email TEXT UNIQUE, phone TEXT, city TEXT,
            region TEXT, postal_code TEXT, country TEXT, preferred_language TEXT,
            created_at TEXT);
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY, customer_id INTEGER, total_cents INTEGER, created_at TEXT);
        """
    )
    rows = []
    for i in range(1, customers + 1):
        country = COUNTRIES[i % len(COUNTRIES)]
        rows.append(
            (
                i,
                f"Person {i}",
                f"p{i}@example.test",
                f"+33 1 00 00 {i:04d}",
                f"City {i % 7}",
                REGIONS[country],
                f"{10000 + i}",
                country,
                LANGUAGES[country],
                iso(late.get(i, signup(i))),
            )
        )
    db.executemany("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    orders = [
        (o, 1 + (o - 1) // 2, 1000 + o, iso(signup(1 + (o - 1) // 2) + timedelta(days=1)))
        for o in range(1, 101)
    ]
    db.executemany("INSERT INTO orders VALUES (?,?,?,?)", orders)
    db.commit()
    db.close()


def make_workspace(
    root: Path, customers: int = 400, *, settings: str = SHOP_SETTINGS, **shop: Any
) -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    make_shop(root / "shop.db", customers, **shop)
    return init_workspace(root, settings_text=settings)


@pytest.fixture
def shop_ws(tmp_path: Path) -> Iterator[Workspace]:
    ws = make_workspace(tmp_path / "ws")
    yield ws
    ws.close()


@dataclass
class Ev:
    """One event to write (only what scope reads; the rest is filled in)."""

    at: datetime
    source: str = "gateway"
    principal: str | None = "agent:jmartin"
    src_ip: str | None = "203.0.113.7"
    route: str | None = None
    path: str | None = None
    query: str | None = None
    status: int | None = 200
    object_id: str | None = None
    resource: str | None = None
    statement: str | None = None
    rows: int | None = None
    method: str | None = "GET"
    action: str | None = None
    klass: str = "api"
    ref: str | None = None


def write_events(ws: Workspace, events: Sequence[Ev]) -> None:
    """The events as ingest would store them: one file per source and UTC date."""
    grouped: dict[tuple[str, str], list[Ev]] = defaultdict(list)
    for event in events:
        grouped[(event.source, event.at.astimezone(UTC).date().isoformat())].append(event)
    root = ws.path("events")
    for (source, day), group in grouped.items():
        folder = root / f"source={source}" / f"date={day}"
        folder.mkdir(parents=True, exist_ok=True)
        count = len(list(folder.glob("*.parquet")))
        columns: dict[str, list[Any]] = {name: [] for name in EVENT_SCHEMA.names}
        for number, e in enumerate(group):
            klass = "datastore" if e.statement is not None else e.klass
            values = {
                "time": e.at,
                "source": source,
                "class": klass,
                "principal": e.principal,
                "src_ip": e.src_ip,
                "user_agent": "python-requests/2.32.3",
                "action": e.action,
                "method": None if klass == "datastore" else e.method,
                "path": e.path,
                "route": e.route,
                "query": e.query,
                "status": None if klass == "datastore" else e.status,
                "bytes": 100,
                "resource": e.resource,
                "object_id": e.object_id,
                "rows": e.rows,
                "statement": e.statement,
                "raw_ref": e.ref or f"logs/{source}/{day}.log:{count * 100000 + number + 1}",
            }
            for name in EVENT_SCHEMA.names:
                columns[name].append(values[name])
        pq.write_table(pa.table(columns, schema=EVENT_SCHEMA), folder / f"part-{count}.parquet")


def add_alert(
    ws: Workspace,
    alert_id: str,
    *,
    principals: Sequence[str],
    ips: Sequence[str] = (),
    start: datetime = T0,
    end: datetime | None = None,
) -> None:
    with ws.store.session() as session:
        session.add(
            Alert(
                id=alert_id,
                severity="high",
                detectors=["enumeration"],
                principals=list(principals),
                src_ips=list(ips),
                start=start,
                end=end or start + timedelta(hours=1),
                events=10,
                objects=10,
            )
        )


def open_case(ws: Workspace, alert_ids: Sequence[str] = ()) -> str:
    case = open_incident(
        ws,
        title="Bulk extraction of customer records",
        actor="tester",
        alert_ids=list(alert_ids),
        aware_at=T0 + timedelta(hours=8),
        aware_reason="alerts reviewed",
        now=T0 + timedelta(hours=8),
    )
    return case.id


def page(at: datetime, number: int, size: int = 100, route: str = "/api/v1/customers") -> Ev:
    return Ev(at, route=route, path=route, query=f"page={number}&per_page={size}", rows=size)


def fetch(at: datetime, customer_id: int, status: int = 200) -> Ev:
    path = f"/api/v1/customers/{customer_id}"
    return Ev(
        at, route="/api/v1/customers/{id}", path=path, object_id=str(customer_id), status=status
    )


def statement(at: datetime, sql: str, principal: str = "support_ro") -> Ev:
    return Ev(
        at,
        source="pgaudit",
        principal=principal,
        src_ip=None,
        resource="customers",
        statement=sql,
        klass="datastore",
        method=None,
        status=None,
    )
