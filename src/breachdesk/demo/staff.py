"""A day of the house's own API traffic: support agents in office hours and service accounts.

Agents work Paris office hours from the office network (a skeleton crew on Saturdays), each
reading tens of customers by id; ``svc:order-sync`` polls orders every five minutes and
``svc:search-indexer`` pages the catalogue every hour, from the internal network.
"""

from __future__ import annotations

import random
from urllib.parse import quote

from breachdesk.demo.clock import Day
from breachdesk.demo.logfiles import BOTH, GATEWAY, Hit
from breachdesk.demo.world import AGENTS, BACKOFFICE, BROWSERS, World

ORDER_SYNC_UA = "order-sync/3.4.1 (+https://maison-aurelle.com)"
INDEXER_UA = "search-indexer/1.9.0 python-httpx/0.27.2"


def staff_day(world: World, day: Day) -> list[Hit]:
    rng = random.Random(f"{world.seed}:staff:{day.index}")
    hits: list[Hit] = []
    known = world.existing_customers(day.start)
    if day.weekday < 5:
        on_duty = [a for a in AGENTS if rng.random() < 0.9]
        shift = (9, 18)
    elif day.weekday == 5:
        on_duty = rng.sample(AGENTS, 2)
        shift = (10, 16)
    else:
        on_duty = []
        shift = (0, 0)
    for agent in on_duty:
        hits += _agent_shift(world, day, rng, agent, shift, known)
    if day.index == _late_evening(world):
        hits += _agent_evening(world, day, rng, known)
    hits += _order_sync(world, day, rng)
    hits += _search_indexer(world, day, rng)
    return hits


def _late_evening(world: World) -> int:
    """The one weekday evening an agent finishes a case from home (legitimately)."""
    rng = random.Random(f"{world.seed}:evening")
    weekdays = [d.index for d in world.days if d.weekday < 4]
    return rng.choice(weekdays[: max(1, len(weekdays) - 4)])


def _agent_shift(
    world: World, day: Day, rng: random.Random, agent: str, shift: tuple[int, int], known: int
) -> list[Hit]:
    ip = world.agent_ip(agent)
    start = day.at(shift[0] - 1, 45) + rng.randrange(45 * 60_000)
    end = day.at(shift[1] - 1, 30) + rng.randrange(60 * 60_000)
    lunch = day.at(12, 30) + rng.randrange(30 * 60_000)
    lookups = rng.randint(20, 60)
    times = sorted(start + rng.randrange(end - start) for _ in range(lookups))
    times = [t if not lunch <= t < lunch + 3_600_000 else t + 3_600_000 for t in times]
    hits: list[Hit] = []
    for ms in times:
        hits += _lookup(world, rng, ms, agent, ip, known)
    for _ in range(rng.randint(1, 3)):
        ms = start + rng.randrange(end - start)
        for number in range(1, rng.randint(1, 2) + 1):
            ms += rng.randint(3_000, 40_000)
            hits.append(
                _api(
                    world, rng, ms, agent, ip, "/api/v1/customers", f"page={number}&per_page=25", 25
                )
            )
    return hits


def _lookup(
    world: World, rng: random.Random, ms: int, agent: str, ip: str, known: int
) -> list[Hit]:
    """A support case: find the customer (often by email), open the record, maybe an order."""
    customer = world.pick_customer(rng, known)
    hits = []
    if rng.random() < 0.45:
        email = world.customer(customer)[1]
        hits.append(
            _api(
                world,
                rng,
                ms,
                agent,
                ip,
                "/api/v1/customers/search",
                "q=" + quote(email, safe=""),
                1,
            )
        )
        ms += rng.randint(2_000, 15_000)
    hits.append(_api(world, rng, ms, agent, ip, f"/api/v1/customers/{customer}", "", 1))
    count = int(world.facts.order_count[customer])
    if count and rng.random() < 0.5:
        order = int(world.facts.first_order[customer]) + rng.randrange(count)
        ms += rng.randint(5_000, 60_000)
        hits.append(_api(world, rng, ms, agent, ip, f"/api/v1/orders/{order}", "", 1))
    return hits


def _api(
    world: World,
    rng: random.Random,
    ms: int,
    agent: str,
    ip: str,
    path: str,
    query: str,
    rows: int,
    user_agent: str | None = None,
) -> Hit:
    principal = f"agent:{agent}"
    return Hit(
        ms,
        ip,
        "GET",
        path,
        query,
        200,
        140 + rows * rng.randint(200, 320),
        f"{BACKOFFICE}/customers",
        user_agent or BROWSERS[0],
        principal,
        world.tokens[principal],
        rows,
        rng.randint(15, 160),
        BOTH,
    )


def _agent_evening(world: World, day: Day, rng: random.Random, known: int) -> list[Hit]:
    agent = "sdubois"
    ip = f"90.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    ms = day.at(20, rng.randint(5, 40))
    hits: list[Hit] = []
    for _ in range(rng.randint(6, 12)):
        ms += rng.randint(30_000, 240_000)
        hits += _lookup(world, rng, ms, agent, ip, known)
    return hits


def _order_sync(world: World, day: Day, rng: random.Random) -> list[Hit]:
    principal = "svc:order-sync"
    hits = []
    for ms in range(day.start + 2 * 60_000, day.end, 5 * 60_000):
        local_hour = next(h for h in range(23, -1, -1) if day.hour_starts[h] <= ms)
        rows = rng.randint(0, 3) if local_hour < 7 else rng.randint(0, 40)
        stamp = (ms - 5 * 60_000) // 1000
        hits.append(
            Hit(
                ms + rng.randrange(900),
                "10.20.0.15",
                "GET",
                "/api/v1/orders",
                f"updated_since={stamp}&page=1&per_page=200",
                200,
                90 + rows * 380,
                "",
                ORDER_SYNC_UA,
                principal,
                world.tokens[principal],
                rows,
                rng.randint(20, 180),
                GATEWAY,
            )
        )
    return hits


def _search_indexer(world: World, day: Day, rng: random.Random) -> list[Hit]:
    principal = "svc:search-indexer"
    total = len(world.facts.products)
    hits = []
    for hour in range(24):
        ms = day.at(hour, 7) + rng.randrange(60_000)
        for number in range(1, (total - 1) // 100 + 2):
            rows = min(100, total - (number - 1) * 100)
            ms += rng.randint(300, 1_500)
            hits.append(
                Hit(
                    ms,
                    "10.20.0.22",
                    "GET",
                    "/api/v1/products",
                    f"page={number}&per_page=100",
                    200,
                    120 + rows * 260,
                    "",
                    INDEXER_UA,
                    principal,
                    world.tokens[principal],
                    rows,
                    rng.randint(40, 220),
                    GATEWAY,
                )
            )
    return hits
