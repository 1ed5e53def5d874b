"""A day of public traffic: customers on the storefront and their own account API (robots
are in ``crawlers``).

Volumes follow the hour of day in each visitor's own time zone (nights quiet, evening
peaks) and the weekday (weekends busier and later); they grow with days and, slowly, with
the customer base.
"""

from __future__ import annotations

import itertools
import random
from urllib.parse import quote

from breachdesk.demo.clock import Day
from breachdesk.demo.crawlers import crawlers_day
from breachdesk.demo.logfiles import BOTH, Hit
from breachdesk.demo.places import COUNTRIES
from breachdesk.demo.products import Catalogue
from breachdesk.demo.world import BROWSERS, SITE, World, random_ip

# Relative visits per local hour 0..23.
# fmt: off
WEEKDAY_PROFILE = (1.2, 0.7, 0.4, 0.3, 0.3, 0.4, 0.9, 1.8, 2.8, 3.4, 3.8, 4.2,
                   5.2, 5.0, 4.2, 4.0, 4.1, 4.4, 5.0, 5.8, 6.6, 6.4, 4.6, 2.6)
WEEKEND_PROFILE = (1.8, 1.1, 0.6, 0.4, 0.3, 0.3, 0.5, 0.9, 1.6, 2.8, 4.2, 5.2,
                   5.4, 5.2, 5.8, 6.2, 6.2, 5.9, 5.6, 5.6, 5.9, 5.6, 4.2, 2.8)
# fmt: on
WEEKDAY_VOLUME = (0.95, 0.95, 1.0, 1.0, 1.05, 1.3, 1.2)
SESSIONS_PER_DAY = 620
_REFERERS = (
    "https://www.google.com/",
    "https://www.google.fr/",
    "https://www.instagram.com/",
    "https://www.bing.com/",
    "",
    "",
    "",
)
_SEARCH_TERMS = (
    "sac",
    "bague or",
    "carré de soie",
    "montre",
    "parfum",
    "cadeau",
    "cachemire",
    "ballerines",
    "noël",
    "édition limitée",
)


def _hour_weights(day: Day, utc_offset: int) -> list[float]:
    """Weight of each Paris wall hour of ``day`` for visitors living at ``utc_offset``."""
    profile = WEEKEND_PROFILE if day.is_weekend else WEEKDAY_PROFILE
    weights = []
    for start in day.hour_starts:
        local_hour = (start // 3_600_000 + utc_offset) % 24
        weights.append(profile[local_hour])
    return weights


def public_day(world: World, day: Day, catalogue: Catalogue) -> list[Hit]:
    rng = random.Random(f"{world.seed}:public:{day.index}")
    hits: list[Hit] = []
    hits += _customer_sessions(world, day, catalogue, rng)
    hits += crawlers_day(day, catalogue, rng)
    return hits


def _customer_sessions(
    world: World, day: Day, catalogue: Catalogue, rng: random.Random
) -> list[Hit]:
    count = int(
        SESSIONS_PER_DAY * world.scale * WEEKDAY_VOLUME[day.weekday] * rng.uniform(0.9, 1.1)
    )
    cum = {
        i: list(itertools.accumulate(_hour_weights(day, c.utc_offset)))
        for i, c in enumerate(COUNTRIES)
    }
    country_cum = list(itertools.accumulate(c.weight * c.visits for c in COUNTRIES))
    known = world.existing_customers(day.start)
    hits: list[Hit] = []
    for _ in range(count):
        customer = world.pick_customer(rng, known) if rng.random() < 0.45 else 0
        for _ in range(3):  # far-away customers visit less often
            if not customer or rng.random() < COUNTRIES[world.facts.country[customer]].visits:
                break
            customer = world.pick_customer(rng, known)
        if customer:
            country = int(world.facts.country[customer])
            lang = world.language(customer)[:2]
            ip = world.home_ip(customer) if rng.random() < 0.7 else random_ip(rng, country)
            agent = world.browser(customer)
        else:
            country = rng.choices(range(len(COUNTRIES)), cum_weights=country_cum)[0]
            lang = "fr" if COUNTRIES[country].code in ("FR", "CH") else "en"
            ip = random_ip(rng, country)
            agent = rng.choice(BROWSERS)
        hour = rng.choices(range(24), cum_weights=cum[country])[0]
        start = day.hour_starts[hour] + rng.randrange(3_600_000)
        hits += _session(world, rng, catalogue, start, customer, lang, ip, agent)
    return hits


def _session(
    world: World,
    rng: random.Random,
    catalogue: Catalogue,
    ms: int,
    customer: int,
    lang: str,
    ip: str,
    agent: str,
) -> list[Hit]:
    principal = f"customer:{customer}" if customer else "anonymous"
    token = f"tok_{rng.getrandbits(64):016x}" if customer else None
    hits: list[Hit] = []
    referer = rng.choice(_REFERERS)
    query = "utm_source=newsletter&utm_medium=email" if rng.random() < 0.08 else ""

    def page(path: str, q: str = "") -> None:
        nonlocal ms, referer
        status = 404 if rng.random() < 0.01 else 200
        hits.append(
            Hit(ms, ip, "GET", path, q, status, rng.randint(18_000, 95_000), referer, agent)
        )
        referer = SITE + path

    def api(method: str, path: str, q: str = "", status: int = 200, rows: int = 0) -> None:
        nonlocal ms
        ms += rng.randint(80, 900)
        size = 120 + rows * rng.randint(180, 420)
        hits.append(
            Hit(
                ms,
                ip,
                method,
                path,
                q,
                status,
                size,
                referer,
                agent,
                principal if path != "/api/v1/auth/login" else "anonymous",
                token if path != "/api/v1/auth/login" else None,
                rows,
                rng.randint(12, 240),
                BOTH,
            )
        )

    landing = rng.random()
    if landing < 0.4:
        page(f"/{lang}/", query)
    elif landing < 0.7:
        page(catalogue.collection_page(rng, lang)[0], query)
    else:
        page(catalogue.product_page(rng, lang)[0], query)
    if customer:
        if rng.random() < 0.05:
            api("POST", "/api/v1/auth/login", status=401)
        api("POST", "/api/v1/auth/login")
        api("GET", f"/api/v1/customers/{customer}", rows=1)
        first, count = (
            int(world.facts.first_order[customer]),
            int(world.facts.order_count[customer]),
        )
        for order in range(first, first + min(count, rng.randint(0, 2))):
            api("GET", f"/api/v1/orders/{order}", rows=1)
    for _ in range(min(int(rng.expovariate(1 / 5)), 24)):
        ms += rng.randint(4_000, 75_000)
        choice = rng.random()
        if choice < 0.45:
            path, product = catalogue.product_page(rng, lang)
            page(path)
            api("GET", f"/api/v1/products/{product.sku}", rows=1)
        elif choice < 0.7:
            path, category = catalogue.collection_page(rng, lang)
            page(path)
            api("GET", "/api/v1/products", f"category={category}&page=1&per_page=24", rows=24)
        elif choice < 0.78:
            page(f"/{lang}/search", "q=" + quote(rng.choice(_SEARCH_TERMS)))
        elif choice < 0.9:
            page(f"/{lang}/cart")
            api("GET", "/api/v1/cart", rows=rng.randint(0, 3))
        else:
            page(f"/{lang}/")
    if customer and rng.random() < 0.05:
        api("POST", "/api/v1/cart/items", status=201, rows=1)
        ms += rng.randint(20_000, 120_000)
        page(f"/{lang}/checkout")
        api("POST", "/api/v1/orders", status=201, rows=1)
    return hits
