"""Logged statements replayed against the person source: exact answers, never a write."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import create_engine, text

from breachdesk.errors import SourceUnavailable
from breachdesk.model.scope import ScopeReport
from breachdesk.scope import scope_incident
from breachdesk.scope.source import ReplayFailed, open_source
from breachdesk.workspace import Workspace, init_workspace
from tests.scope.conftest import SHOP_SETTINGS, T0, add_alert, open_case, statement, write_events


def _run(ws: Workspace, sqls: list[str]) -> ScopeReport:
    write_events(ws, [statement(T0 + timedelta(seconds=10 + i), sql) for i, sql in enumerate(sqls)])
    add_alert(ws, "ALR-db", principals=["support_ro"])
    return scope_incident(ws, open_case(ws, ["ALR-db"]), actor="tester")


def _by_key(report: ScopeReport) -> dict[int, tuple[str, list[str]]]:
    rows = report.persons.select(["key", "confidence", "categories"]).to_pylist()
    return {int(r["key"]): (r["confidence"], r["categories"]) for r in rows}


def _digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_replay_resolves_each_statement_exactly(shop_ws: Workspace) -> None:
    report = _run(
        shop_ws,
        [
            "SELECT full_name FROM customers WHERE id = 7",
            "SELECT email FROM customers WHERE id IN (3, 5, 9999)",
            "SELECT email FROM customers WHERE id > 395",
            "SELECT email FROM customers WHERE id BETWEEN 100 AND 104 OR id = 200",
            "SELECT c.email, o.total_cents FROM customers c JOIN orders o "
            "ON o.customer_id = c.id WHERE o.id < 5",
            "SELECT total_cents FROM orders WHERE id BETWEEN 11 AND 12",
            "SELECT full_name, email\nFROM customers\nORDER BY id\nLIMIT 4 OFFSET 300",
            "SELECT count(*) FROM customers",
        ],
    )
    found = _by_key(report)
    expected = {7, 3, 5, *range(396, 401), *range(100, 105), 200, 1, 2, 6, *range(301, 305)}
    assert set(found) == expected
    assert {c for c, _ in found.values()} == {"exact"}
    assert found[7][1] == ["contact.name"]
    assert set(found[1][1]) == {"contact.email", "commerce.purchase_history"}
    assert found[6][1] == ["commerce.purchase_history"]
    reasons = " ".join(n.reason for n in report.notes)
    assert "an aggregate of no personal column" in reasons
    assert "1 replayed" in reasons or "2 replayed" in reasons


def test_replay_limit_without_key_order_is_inferred(shop_ws: Workspace) -> None:
    sql = "SELECT full_name AS n FROM customers WHERE country = 'FR' ORDER BY 1 DESC LIMIT 3"
    report = _run(shop_ws, [sql])
    db = sqlite3.connect(shop_ws.root / "shop.db")
    expected = {
        r[0]
        for r in db.execute(
            "SELECT id FROM customers WHERE country = 'FR' ORDER BY full_name DESC LIMIT 3"
        )
    }
    db.close()
    found = _by_key(report)
    assert set(found) == expected
    assert {c for c, _ in found.values()} == {"inferred"}
    assert any("LIMIT without ORDER BY on the key" in n.reason for n in report.notes)


def test_replay_copy_and_grouped_reads(shop_ws: Workspace) -> None:
    report = _run(
        shop_ws,
        [
            "COPY public.orders (id, total_cents) TO stdout;",
            "SELECT country, count(*) FROM customers WHERE id <= 10 GROUP BY country",
        ],
    )
    found = _by_key(report)
    # COPY of orders: the 50 customers with orders, exactly; the GROUP BY: rows that fed it.
    assert {k for k, (c, _) in found.items() if c == "exact"} == set(range(1, 51))
    assert found[11][1] == ["commerce.purchase_history"]
    assert found[1][1] == ["location.country", "commerce.purchase_history"]
    assert set(found) == set(range(1, 51))
    assert any("grouped or aggregated" in n.reason for n in report.notes)


HOSTILE = [
    "SELECT email FROM customers WHERE id = 1; DROP TABLE customers",
    "WITH gone AS (DELETE FROM customers RETURNING id) SELECT id FROM gone",
    "SELECT email FROM customers WHERE id = 2 FOR UPDATE",
    "SELECT pg_sleep(30), email FROM customers WHERE id = 3",
    "SELECT email FROM customers /* ; DELETE FROM customers */ WHERE id = 4",
    "UPDATE customers SET email = 'x@evil.test' RETURNING id",
    "DELETE FROM customers",
    "INSERT INTO customers (id, email) VALUES (9999, 'x@evil.test')",
]


def test_replay_never_writes_the_source_and_refused_reads_are_conservative(
    shop_ws: Workspace,
) -> None:
    source = shop_ws.root / "shop.db"
    before = _digest(source)
    report = _run(shop_ws, HOSTILE)
    assert _digest(source) == before
    assert not (shop_ws.root / "shop.db-journal").exists()
    assert not (shop_ws.root / "shop.db-wal").exists()
    found = _by_key(report)
    assert len(found) == 400
    assert {c for c, _ in found.values()} == {"conservative"}
    reasons = [n.reason for n in report.notes if n.kind == "conservative"]
    for rule in ("stacked", "dml-in-cte", "locking", "function", "hidden-comment", "not-select"):
        assert any(f"({rule})" in r for r in reasons), rule
    ignored = [n.reason for n in report.notes if n.kind == "ignored"]
    assert any("returns no rows" in r for r in ignored)


def test_source_refuses_writes_and_cancels_slow_statements(tmp_path: Path) -> None:
    settings = SHOP_SETTINGS + "\n[scope]\nstatement_timeout_seconds = 0.2\n"
    root = tmp_path / "ws"
    root.mkdir()
    from tests.scope.conftest import make_shop

    make_shop(root / "shop.db", 50)
    ws = init_workspace(root, settings_text=settings)
    before = _digest(root / "shop.db")
    with open_source(ws) as source:
        with pytest.raises(ReplayFailed, match=r"readonly|read-only|query_only"):
            source.replay("DELETE FROM customers")
        with pytest.raises(ReplayFailed, match="statement timeout"):
            source.replay(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                "SELECT count(*) FROM c"
            )
        assert source.replay("SELECT count(*) FROM customers") == [(50,)]
    assert _digest(root / "shop.db") == before
    ws.close()


def test_rows_by_key_reads_spans_and_single_keys(shop_ws: Workspace) -> None:
    keys = pa.array([*range(100, 180), 7, 9, 300, 301], pa.int64())
    with open_source(shop_ws) as source:
        found = source.rows_by_key("customers", "id", ["email", "country"], keys, total=10_000)
    rows = {r["key"]: r for r in found.to_pylist()}
    assert sorted(rows) == sorted(keys.to_pylist())
    assert rows[150]["email"] == "p150@example.test"


def test_replay_timeout_falls_back_to_conservative(tmp_path: Path) -> None:
    from tests.scope.conftest import make_workspace

    ws = make_workspace(
        tmp_path / "ws",
        50,
        settings=SHOP_SETTINGS + "\n[scope]\nstatement_timeout_seconds = 0.2\n",
    )
    slow = (
        "SELECT email FROM customers WHERE id IN (WITH RECURSIVE c AS (SELECT 1 AS x UNION ALL "
        "SELECT x + 1 FROM c WHERE x < 1000000000) SELECT x FROM c)"
    )
    untranslatable = (
        "SELECT email FROM customers WHERE id IN (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
        "SELECT x + 1 FROM c WHERE x < 3) SELECT x FROM c)"
    )
    report = _run(ws, [slow, untranslatable])
    assert report.affected == 50
    assert {c for c in report.persons.column("confidence").to_pylist()} == {"conservative"}
    reasons = " ".join(n.reason for n in report.notes)
    assert "statement timeout" in reasons
    assert "cannot translate it to sqlite" in reasons
    ws.close()


def test_missing_person_source_is_a_clear_error(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", settings_text=SHOP_SETTINGS)
    write_events(ws, [statement(T0, "SELECT email FROM customers WHERE id = 1")])
    add_alert(ws, "A", principals=["support_ro"])
    incident = open_case(ws, ["A"])
    with pytest.raises(SourceUnavailable, match="does not exist"):
        scope_incident(ws, incident, actor="tester")
    ws.close()


@pytest.fixture
def pg_shop(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database with 60 customers (odd ids in FR, even ids in US-CA)."""
    admin = create_engine(postgres_url)
    try:
        with admin.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE customers (id BIGINT PRIMARY KEY, full_name TEXT, email TEXT, "
                    "city TEXT, region TEXT, country TEXT, preferred_language TEXT, "
                    "postal_code TEXT, phone TEXT, created_at TIMESTAMPTZ)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO customers SELECT g, 'P ' || g, 'p' || g || '@x.test', 'Lyon', "
                    "'CA', CASE WHEN g % 2 = 0 THEN 'US' ELSE 'FR' END, 'fr-FR', '69001', '', "
                    "TIMESTAMPTZ '2020-01-01' + g * INTERVAL '1 hour' "
                    "FROM generate_series(1, 60) g"
                )
            )
        yield postgres_url
        with admin.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM customers")).scalar() == 60
    finally:
        admin.dispose()


@pytest.mark.postgres
def test_replay_on_postgresql_is_read_only(pg_shop: str, tmp_path: Path) -> None:
    settings = SHOP_SETTINGS.replace('url = "sqlite:///shop.db"', f'url = "{pg_shop}"')
    settings += "\n[scope]\nstatement_timeout_seconds = 0.5\n"
    ws = init_workspace(tmp_path / "ws", settings_text=settings)
    try:
        with open_source(ws) as source:
            with pytest.raises(ReplayFailed, match="read-only transaction"):
                source.replay("DELETE FROM customers")
            with pytest.raises(ReplayFailed, match="statement timeout"):
                source.replay("SELECT pg_sleep(3)")
            # The transaction survives a failed replay (each runs in a savepoint).
            assert source.replay("SELECT count(*) FROM customers") == [(60,)]
            keys = pa.array([*range(3, 43), 50, 59], pa.int64())
            found = source.rows_by_key("customers", "id", ["country"], keys, total=10_000)
            assert sorted(found.column("key").to_pylist()) == keys.to_pylist()
        report = _run(
            ws,
            [
                "SELECT full_name, email FROM customers WHERE country = 'US' ORDER BY id LIMIT 3",
                "SELECT email FROM customers WHERE id BETWEEN 50 AND 52",
            ],
        )
        found = _by_key(report)
        assert set(found) == {2, 4, 6, 50, 51, 52}
        assert {c for c, _ in found.values()} == {"exact"}
        assert report.by_jurisdiction == {"US-CA": 5, "FR": 1}
    finally:
        ws.close()
