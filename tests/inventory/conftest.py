"""Fixtures for the inventory tests: a small retailer database with the contract schema
(DESIGN.md / helper brief) and its planted segmentation breaks."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from faker import Faker

LOCALES = ["fr_FR", "de_DE", "en_GB", "it_IT", "es_ES"]
COUNTRY = {"fr_FR": "FR", "de_DE": "DE", "en_GB": "GB", "it_IT": "IT", "es_ES": "ES"}

PLANTED = {
    ("pan-readable", "marketing_export_2019"),
    ("cvv-stored", "marketing_export_2019"),
    ("password-plaintext", "marketing_export_2019"),
    ("password-weak-hash", "marketing_export_2019"),
    ("credentials-with-contact", "marketing_export_2019"),
    ("payment-with-contact", "marketing_export_2019"),
    ("personal-data-copied", "marketing_export_2019"),
}
SEGMENTED = {"customers", "credentials", "payment_methods", "orders", "products"}


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    """A Luhn-valid number of ``length`` digits starting with ``prefix``."""
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return body + str((10 - total % 10) % 10)


def build_contract_db(path: Path, *, customers: int = 120, seed: int = 7) -> Path:
    """Write a small shop database following the contract schema to ``path``."""
    rng = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in LOCALES}
    for index, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + index)
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    hashes = [hasher.hash(f"pw{i}") for i in range(8)]
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE customers (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT UNIQUE,
            phone TEXT, city TEXT, region TEXT, postal_code TEXT, country TEXT,
            preferred_language TEXT, created_at TEXT);
        CREATE TABLE credentials (customer_id INTEGER PRIMARY KEY, password_hash TEXT,
            updated_at TEXT);
        CREATE TABLE payment_methods (id INTEGER PRIMARY KEY, customer_id INTEGER, token TEXT,
            brand TEXT, last4 TEXT, exp_month INTEGER, exp_year INTEGER);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, placed_at TEXT,
            total_cents INTEGER, currency TEXT, status TEXT, ship_city TEXT, ship_country TEXT);
        CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT, name TEXT, category TEXT,
            price_cents INTEGER);
        CREATE TABLE marketing_export_2019 (full_name TEXT, email TEXT, birth_date TEXT,
            card_number TEXT, cvv TEXT, card_expiry TEXT, password TEXT);
        """
    )
    people = []
    for cid in range(1, customers + 1):
        locale = LOCALES[cid % len(LOCALES)]
        fake = fakers[locale]
        name = fake.name()
        email = f"{fake.user_name()}{cid}@{fake.free_email_domain()}"
        row = (
            cid,
            name,
            email,
            fake.phone_number(),
            fake.city(),
            fake.administrative_unit(),
            fake.postcode(),
            COUNTRY[locale],
            locale.replace("_", "-"),
            fake.date_time_this_decade().isoformat() + "Z",
        )
        people.append(row)
        db.execute("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?,?)", row)
        db.execute(
            "INSERT INTO credentials VALUES (?,?,?)",
            (cid, hashes[cid % len(hashes)], "2026-01-01T00:00:00Z"),
        )
        db.execute(
            "INSERT INTO payment_methods VALUES (?,?,?,?,?,?,?)",
            (
                cid,
                cid,
                f"tok_{rng.getrandbits(64):016x}",
                "visa",
                f"{rng.randrange(10000):04d}",
                rng.randint(1, 12),
                rng.randint(2026, 2031),
            ),
        )
        for _ in range(2):
            db.execute(
                "INSERT INTO orders (customer_id, placed_at, total_cents, currency, status,"
                " ship_city, ship_country) VALUES (?,?,?,?,?,?,?)",
                (
                    cid,
                    "2026-03-01T10:00:00Z",
                    rng.randint(1000, 90000),
                    "EUR",
                    "shipped",
                    row[4],
                    row[7],
                ),
            )
    for pid in range(1, 40):
        db.execute(
            "INSERT INTO products VALUES (?,?,?,?,?)",
            (
                pid,
                f"SKU-{pid:05d}",
                rng.choice(
                    ["Sac Lune", "Foulard Soie", "Ceinture Or", "Montre Étoile", "Bague Perle"]
                )
                + f" {pid}",
                rng.choice(["bags", "scarves", "jewellery"]),
                rng.randint(5000, 500000),
            ),
        )
    for index, person in enumerate(people[:80]):
        fake = fakers[LOCALES[index % len(LOCALES)]]
        password = (
            fake.password(length=10)
            if index % 2
            else hashlib.md5(f"secret{index}".encode()).hexdigest()
        )
        db.execute(
            "INSERT INTO marketing_export_2019 VALUES (?,?,?,?,?,?,?)",
            (
                person[1],
                person[2],
                fake.date_of_birth(minimum_age=18).isoformat(),
                luhn_complete("4", 16, rng),
                f"{rng.randrange(1000):03d}",
                f"{rng.randint(1, 12):02d}/{rng.randint(20, 24)}",
                password,
            ),
        )
    db.commit()
    db.close()
    return path


@pytest.fixture(scope="session")
def contract_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_contract_db(tmp_path_factory.mktemp("shop") / "shop.db")


@pytest.fixture(scope="session")
def planted() -> set[tuple[str, str]]:
    """(rule, table) of every segmentation break planted in ``contract_db``."""
    return set(PLANTED)


@pytest.fixture(scope="session")
def segmented() -> set[str]:
    """Tables of ``contract_db`` kept apart as they should be."""
    return set(SEGMENTED)
