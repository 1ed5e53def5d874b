"""A small synthetic retailer's access events, for the detection tests (not product code).

Normal traffic of the shapes that must stay quiet (customers, bots, scrapers, support agents,
a weekly marketing COPY at noon, a nightly CRM sync, an order-sync service walking new order
ids) over several weeks, plus attacks that must be found. Times are UTC; the office is in
Europe/Paris.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from breachdesk.model import EVENT_SCHEMA

PARIS = ZoneInfo("Europe/Paris")
FIRST_DAY = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday
DAYS = 28
CUSTOMERS = 6000
AGENTS = ("agent:jmartin", "agent:pdubois", "agent:lnguyen", "agent:akhan")
OFFICE = "198.51.100."
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0"
CANARY_KEY = "5999"
CANARY_EMAIL = "elise.marchand.canary@maison-aurelle.com"

SETTINGS = f"""
engine = "duckdb"

[person_source]
table = "customers"

[[exposure]]
route = "/api/v1/customers/{{id}}"
table = "customers"
key = "id"
kind = "object"
columns = ["id", "full_name", "email", "city"]

[[exposure]]
route = "/api/v1/customers"
table = "customers"
kind = "list"
order_by = "id"
page_param = "page"
size_param = "per_page"
columns = ["id", "full_name", "email", "city"]

[[exposure]]
route = "/api/v1/customers/search"
table = "customers"
kind = "search"
columns = ["id", "full_name", "email"]

[[exposure]]
route = "/api/v1/orders/{{id}}"
table = "orders"
key = "id"
kind = "object"
columns = ["id", "customer_id", "total_cents"]

[[exposure]]
table = "customers"
kind = "table"
columns = ["id", "full_name", "email", "city", "region", "postal_code"]

[[canaries]]
key = "{CANARY_KEY}"
email = "{CANARY_EMAIL}"

[detect]
timezone = "Europe/Paris"
"""


@dataclass(frozen=True)
class Attack:
    """What a test expects to be found."""

    start: datetime
    end: datetime
    principals: tuple[str, ...]
    ips: tuple[str, ...]


@dataclass
class Traffic:
    """Events under construction; ``add`` appends one event."""

    seed: int = 7
    rows: list[dict[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def add(self, moment: datetime, source: str, **values: object) -> None:
        row: dict[str, object] = dict.fromkeys(EVENT_SCHEMA.names)
        row.update(values)
        row["time"] = moment
        row["source"] = source
        row["raw_ref"] = f"{source}.log:{len(self.rows) + 1}"
        row.setdefault("class", "api")
        self.rows.append(row)

    def api(
        self,
        moment: datetime,
        principal: str | None,
        ip: str,
        path: str,
        *,
        route: str,
        action: str = "read",
        query: str | None = None,
        object_id: str | None = None,
        resource: str | None = "customers",
        rows: int | None = None,
        status: int = 200,
        agent: str = BROWSER,
        source: str = "gateway",
        event_class: str = "api",
    ) -> None:
        self.add(
            moment,
            source,
            **{"class": event_class},
            principal=principal,
            src_ip=ip,
            user_agent=agent,
            action=action,
            method="GET",
            path=path if query is None else f"{path}?{query}",
            route=route,
            query=query,
            status=status,
            bytes=1200,
            resource=resource,
            object_id=object_id,
            rows=rows,
        )

    def sql(
        self,
        moment: datetime,
        principal: str,
        statement: str,
        *,
        action: str = "read",
        rows: int | None = None,
    ) -> None:
        self.add(
            moment,
            "pgaudit",
            **{"class": "datastore"},
            principal=principal,
            action=action,
            resource="public.customers",
            statement=statement,
            rows=rows,
        )

    def table(self) -> pa.Table:
        ordered = sorted(self.rows, key=lambda r: (r["time"], r["raw_ref"]))
        return pa.Table.from_pylist(ordered, schema=EVENT_SCHEMA)

    def write(self, events_dir: Path) -> int:
        """Write as ``source=NAME/date=YYYY-MM-DD/part-0.parquet`` (source kept in the file
        for one source and left to the path for the others, as both layouts occur)."""
        table = self.table()
        groups: dict[tuple[str, str], list[int]] = {}
        for index, (moment, source) in enumerate(
            zip(table.column("time").to_pylist(), table.column("source").to_pylist(), strict=True)
        ):
            groups.setdefault((source, moment.date().isoformat()), []).append(index)
        for (source, day), indexes in groups.items():
            part = table.take(indexes)
            if source != "gateway":
                part = part.drop_columns(["source"])
            folder = events_dir / f"source={source}" / f"date={day}"
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(part, folder / "part-0.parquet")
        return table.num_rows


def local(day: datetime, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` Paris time on ``day``'s date, in UTC."""
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)
    return moment.astimezone(UTC)


def days() -> list[datetime]:
    return [FIRST_DAY + timedelta(days=n) for n in range(DAYS)]


def normal_traffic(traffic: Traffic) -> None:
    """Four weeks of everything that must not raise a high alert."""
    rng = traffic.rng
    for day in days():
        weekday = day.weekday() < 5
        # Customers: their own profile and orders, from home, at any hour.
        for _ in range(150):
            who = rng.randint(1, CUSTOMERS - 10)
            moment = day + timedelta(seconds=rng.randint(0, 86399))
            ip = f"192.0.2.{who % 250 + 1}"
            traffic.api(
                moment,
                f"customer:{who}",
                ip,
                f"/api/v1/customers/{who}",
                route="/api/v1/customers/{id}",
                object_id=str(who),
            )
            order = str(rng.randint(1, 40000))
            traffic.api(
                moment + timedelta(seconds=5),
                f"customer:{who}",
                ip,
                f"/api/v1/orders/{order}",
                route="/api/v1/orders/{id}",
                object_id=order,
                resource="orders",
            )
        # Search-engine bots and scrapers on the storefront (no person data), day and night.
        for _ in range(120):
            moment = day + timedelta(seconds=rng.randint(0, 86399))
            traffic.api(
                moment,
                None,
                f"66.249.66.{rng.randint(1, 200)}",
                f"/products/{rng.randint(1, 900)}",
                route="/products/{id}",
                resource=None,
                agent="Googlebot/2.1",
                source="nginx",
                event_class="http",
            )
        for _ in range(40):
            moment = day + timedelta(seconds=rng.randint(0, 86399))
            traffic.api(
                moment,
                None,
                f"45.155.205.{rng.randint(1, 50)}",
                "/api/v1/customers",
                route="/api/v1/customers",
                action="list",
                query=f"page={rng.randint(1, 300)}",
                status=401,
                agent="curl/8.5.0",
                source="nginx",
                event_class="http",
            )
        # The order-sync service follows new orders in id order, around the clock.
        for hour in range(24):
            base = 30000 + (day - FIRST_DAY).days * 240 + hour * 10
            for step in range(10):
                moment = day + timedelta(hours=hour, minutes=step * 5)
                traffic.api(
                    moment,
                    "svc:order-sync",
                    "10.20.0.5",
                    f"/api/v1/orders/{base + step}",
                    route="/api/v1/orders/{id}",
                    object_id=str(base + step),
                    resource="orders",
                    agent="order-sync/3.2",
                )
        # Nightly CRM sync: incremental, by update time.
        traffic.sql(
            day + timedelta(hours=2, minutes=rng.randint(0, 20)),
            "svc_crm_sync",
            "SELECT id, email, full_name, updated_at FROM customers "
            f"WHERE updated_at > '{(day - timedelta(days=1)).date()} 02:00:00'",
            rows=rng.randint(40, 300),
        )
        if not weekday:
            continue
        # Support agents: tens of customers by id, searches, first list pages; office hours.
        for number, agent in enumerate(AGENTS):
            ip = f"{OFFICE}{11 + number}"
            for _ in range(rng.randint(25, 60)):
                moment = local(day, rng.randint(9, 17), rng.randint(0, 59))
                who = str(rng.randint(1, CUSTOMERS - 10))
                traffic.api(
                    moment,
                    agent,
                    ip,
                    f"/api/v1/customers/{who}",
                    route="/api/v1/customers/{id}",
                    object_id=who,
                )
            for _ in range(rng.randint(3, 8)):
                moment = local(day, rng.randint(9, 17), rng.randint(0, 59))
                traffic.api(
                    moment,
                    agent,
                    ip,
                    "/api/v1/customers/search",
                    route="/api/v1/customers/search",
                    action="search",
                    query="q=dupont",
                    rows=rng.randint(1, 6),
                )
            for page in (1, 2):
                moment = local(day, 10, rng.randint(0, 59))
                traffic.api(
                    moment,
                    agent,
                    ip,
                    "/api/v1/customers",
                    route="/api/v1/customers",
                    action="list",
                    query=f"page={page}&per_page=50",
                    rows=50,
                )
        # The support tool's database role: one customer at a time.
        for _ in range(rng.randint(20, 40)):
            moment = local(day, rng.randint(9, 17), rng.randint(0, 59))
            traffic.sql(
                moment,
                "support_ro",
                f"SELECT full_name, email, phone FROM customers WHERE id = "
                f"{rng.randint(1, CUSTOMERS)}",
            )
        # The weekly marketing export, Wednesdays at noon from the office.
        if day.weekday() == 2:
            traffic.sql(
                local(day, 12, 0),
                "marketing_ro",
                "COPY (SELECT full_name, email, city, preferred_language FROM customers "
                "WHERE opted_in) TO STDOUT WITH CSV",
                action="export",
                rows=4200,
            )


ATTACK_NIGHT = FIRST_DAY + timedelta(days=24)  # Thursday 2026-10-29 (UTC night)


def night_attack(traffic: Traffic) -> Attack:
    """jmartin's token at night from 203.0.113.0/24 paging and fetching customers, and a
    bulk SELECT through the database by support_ro."""
    start = ATTACK_NIGHT + timedelta(hours=1, minutes=7)
    ips = ("203.0.113.7", "203.0.113.45")
    moment = start
    for page in range(1, 121):
        traffic.api(
            moment,
            "agent:jmartin",
            ips[0],
            "/api/v1/customers",
            route="/api/v1/customers",
            action="list",
            query=f"page={page}&per_page=50",
            rows=50,
            agent="python-requests/2.31.0",
        )
        moment += timedelta(seconds=20)
    for number in range(1, 901):
        traffic.api(
            moment,
            "agent:jmartin",
            ips[1],
            f"/api/v1/customers/{number}",
            route="/api/v1/customers/{id}",
            object_id=str(number),
            agent="python-requests/2.31.0",
        )
        moment += timedelta(seconds=7)
    last_api = moment - timedelta(seconds=7)
    db_moment = ATTACK_NIGHT + timedelta(hours=2, minutes=30)
    for offset in range(0, 6000, 1000):
        traffic.sql(
            db_moment,
            "support_ro",
            "SELECT full_name, email, city, region, postal_code FROM customers "
            f"ORDER BY id LIMIT 1000 OFFSET {offset}",
        )
        db_moment += timedelta(minutes=3)
    traffic.sql(
        db_moment, "support_ro", "SELECT full_name, email, city, region, country FROM customers"
    )
    end = max(last_api, db_moment)
    return Attack(start, end, ("agent:jmartin", "support_ro"), ips)


def slow_extraction(traffic: Traffic) -> Attack:
    """A second shape, not used to set thresholds: lnguyen's account walks customer ids a few
    hundred a day, in office hours, from the office, over four days."""
    first = FIRST_DAY + timedelta(days=14)  # Monday of week three
    ip = f"{OFFICE}13"
    number = 2000
    start = end = None
    for offset in range(4):
        day = first + timedelta(days=offset)
        for index in range(280):
            moment = local(day, 9, 30) + timedelta(seconds=index * 90)
            traffic.api(
                moment,
                "agent:lnguyen",
                ip,
                f"/api/v1/customers/{number}",
                route="/api/v1/customers/{id}",
                object_id=str(number),
            )
            number += 1
            start = start or moment
            end = moment
    assert start is not None
    assert end is not None
    return Attack(start, end, ("agent:lnguyen",), (ip,))


def canary_touch(traffic: Traffic) -> datetime:
    """akhan opens the canary customer (a Tuesday afternoon: nothing else is odd about it)."""
    moment = local(FIRST_DAY + timedelta(days=22), 15, 12)
    traffic.api(
        moment,
        "agent:akhan",
        f"{OFFICE}14",
        f"/api/v1/customers/{CANARY_KEY}",
        route="/api/v1/customers/{id}",
        object_id=CANARY_KEY,
    )
    return moment
