"""The breach, hidden in a night of ordinary traffic.

A support agent's API token (``agent:jmartin``, normally used in office hours from the
office) is replayed at night from two or three never-seen addresses with a scripting user
agent: it pages ``/api/v1/customers`` by id order and fetches single customers by id. Then
``support_ro`` connects to the database from one of those addresses and runs a few bulk
``SELECT``s of names, emails and locations. What each request returned is computed against
``shop.db``, so ``truth.json`` lists exactly the customers whose rows left the house.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from breachdesk.demo.clock import Day
from breachdesk.demo.database import CUSTOMERS, DbSession
from breachdesk.demo.logfiles import BOTH, DbEntry, Hit
from breachdesk.demo.world import ATTACK_NET

API_PRINCIPAL = "agent:jmartin"
DB_PRINCIPAL = "support_ro"
USER_AGENT = "python-requests/2.32.3"
PER_PAGE = 100
API_COLUMNS = ("id", "full_name", "email", "city", "region", "country")
DB_COLUMNS = ("full_name", "email", "city", "region", "country")
CANARY_COUNT = 5


@dataclass(frozen=True)
class DbPull:
    """One bulk SELECT: ``text`` as logged; ``ids`` the same rows, selecting only the id."""

    text: str
    ids: str


@dataclass(frozen=True)
class AttackPlan:
    day_index: int
    ips: tuple[str, ...]
    pages: tuple[int, ...]
    object_ids: tuple[int, ...]
    pulls: tuple[DbPull, ...]
    canaries: tuple[int, ...]


@dataclass
class AttackOutcome:
    """The attack's log events and what they returned."""

    hits: list[Hit] = field(default_factory=list)
    entries: list[DbEntry] = field(default_factory=list)
    affected: set[int] = field(default_factory=set)
    start_ms: int = 0
    end_ms: int = 0


def _pull(columns: str, tail: str) -> DbPull:
    return DbPull(f"SELECT {columns}\nFROM customers\n{tail}", f"SELECT id FROM customers {tail}")


def plan_attack(seed: int, customers: int, days: int) -> AttackPlan:
    """Where and what the attacker reads; depends only on the seed and the sizes."""
    rng = random.Random(f"{seed}:attack")
    n = customers
    day_index = days - 1 - rng.randrange(5)
    ips = tuple(f"{ATTACK_NET}.{h}" for h in sorted(rng.sample(range(10, 250), rng.choice((2, 3)))))
    pages = max(1, min(200, round(n * 0.25 / PER_PAGE)))
    paged = min(n, pages * PER_PAGE)
    wanted = max(12, min(60, n // 100))
    pool = range(paged + 1, int(n * 0.9) + 1)
    objects = rng.sample(pool, min(wanted, len(pool))) if len(pool) else []
    objects += [n + rng.randint(1, 5_000) for _ in range(3)]  # ids that do not exist: 404
    columns = ", ".join(DB_COLUMNS)
    o1, l1 = round(n * 0.40), max(10, round(n * 0.08))
    a2 = round(n * 0.55)
    b2 = a2 + max(10, round(n * 0.10))
    c3, l3 = round(n * 0.70), max(10, round(n * 0.05))
    pulls = (
        _pull(columns, f"ORDER BY id\nLIMIT {l1} OFFSET {o1}"),
        _pull(columns, f"WHERE id BETWEEN {a2} AND {b2}"),
        _pull(
            columns, f"WHERE country IN ('FR', 'CH', 'US') AND id > {c3}\nORDER BY id\nLIMIT {l3}"
        ),
    )
    # Canaries: one in the pages, one in the BETWEEN range, the others where nothing reads.
    taken = set(objects)
    inside = [rng.randint(max(1, paged - 80), paged), rng.randint(a2, min(b2, n))]
    outside = [i for i in range(round(n * 0.9), n + 1) if i not in taken and i not in inside]
    if len(outside) < CANARY_COUNT - 2:
        outside = [i for i in range(1, n + 1) if i not in inside]
    canaries = sorted({*inside, *rng.sample(outside, CANARY_COUNT - 2)})
    return AttackPlan(
        day_index, ips, tuple(range(1, pages + 1)), tuple(objects), pulls, tuple(canaries)
    )


def run_attack(
    plan: AttackPlan, day: Day, shop_db: Path, token_id: str, seed: int
) -> AttackOutcome:
    """The attack's events on ``day``, with rows and statuses as shop.db answers them."""
    rng = random.Random(f"{seed}:attack-events")
    outcome = AttackOutcome()
    db = sqlite3.connect(f"file:{shop_db}?mode=ro", uri=True)
    try:
        ms = day.at(1, rng.randint(5, 50), rng.uniform(0, 60))
        outcome.start_ms = ms
        requests = [("page", p) for p in plan.pages] + [("object", i) for i in plan.object_ids]
        ip_index = 0
        for number, (kind, value) in enumerate(requests):
            if number and number % rng.randint(15, 30) == 0:
                ip_index = (ip_index + 1) % len(plan.ips)
            ms += rng.randint(1_200, 4_500)
            if kind == "page":
                ids = [
                    r[0]
                    for r in db.execute(
                        "SELECT id FROM customers ORDER BY id LIMIT ? OFFSET ?",
                        (PER_PAGE, (value - 1) * PER_PAGE),
                    )
                ]
                path, query, status = "/api/v1/customers", f"page={value}&per_page={PER_PAGE}", 200
            else:
                ids = [r[0] for r in db.execute("SELECT id FROM customers WHERE id = ?", (value,))]
                path, query, status = f"/api/v1/customers/{value}", "", 200 if ids else 404
            outcome.affected.update(ids)
            size = 60 + len(ids) * rng.randint(170, 260) if ids else 48
            outcome.hits.append(
                Hit(
                    ms,
                    plan.ips[ip_index],
                    "GET",
                    path,
                    query,
                    status,
                    size,
                    "",
                    USER_AGENT,
                    API_PRINCIPAL,
                    token_id,
                    len(ids),
                    rng.randint(60, 420),
                    BOTH,
                )
            )
        ms += rng.randint(6 * 60_000, 18 * 60_000)
        session = DbSession(outcome.entries, rng, DB_PRINCIPAL, plan.ips[-1], "psql", ms)
        session.run(
            rng.randint(8_000, 30_000),
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'customers'",
            [("VIEW", "information_schema.columns")],
        )
        session.fail(
            rng.randint(10_000, 40_000),
            "SELECT * FROM credentials LIMIT 5;",
            "permission denied for table credentials",
        )
        for pull in plan.pulls:
            session.run(rng.randint(20_000, 90_000), pull.text, [CUSTOMERS])
            outcome.affected.update(r[0] for r in db.execute(pull.ids))
        outcome.end_ms = session.close(rng.randint(5_000, 20_000))
    finally:
        db.close()
    return outcome
