from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from breachdesk.demo.cards import luhn_valid
from tests.demo.conftest import Small

PHC = re.compile(r"\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}")
COLUMNS = {
    "customers": [
        "id",
        "full_name",
        "email",
        "phone",
        "city",
        "region",
        "postal_code",
        "country",
        "preferred_language",
        "created_at",
        "updated_at",
        "marketing_opt_in",
    ],
    "credentials": ["customer_id", "password_hash", "updated_at"],
    "payment_methods": ["id", "customer_id", "token", "brand", "last4", "exp_month", "exp_year"],
    "orders": [
        "id",
        "customer_id",
        "placed_at",
        "total_cents",
        "currency",
        "status",
        "ship_city",
        "ship_country",
    ],
    "products": ["id", "sku", "name", "category", "price_cents"],
    "marketing_export_2019": [
        "full_name",
        "email",
        "birth_date",
        "card_number",
        "cvv",
        "card_expiry",
        "password",
    ],
}


@pytest.fixture
def shop(small: Small) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(f"file:{small.out / 'shop.db'}?mode=ro", uri=True)
    yield db
    db.close()


def test_shop_has_the_contract_schema(shop: sqlite3.Connection) -> None:
    for table, columns in COLUMNS.items():
        assert [r[1] for r in shop.execute(f"PRAGMA table_info({table})")] == columns


def test_shop_row_counts(shop: sqlite3.Connection) -> None:
    def count(table: str) -> int:
        return int(shop.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    assert count("customers") == count("credentials") == 300
    assert count("products") == 240
    assert 150 < count("payment_methods") < 450
    assert 250 < count("orders") < 700
    assert count("marketing_export_2019") == 37
    orphans = shop.execute(
        "SELECT count(*) FROM orders WHERE customer_id NOT IN (SELECT id FROM customers)"
    ).fetchone()[0]
    assert orphans == 0


def test_shop_credentials_are_argon2id_with_owasp_parameters(shop: sqlite3.Connection) -> None:
    hashes = [r[0] for r in shop.execute("SELECT password_hash FROM credentials ORDER BY 1")]
    assert all(PHC.fullmatch(h) for h in hashes)
    assert len(set(hashes)) == len(hashes)
    real = shop.execute("SELECT password_hash FROM credentials WHERE customer_id = 1").fetchone()
    with pytest.raises(VerifyMismatchError):  # a real hash: it verifies, and rejects a guess
        PasswordHasher().verify(real[0], "not the password")


def test_shop_payment_methods_keep_no_card_number(shop: sqlite3.Connection) -> None:
    for token, brand, last4, month, year in shop.execute(
        "SELECT token, brand, last4, exp_month, exp_year FROM payment_methods"
    ):
        assert re.fullmatch(r"tok_[0-9a-f]{24}", token)
        assert brand in ("visa", "mastercard", "amex")
        assert re.fullmatch(r"\d{4}", last4)
        assert 1 <= month <= 12
        assert 2026 <= year <= 2031


def test_shop_legacy_export_breaks_segmentation(shop: sqlite3.Connection) -> None:
    rows = shop.execute("SELECT * FROM marketing_export_2019").fetchall()
    plain = hashed = 0
    for full_name, email, birth, pan, cvv, expiry, password in rows:
        assert shop.execute(
            "SELECT 1 FROM customers WHERE full_name = ? AND email = ?", (full_name, email)
        ).fetchone()
        assert re.fullmatch(r"(19[5-9]\d|200[01])-\d\d-\d\d", birth)
        assert luhn_valid(pan)
        assert len(cvv) == (4 if pan[:2] in ("34", "37") else 3)
        assert re.fullmatch(r"(0[1-9]|1[0-2])/(19|2[0-4])", expiry)
        if re.fullmatch(r"[0-9a-f]{32}", password):
            hashed += 1
        else:
            plain += 1
    assert plain > hashed > 0
