"""A day of the PostgreSQL log with pgAudit session logging of the audited roles.

Nightly jobs (``svc_crm_sync`` reads customers changed since its last run, ``svc_reporting``
aggregates orders), the hourly search indexer, the support console's one-customer lookups,
the DBA, the weekly noon marketing export by ``marketing_ro`` from the office, and the
server's own messages (connections, checkpoints, autovacuum).
"""

from __future__ import annotations

import random

from breachdesk.demo.clock import Day, iso_utc
from breachdesk.demo.logfiles import DbEntry, audit_messages
from breachdesk.demo.world import OFFICE_NET, World

CUSTOMERS = ("TABLE", "public.customers")
ORDERS = ("TABLE", "public.orders")
PRODUCTS = ("TABLE", "public.products")
_SSL = "SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)"
CHECKPOINTER_PID = 27
MARKETING_WEEKDAY = 1  # Tuesday


class DbSession:
    """One connection: its connection lines, audited statements and disconnection."""

    def __init__(
        self, entries: list[DbEntry], rng: random.Random, user: str, host: str, app: str, ms: int
    ):
        self.entries, self.rng, self.user, self.host = entries, rng, user, host
        self.pid = rng.randint(2_000, 65_000)
        self.port = rng.randint(32_768, 60_999)
        self.opened = ms
        self.ms = ms
        self.statement_id = 0
        self._log(
            "[unknown]", "[unknown]", f"LOG:  connection received: host={host} port={self.port}"
        )
        self.ms += rng.randint(3, 40)
        self._log(
            user,
            "shop",
            f"LOG:  connection authorized: user={user} database=shop application_name={app} {_SSL}",
        )

    def _log(self, user: str, database: str, message: str) -> None:
        self.entries.append(DbEntry(self.ms, user, database, self.pid, message))

    def run(
        self,
        gap_ms: int,
        statement: str,
        objects: list[tuple[str, str]],
        klass: str = "READ",
        command: str = "SELECT",
    ) -> int:
        """Log ``statement`` ``gap_ms`` after the previous one; returns its time."""
        self.ms += gap_ms
        self.statement_id += 1
        for message in audit_messages(self.statement_id, klass, command, objects, statement):
            self._log(self.user, "shop", message)
        return self.ms

    def fail(self, gap_ms: int, statement: str, error: str) -> int:
        self.ms += gap_ms
        self._log(self.user, "shop", f"ERROR:  {error}")
        self._log(self.user, "shop", f"STATEMENT:  {statement}")
        return self.ms

    def close(self, gap_ms: int) -> int:
        self.ms += gap_ms
        elapsed = self.ms - self.opened
        hours, rest = divmod(elapsed, 3_600_000)
        minutes, rest = divmod(rest, 60_000)
        self._log(
            self.user,
            "shop",
            f"LOG:  disconnection: session time: {hours}:{minutes:02d}:{rest / 1000:06.3f} "
            f"user={self.user} database=shop host={self.host} port={self.port}",
        )
        return self.ms


def database_day(world: World, day: Day) -> list[DbEntry]:
    rng = random.Random(f"{world.seed}:database:{day.index}")
    entries: list[DbEntry] = []
    _server(day, rng, entries)
    _nightly_jobs(day, rng, entries)
    _indexer(day, rng, entries)
    if day.weekday < 5:
        _support_console(world, day, rng, entries)
        _dba(day, rng, entries)
    if day.weekday == MARKETING_WEEKDAY:
        _marketing_export(day, rng, entries)
    return entries


def _server(day: Day, rng: random.Random, entries: list[DbEntry]) -> None:
    for ms in range(day.start, day.end, 15 * 60_000):
        quiet = ms < day.at(6)
        if quiet and rng.random() < 0.5:
            continue
        ms += rng.randrange(5_000)
        buffers = rng.randint(40, 400 if quiet else 4_000)
        entries.append(DbEntry(ms, "", "", CHECKPOINTER_PID, "LOG:  checkpoint starting: time"))
        write = rng.uniform(3.0, 269.0)
        entries.append(
            DbEntry(
                ms + int(write * 1000) + 40,
                "",
                "",
                CHECKPOINTER_PID,
                f"LOG:  checkpoint complete: wrote {buffers} buffers ({buffers / 163.84:.1f}%); "
                f"0 WAL file(s) added, 0 removed, {rng.randint(0, 2)} recycled; "
                f"write={write:.3f} s, "
                f"sync=0.004 s, total={write + 0.01:.3f} s; sync files={rng.randint(3, 60)}, "
                "longest=0.002 s, average=0.001 s",
            )
        )
    for _ in range(rng.randint(1, 3)):
        ms = day.start + rng.randrange(day.end - day.start)
        table = rng.choice(("orders", "customers", "payment_methods"))
        entries.append(
            DbEntry(
                ms,
                "",
                "",
                rng.randint(2_000, 65_000),
                f'LOG:  automatic analyze of table "shop.public.{table}"\n'
                f"\tavg read rate: {rng.uniform(5, 80):.3f} MB/s, avg write rate: "
                f"{rng.uniform(0, 2):.3f} MB/s\n"
                f"\tbuffer usage: {rng.randint(500, 9000)} hits, {rng.randint(0, 900)} misses, "
                f"{rng.randint(0, 50)} dirtied\n"
                f"\tsystem usage: CPU: user: {rng.uniform(0.01, 0.4):.2f} s, system: 0.01 s, "
                f"elapsed: {rng.uniform(0.1, 1.5):.2f} s",
            )
        )
    for _ in range(rng.randint(2, 5)):  # the API's connection pool renewing connections
        session = DbSession(
            entries,
            rng,
            "shop_app",
            "10.20.0.11",
            "shop-api",
            day.start + rng.randrange(day.end - day.start),
        )
        del session


def _nightly_jobs(day: Day, rng: random.Random, entries: list[DbEntry]) -> None:
    start = day.at(2, 30) + rng.randrange(40_000)
    since = iso_utc(start - 86_400_000)[:16] + ":00Z"
    crm = DbSession(entries, rng, "svc_crm_sync", "10.20.0.31", "crm-sync", start)
    crm.run(
        rng.randint(20, 200),
        "SELECT id, full_name, email, phone, preferred_language, country, updated_at\n"
        "FROM customers\n"
        f"WHERE updated_at >= '{since}' OR created_at >= '{since}'",
        [CUSTOMERS],
    )
    crm.close(rng.randint(2_000, 9_000))
    report = DbSession(
        entries,
        rng,
        "svc_reporting",
        "10.20.0.32",
        "nightly-report",
        day.at(3, 15) + rng.randrange(60_000),
    )
    report.run(
        rng.randint(20, 200),
        "SELECT substr(placed_at, 1, 10) AS day, currency, count(*), sum(total_cents) "
        f"FROM orders WHERE placed_at >= '{since}' GROUP BY 1, 2",
        [ORDERS],
    )
    report.run(
        rng.randint(500, 3_000),
        "SELECT c.country, count(*) AS orders, sum(o.total_cents) AS total "
        "FROM orders o JOIN customers c ON c.id = o.customer_id "
        f"WHERE o.placed_at >= '{since}' GROUP BY c.country",
        [ORDERS, CUSTOMERS],
    )
    report.close(rng.randint(1_000, 5_000))


def _indexer(day: Day, rng: random.Random, entries: list[DbEntry]) -> None:
    for hour in range(0, 24, 2):
        session = DbSession(
            entries,
            rng,
            "svc_search_indexer",
            "10.20.0.22",
            "search-indexer",
            day.at(hour, 5) + rng.randrange(30_000),
        )
        session.run(
            rng.randint(10, 90),
            "SELECT id, sku, name, category, price_cents FROM products ORDER BY id",
            [PRODUCTS],
        )
        session.close(rng.randint(300, 2_000))


def _support_console(world: World, day: Day, rng: random.Random, entries: list[DbEntry]) -> None:
    """The support console's backend reads one customer at a time as ``support_ro``."""
    known = world.existing_customers(day.start)
    for hour in range(9, 18):
        session = DbSession(
            entries,
            rng,
            "support_ro",
            "10.20.1.15",
            "support-console",
            day.at(hour, rng.randrange(10)),
        )
        for _ in range(rng.randint(0, 4)):
            session.run(
                rng.randint(60_000, 600_000),
                "SELECT id, full_name, email, phone, city, country FROM customers "
                f"WHERE id = {rng.randint(1, known)}",
                [CUSTOMERS],
            )
        session.close(rng.randint(1_000, 30_000))


def _dba(day: Day, rng: random.Random, entries: list[DbEntry]) -> None:
    session = DbSession(
        entries, rng, "dba_ops", f"{OFFICE_NET}.5", "psql", day.at(10, rng.randrange(50))
    )
    session.run(
        rng.randint(5_000, 30_000),
        "SELECT pid, usename, application_name, state, query_start "
        "FROM pg_stat_activity WHERE state <> 'idle'",
        [("VIEW", "pg_catalog.pg_stat_activity")],
    )
    session.run(
        rng.randint(5_000, 60_000), "SELECT status, count(*) FROM orders GROUP BY status", [ORDERS]
    )
    if rng.random() < 0.3:
        session.run(
            rng.randint(5_000, 60_000),
            "VACUUM (ANALYZE) orders",
            [],
            klass="MISC",
            command="VACUUM",
        )
    session.close(rng.randint(2_000, 20_000))


def _marketing_export(day: Day, rng: random.Random, entries: list[DbEntry]) -> None:
    """Every Tuesday at noon: the opted-in customers, from the office, by ``marketing_ro``."""
    session = DbSession(
        entries,
        rng,
        "marketing_ro",
        f"{OFFICE_NET}.30",
        "DBeaver 24.2.5 - SQLEditor <newsletter.sql>",
        day.at(12, 0) + rng.randrange(4 * 60_000),
    )
    session.run(
        rng.randint(8_000, 30_000),
        "SELECT count(*) FROM customers WHERE marketing_opt_in = 1",
        [CUSTOMERS],
    )
    session.run(
        rng.randint(10_000, 60_000),
        "SELECT id, full_name, email, preferred_language, country\n"
        "FROM customers\n"
        "WHERE marketing_opt_in = 1\n"
        "ORDER BY id",
        [CUSTOMERS],
    )
    session.close(rng.randint(30_000, 120_000))
