"""What every traffic generator shares: the shop's facts, the staff, addresses and browsers."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from breachdesk.demo.clock import Day
from breachdesk.demo.places import COUNTRIES
from breachdesk.demo.pools import LANGUAGES
from breachdesk.demo.seeding import py_stream
from breachdesk.demo.shop import ShopFacts

BRAND_DOMAIN = "maison-aurelle.com"
SITE = f"https://www.{BRAND_DOMAIN}"
BACKOFFICE = f"https://backoffice.{BRAND_DOMAIN}"
OFFICE_NET = "198.51.100"
ATTACK_NET = "203.0.113"
# Support agents and their desks' addresses behind the Paris office's NAT pool.
AGENTS = ("jmartin", "sdubois", "lnguyen", "mrossi", "ahassan", "cmeyer")
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.6723.102 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.2849.68",
    "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
)


def _mix(value: int) -> int:
    """A cheap, stable integer hash (so a customer keeps one home address and browser)."""
    value = (value * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    return value ^ (value >> 29)


@dataclass
class World:
    seed: int
    days: list[Day]
    facts: ShopFacts
    shop_db: Path
    canaries: frozenset[int] = frozenset()
    tokens: dict[str, str] = field(default_factory=dict)
    _db: sqlite3.Connection | None = None

    def __post_init__(self) -> None:
        rng = py_stream(self.seed, "tokens")
        for principal in [*(f"agent:{a}" for a in AGENTS), "svc:order-sync", "svc:search-indexer"]:
            self.tokens[principal] = f"tok_{rng.getrandbits(64):016x}"

    @property
    def customers(self) -> int:
        return self.facts.customers

    @property
    def scale(self) -> float:
        """Traffic grows with the customer base, but much more slowly than it."""
        return float((self.customers / 5000) ** 0.4)

    def pick_customer(self, rng: random.Random, known: int) -> int:
        """A real customer among the first ``known``: canaries are planted records that no
        legitimate customer, agent or job ever touches (any touch is the alarm)."""
        while True:
            customer = rng.randint(1, known)
            if customer not in self.canaries or known <= len(self.canaries):
                return customer

    def existing_customers(self, ms: int) -> int:
        """How many customer ids existed at ``ms`` (ids grow with sign-up time)."""
        created = self.facts.created
        return max(1, int((created[1:] * 1000 <= ms).sum()))

    def language(self, customer_id: int) -> str:
        return LANGUAGES[int(self.facts.language[customer_id])]

    def home_ip(self, customer_id: int) -> str:
        country = COUNTRIES[int(self.facts.country[customer_id])]
        h = _mix(customer_id + 1)
        first = country.ip_prefixes[h % len(country.ip_prefixes)]
        return f"{first}.{(h >> 8) % 256}.{(h >> 16) % 256}.{(h >> 24) % 253 + 1}"

    def browser(self, customer_id: int) -> str:
        return BROWSERS[_mix(customer_id + 7) % len(BROWSERS)]

    def agent_ip(self, agent: str) -> str:
        return f"{OFFICE_NET}.{20 + AGENTS.index(agent)}"

    def db(self) -> sqlite3.Connection:
        """shop.db, read-only, for the few values logs and mails quote (names, emails)."""
        if self._db is None:
            self._db = sqlite3.connect(f"file:{self.shop_db}?mode=ro", uri=True)
        return self._db

    def customer(self, customer_id: int) -> tuple[str, str, str, str]:
        """(full_name, email, city, preferred_language) of one customer."""
        row = (
            self.db()
            .execute(
                "SELECT full_name, email, city, preferred_language FROM customers WHERE id = ?",
                (customer_id,),
            )
            .fetchone()
        )
        return (str(row[0]), str(row[1]), str(row[2]), str(row[3]))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def random_ip(rng: random.Random, country_index: int) -> str:
    country = COUNTRIES[country_index]
    first = rng.choice(country.ip_prefixes)
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
