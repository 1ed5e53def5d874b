"""Bulk query: which datastore statements on person tables are non-selective."""

from __future__ import annotations

from datetime import timedelta

import pytest

from breachdesk.detect.bulk_query import detect_bulk_query
from breachdesk.detect.hits import STRONG, SUSPICIOUS, WEAK
from tests.detect.conftest import run_detector
from tests.detect.detect_traffic import FIRST_DAY, Traffic, local

NIGHT = FIRST_DAY + timedelta(days=2, hours=2)  # 02:00 UTC, 03:00 or 04:00 in Paris


@pytest.mark.parametrize(
    ("statement", "flagged"),
    [
        ("SELECT full_name, email FROM customers", True),
        ("select * from public.customers where id > 100", True),
        ("SELECT email FROM customers ORDER BY id LIMIT 500 OFFSET 1500", True),
        ("SELECT email FROM customers WHERE id = 42 OFFSET 10", True),
        ("COPY customers TO '/tmp/c.csv' WITH CSV", True),
        ("COPY (SELECT * FROM customers) TO STDOUT", True),
        ("SELECT full_name, email FROM customers WHERE id = 42", False),
        ("SELECT c.email FROM customers c WHERE c.id IN (1, 2, 3)", False),
        ("SELECT email FROM customers WHERE email = 'a@b.example'", False),
        ("SELECT id, email FROM customers WHERE updated_at > '2026-10-01'", False),
        ("SELECT count(*) FROM customers", False),
        ("UPDATE customers SET city = 'Lyon' WHERE id = 3", False),
    ],
)
def test_bulk_query_classifies_statements(statement: str, flagged: bool) -> None:
    traffic = Traffic()
    traffic.sql(NIGHT, "app_ro", statement)
    hits = run_detector(traffic, detect_bulk_query)
    assert bool(hits) is flagged, hits


def test_bulk_query_strength_depends_on_hour_and_habit() -> None:
    traffic = Traffic()
    copy = "COPY (SELECT full_name, email FROM customers) TO STDOUT WITH CSV"
    traffic.sql(NIGHT, "night_ro", "SELECT full_name, email, city FROM customers")
    traffic.sql(local(FIRST_DAY + timedelta(days=2), 12), "office_ro", copy, action="export")
    for week in range(3):
        traffic.sql(local(FIRST_DAY + timedelta(days=2 + 7 * week), 12), "weekly_ro", copy)
    hits = {(h.principal, h.start): h.strength for h in run_detector(traffic, detect_bulk_query)}
    by_principal: dict[str, list[int]] = {}
    for (principal, _), strength in sorted(hits.items()):
        by_principal.setdefault(principal, []).append(strength)
    assert by_principal["night_ro"] == [STRONG]
    assert by_principal["office_ro"] == [SUSPICIOUS]
    assert by_principal["weekly_ro"] == [SUSPICIOUS, WEAK, WEAK]
