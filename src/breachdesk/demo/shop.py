"""``shop.db``: the retailer's back office in SQLite, segmented, with one legacy break.

Customers, credentials, payment tokens and orders live in separate tables; the 2019
marketing export copies names and emails next to full card numbers, CVVs and passwords.
"""

from __future__ import annotations

import base64
import hashlib
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from argon2 import PasswordHasher, Type

from breachdesk.demo.cards import make_card
from breachdesk.demo.people import CustomerBatch, CustomerMaker
from breachdesk.demo.places import COUNTRIES
from breachdesk.demo.products import Product, make_products
from breachdesk.demo.seeding import np_stream, py_stream

SCHEMA = """
CREATE TABLE products (
    id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    category TEXT NOT NULL, price_cents INTEGER NOT NULL);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, phone TEXT,
    city TEXT, region TEXT, postal_code TEXT, country TEXT NOT NULL,
    preferred_language TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    marketing_opt_in INTEGER NOT NULL);
CREATE TABLE credentials (
    customer_id INTEGER PRIMARY KEY REFERENCES customers(id),
    password_hash TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE payment_methods (
    id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
    token TEXT NOT NULL UNIQUE, brand TEXT NOT NULL, last4 TEXT NOT NULL,
    exp_month INTEGER NOT NULL, exp_year INTEGER NOT NULL);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
    placed_at TEXT NOT NULL, total_cents INTEGER NOT NULL, currency TEXT NOT NULL,
    status TEXT NOT NULL, ship_city TEXT, ship_country TEXT);
CREATE TABLE marketing_export_2019 (
    full_name TEXT, email TEXT, birth_date TEXT, card_number TEXT, cvv TEXT,
    card_expiry TEXT, password TEXT);
"""
INDEXES = """
CREATE INDEX orders_customer ON orders(customer_id);
CREATE INDEX payment_methods_customer ON payment_methods(customer_id);
CREATE INDEX customers_updated ON customers(updated_at);
"""
# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
ARGON2_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$"
REAL_HASHES = 100
_STATUSES = ("delivered", "shipped", "processing", "cancelled", "returned")
_STATUS_WEIGHTS = np.array([0.70, 0.08, 0.05, 0.07, 0.10])
# Rough value of one euro in each currency's minor unit (JPY has no cents).
_MINOR_PER_EUR = {
    "EUR": 100,
    "USD": 108,
    "GBP": 86,
    "CHF": 95,
    "JPY": 160,
    "SGD": 145,
    "AUD": 165,
    "BRL": 590,
    "CAD": 150,
}
_WEAK_PASSWORDS = (
    "azerty123",
    "Soleil2019",
    "motdepasse",
    "Password1",
    "iloveyou",
    "chanel5",
    "paris75016",
    "123456789",
    "Marseille13",
    "qwerty2019",
    "Summer2019!",
    "monaco98",
    "Bonjour1",
    "letmein",
    "loulou2010",
)

Progress = Callable[[str, int, int], None]


@dataclass
class ShopFacts:
    """What the log and mail generators need to know about the shop, kept small."""

    customers: int
    country: np.ndarray  # index into COUNTRIES, by customer id (0 unused)
    language: np.ndarray  # index into LANGUAGES, by customer id
    created: np.ndarray  # epoch seconds, by customer id
    first_order: np.ndarray  # first order id, by customer id
    order_count: np.ndarray
    products: list[Product]
    canaries: dict[int, str]
    rows: dict[str, int] = field(default_factory=dict)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=")


class ShopWriter:
    """Writes ``shop.db`` batch by batch; memory stays flat whatever the number of rows."""

    def __init__(self, path: Path, seed: int, languages: tuple[str, ...]):
        self.path = path
        self.seed = seed
        self.languages = {lang: i for i, lang in enumerate(languages)}
        self.hasher = PasswordHasher(
            time_cost=2,
            memory_cost=19456,
            parallelism=1,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )

    def write(self, maker: CustomerMaker, progress: Progress | None = None) -> ShopFacts:
        n = maker.count
        facts = ShopFacts(
            customers=n,
            country=np.zeros(n + 1, np.uint8),
            language=np.zeros(n + 1, np.uint8),
            created=np.zeros(n + 1, np.int64),
            first_order=np.zeros(n + 1, np.int64),
            order_count=np.zeros(n + 1, np.uint8),
            products=make_products(self.seed),
            canaries=maker.canaries,
        )
        rows = dict.fromkeys(
            (
                "products",
                "customers",
                "credentials",
                "payment_methods",
                "orders",
                "marketing_export_2019",
            ),
            0,
        )
        db = sqlite3.connect(self.path)
        try:
            db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
            db.executescript(SCHEMA)
            db.executemany(
                "INSERT INTO products VALUES (?, ?, ?, ?, ?)",
                [(p.id, p.sku, p.name, p.category, p.price_cents) for p in facts.products],
            )
            rows["products"] = len(facts.products)
            next_ids = {"payment": 1, "order": 1}
            for number, batch in enumerate(maker.batches()):
                db.executemany(
                    "INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    batch.rows,
                )
                rows["customers"] += len(batch.rows)
                rows["credentials"] += self._credentials(db, batch, number, maker.canaries)
                rows["payment_methods"] += self._payments(db, batch, number, next_ids)
                rows["orders"] += self._orders(db, batch, number, next_ids, facts, maker)
                ids = slice(batch.start, batch.start + len(batch.rows))
                facts.country[ids] = batch.country
                facts.language[ids] = [self.languages[lang] for lang in batch.language]
                facts.created[ids] = batch.created.astype(np.int64)
                if progress:
                    progress("customers", rows["customers"], n)
            rows["marketing_export_2019"] = self._marketing_export(db, n, set(maker.canaries))
            db.executescript(INDEXES)
            db.commit()
        finally:
            db.close()
        facts.rows = rows
        return facts

    def _credentials(
        self, db: sqlite3.Connection, batch: CustomerBatch, number: int, canaries: dict[int, str]
    ) -> int:
        rng = np_stream(self.seed, "credentials", number)
        size = len(batch.rows)
        noise = rng.bytes(48 * size)
        out = []
        real: list[tuple[int, str, bytes]] = []
        for i, row in enumerate(batch.rows):
            customer_id = int(str(row[0]))
            salt, digest = noise[48 * i : 48 * i + 16], noise[48 * i + 16 : 48 * i + 48]
            if customer_id <= REAL_HASHES or customer_id in canaries:
                real.append((i, _b64(digest)[:14], salt))  # a random password, hashed below
                phc = ""
            else:
                # Real argon2id costs ~20 ms per row (hours for a million customers); past the
                # first hundred, rows get PHC strings of the same shape with random salt and
                # digest bytes. Nothing can verify them; a scanner sees the same format.
                phc = f"{ARGON2_PREFIX}{_b64(salt)}${_b64(digest)}"
            out.append((customer_id, phc, row[10]))
        # argon2-cffi releases the GIL: hash the real ones on every core (salts are fixed).
        if real:
            with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
                hashes = list(pool.map(lambda job: self.hasher.hash(job[1], salt=job[2]), real))
            for (i, _, _), phc in zip(real, hashes, strict=True):
                out[i] = (out[i][0], phc, out[i][2])
        db.executemany("INSERT INTO credentials VALUES (?, ?, ?)", out)
        return len(out)

    def _payments(
        self, db: sqlite3.Connection, batch: CustomerBatch, number: int, next_ids: dict[str, int]
    ) -> int:
        rng = np_stream(self.seed, "payments", number)
        size = len(batch.rows)
        counts = rng.choice(3, size=size, p=[0.3, 0.55, 0.15])
        total = int(counts.sum())
        tokens = rng.bytes(12 * total).hex()
        brands = rng.choice(3, size=total, p=[0.5, 0.35, 0.15])
        last4 = rng.integers(0, 10_000, size=total)
        months = rng.integers(1, 13, size=total)
        years = rng.integers(2026, 2032, size=total)
        owners = np.repeat(np.arange(batch.start, batch.start + size), counts)
        first = next_ids["payment"]
        out = [
            (
                first + k,
                int(owners[k]),
                "tok_" + tokens[24 * k : 24 * k + 24],
                ("visa", "mastercard", "amex")[brands[k]],
                f"{int(last4[k]):04d}",
                int(months[k]),
                int(years[k]),
            )
            for k in range(total)
        ]
        next_ids["payment"] = first + total
        db.executemany("INSERT INTO payment_methods VALUES (?, ?, ?, ?, ?, ?, ?)", out)
        return total

    def _orders(
        self,
        db: sqlite3.Connection,
        batch: CustomerBatch,
        number: int,
        next_ids: dict[str, int],
        facts: ShopFacts,
        maker: CustomerMaker,
    ) -> int:
        rng = np_stream(self.seed, "orders", number)
        size = len(batch.rows)
        counts = np.minimum(rng.poisson(1.4, size=size), 12)
        total = int(counts.sum())
        owner_pos = np.repeat(np.arange(size), counts)
        created = batch.created.astype(np.int64)[owner_pos]
        end = int(maker.end.astype(np.int64))
        placed = created + (rng.random(total) * (end - created)).astype(np.int64)
        placed_text = np.datetime_as_string(placed.astype("datetime64[s]"), unit="s").tolist()
        euros = np.exp(rng.normal(6.6, 0.9, size=total))
        statuses = rng.choice(len(_STATUSES), size=total, p=_STATUS_WEIGHTS)
        gift = rng.random(total) < 0.08
        gift_place = rng.integers(0, len(maker.places), size=total)
        first = next_ids["order"]
        out = []
        for k in range(total):
            row = batch.rows[int(owner_pos[k])]
            currency = COUNTRIES[int(batch.country[owner_pos[k]])].currency
            city, country = row[4], row[7]
            if gift[k]:
                place = maker.places[int(gift_place[k])]
                city, country = place.city, place.country
            amount = int(euros[k] * _MINOR_PER_EUR[currency]) // 100 * 100
            out.append(
                (
                    first + k,
                    row[0],
                    placed_text[k] + "Z",
                    amount,
                    currency,
                    _STATUSES[statuses[k]],
                    city,
                    country,
                )
            )
        starts = first + np.concatenate(([0], np.cumsum(counts)[:-1]))
        ids = slice(batch.start, batch.start + size)
        facts.first_order[ids] = starts
        facts.order_count[ids] = counts
        next_ids["order"] = first + total
        db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?)", out)
        return total

    def _marketing_export(self, db: sqlite3.Connection, n: int, canaries: set[int]) -> int:
        """A few hundred early customers, copied in 2019 with their cards and passwords."""
        rng = py_stream(self.seed, "marketing-export")
        size = min(320, max(25, n // 8))
        pool = [i for i in range(1, max(size + 1, int(n * 0.3)) + 1) if i not in canaries]
        chosen = sorted(rng.sample(pool, min(size, len(pool))))
        people = db.execute(
            f"SELECT full_name, email FROM customers WHERE id IN ({','.join('?' * len(chosen))})"
            " ORDER BY id",
            chosen,
        ).fetchall()
        out = []
        for full_name, email in people:
            _, pan, cvv = make_card(rng)
            birth = f"{rng.randint(1950, 2001)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            expiry = f"{rng.randint(1, 12):02d}/{rng.randint(19, 24)}"
            password = rng.choice(_WEAK_PASSWORDS)
            if rng.random() < 0.25:  # some rows were "protected" with a bare MD5
                password = hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()
            out.append((full_name, email, birth, pan, cvv, expiry, password))
        db.executemany("INSERT INTO marketing_export_2019 VALUES (?, ?, ?, ?, ?, ?, ?)", out)
        return len(out)
