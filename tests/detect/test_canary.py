"""Canary: the planted record's key or email, wherever it appears."""

from __future__ import annotations

from datetime import timedelta

from breachdesk.detect.canary import detect_canary
from breachdesk.detect.hits import STRONG
from tests.detect.conftest import run_detector
from tests.detect.detect_traffic import CANARY_EMAIL, CANARY_KEY, FIRST_DAY, OFFICE, Traffic

NOON = FIRST_DAY + timedelta(days=3, hours=11)


def test_canary_fires_on_key_email_and_encoded_email() -> None:
    traffic = Traffic()
    traffic.api(
        NOON,
        "agent:a",
        f"{OFFICE}1",
        f"/api/v1/customers/{CANARY_KEY}",
        route="/api/v1/customers/{id}",
        object_id=CANARY_KEY,
    )
    traffic.api(
        NOON,
        "agent:b",
        f"{OFFICE}2",
        "/api/v1/customers/search",
        route="/api/v1/customers/search",
        action="search",
        query="q=" + CANARY_EMAIL.upper().replace("@", "%40"),
    )
    traffic.sql(NOON, "db_c", f"SELECT * FROM customers WHERE email = '{CANARY_EMAIL}'")
    traffic.api(
        NOON,
        "agent:d",
        f"{OFFICE}3",
        "/api/v1/customers/5998",
        route="/api/v1/customers/{id}",
        object_id="5998",
    )
    hits = run_detector(traffic, detect_canary)
    assert sorted(h.principal for h in hits) == ["agent:a", "agent:b", "db_c"]
    assert {h.strength for h in hits} == {STRONG}


def test_canary_key_counts_only_on_person_tables() -> None:
    traffic = Traffic()
    traffic.api(
        NOON,
        "svc:x",
        "10.0.0.1",
        f"/api/v1/orders/{CANARY_KEY}",
        route="/api/v1/orders/{id}",
        object_id=CANARY_KEY,
        resource="products",
    )
    assert run_detector(traffic, detect_canary) == []


def test_canary_key_counts_only_on_the_person_source_table() -> None:
    # Orders hold customer data (a person table) but order 5,999 is not customer 5,999: in the
    # demo, customers reading their own orders raised dozens of false critical alerts.
    traffic = Traffic()
    traffic.api(
        NOON,
        "customer:17",
        "10.0.0.2",
        f"/api/v1/orders/{CANARY_KEY}",
        route="/api/v1/orders/{id}",
        object_id=CANARY_KEY,
        resource="orders",
    )
    traffic.api(
        NOON,
        "agent:e",
        f"{OFFICE}4",
        f"/api/v1/customers/{CANARY_KEY}",
        route="/api/v1/customers/{id}",
        object_id=CANARY_KEY,
        resource="shop.customers",
    )
    assert [h.principal for h in run_detector(traffic, detect_canary)] == ["agent:e"]


def test_canary_email_outside_person_tables_counts_once_per_event() -> None:
    traffic = Traffic()
    # The email as the object id and in the query of one event on a table that is not a
    # person table: found by two filters, counted once.
    traffic.api(
        NOON,
        "svc:newsletter",
        "10.0.0.2",
        f"/api/v1/subscriptions/{CANARY_EMAIL}",
        route="/api/v1/subscriptions/{id}",
        object_id=CANARY_EMAIL,
        query="email=" + CANARY_EMAIL.replace("@", "%40"),
        resource="subscriptions",
    )
    traffic.api(
        NOON + timedelta(minutes=5),
        "ip-only",
        "10.0.0.3",
        "/products/search",
        route="/products/search",
        action="search",
        query="q=" + CANARY_EMAIL,
        resource="products",
    )
    hits = run_detector(traffic, detect_canary)
    assert sorted((h.principal, h.events) for h in hits) == [("ip-only", 1), ("svc:newsletter", 1)]


def test_canary_reading_its_own_record_counts() -> None:
    # An end user's own reads are not person reads, but the canary account has no owner:
    # someone logged in as it. The row is kept for the canary alone.
    traffic = Traffic()
    traffic.api(
        NOON,
        f"customer:{CANARY_KEY}",
        "10.0.0.4",
        f"/api/v1/customers/{CANARY_KEY}",
        route="/api/v1/customers/{id}",
        object_id=CANARY_KEY,
    )
    traffic.api(
        NOON,
        "customer:41",
        "10.0.0.5",
        "/api/v1/customers/41",
        route="/api/v1/customers/{id}",
        object_id="41",
    )
    hits = run_detector(traffic, detect_canary)
    assert [(h.principal, h.events) for h in hits] == [(f"customer:{CANARY_KEY}", 1)]
