from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from breachdesk.demo.attack import plan_attack
from breachdesk.demo.clock import PARIS, period
from breachdesk.model import Category
from tests.demo.conftest import NGINX_LINE, PgRecord, Small

RULES = {
    "pan-readable",
    "cvv-stored",
    "password-plaintext",
    "password-weak-hash",
    "credentials-with-contact",
    "payment-with-contact",
    "personal-data-copied",
}


@pytest.fixture
def shop(small: Small) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(f"file:{small.out / 'shop.db'}?mode=ro", uri=True)
    yield db
    db.close()


def _window(small: Small) -> tuple[datetime, datetime]:
    attack = small.truth["attack"]
    assert isinstance(attack, dict)
    return datetime.fromisoformat(attack["start"]), datetime.fromisoformat(attack["end"])


def _attack_sessions(small: Small, pg_records: list[PgRecord]) -> set[int]:
    ips = small.truth["attack"]["ips"]  # type: ignore[index]
    return {
        r.pid
        for r in pg_records
        if "connection received" in r.message and r.message.split("host=")[1].split()[0] in ips
    }


def test_truth_has_the_contract_shape(small: Small) -> None:
    truth = small.truth
    assert list(truth) == [
        "seed",
        "attack",
        "affected",
        "canaries",
        "segmentation_breaks",
        "emails",
    ]
    assert truth["seed"] == 11
    attack = truth["attack"]
    assert isinstance(attack, dict)
    assert attack["principals"] == ["agent:jmartin", "support_ro"]
    assert 2 <= len(attack["ips"]) <= 3
    assert all(re.fullmatch(r"203\.0\.113\.\d{1,3}", ip) for ip in attack["ips"])
    start, end = _window(small)
    assert start.tzinfo == UTC
    assert start < end
    days = period(14)
    assert start.timestamp() * 1000 >= days[-5].start  # within the last five days
    assert start.astimezone(PARIS).hour < 5  # at night in Paris
    affected = truth["affected"]
    assert isinstance(affected, dict)
    assert affected["categories"] == sorted(
        c.value
        for c in (
            Category.ACCOUNT_ID,
            Category.CONTACT_NAME,
            Category.CONTACT_EMAIL,
            Category.LOCATION_CITY,
            Category.LOCATION_REGION,
            Category.LOCATION_COUNTRY,
        )
    )


def test_truth_segmentation_breaks_are_only_the_planted_ones(small: Small) -> None:
    breaks = small.truth["segmentation_breaks"]
    assert isinstance(breaks, list)
    assert {b["table"] for b in breaks} == {"marketing_export_2019"}
    assert {b["rule"] for b in breaks} == RULES


def test_truth_affected_customers_exist_and_include_a_canary(
    small: Small, shop: sqlite3.Connection
) -> None:
    ids = small.truth["affected"]["customer_ids"]  # type: ignore[index]
    assert ids == sorted(set(ids))
    assert 0 < len(ids) < 300
    existing = {r[0] for r in shop.execute("SELECT id FROM customers")}
    assert set(ids) <= existing
    canaries = set(small.truth["canaries"])  # type: ignore[arg-type]
    assert len(canaries) == 5
    assert canaries <= existing
    assert canaries & set(ids)
    assert canaries - set(ids)
    emails = {
        r[0]
        for r in shop.execute(
            f"SELECT email FROM customers WHERE id IN ({','.join(map(str, canaries))})"
        )
    }
    assert all(e.endswith("@courrier-saintonge.fr") for e in emails)


def test_truth_affected_is_what_the_logged_requests_and_selects_returned(
    small: Small,
    shop: sqlite3.Connection,
    gateway_records: list[dict[str, object]],
    pg_records: list[PgRecord],
) -> None:
    ips = set(small.truth["attack"]["ips"])  # type: ignore[index]
    returned: set[int] = set()
    api = [r for r in gateway_records if r["client_ip"] in ips]
    assert api
    assert all(r["principal"] == "agent:jmartin" for r in api)
    assert len({r["token_id"] for r in api}) == 1
    legit_tokens = {
        r["token_id"]
        for r in gateway_records
        if r["principal"] == "agent:jmartin" and r["client_ip"] not in ips
    }
    assert legit_tokens == {api[0]["token_id"]}  # the agent's own token, replayed
    pages = 0
    for record in api:
        if record["status"] != 200:
            assert record["rows"] == 0
            continue
        if record["path"] == "/api/v1/customers":
            query = dict(p.split("=") for p in str(record["query"]).split("&"))
            size, page = int(query["per_page"]), int(query["page"])
            rows = [
                r[0]
                for r in shop.execute(
                    "SELECT id FROM customers ORDER BY id LIMIT ? OFFSET ?",
                    (size, (page - 1) * size),
                )
            ]
            pages += 1
        else:
            customer = int(str(record["path"]).rsplit("/", 1)[1])
            rows = [
                r[0] for r in shop.execute("SELECT id FROM customers WHERE id = ?", (customer,))
            ]
        assert record["rows"] == len(rows)
        returned.update(rows)
    assert pages >= 1
    sessions = _attack_sessions(small, pg_records)
    assert len(sessions) == 1
    pulls = 0
    for record in pg_records:
        fields = record.audit()
        if record.pid not in sessions or not fields or fields[6] != "public.customers":
            continue
        assert record.user == "support_ro"
        emails = [r[1] for r in shop.execute(fields[7])]  # the statement, run as logged
        ids = {
            r[0]
            for r in shop.execute(
                f"SELECT id FROM customers WHERE email IN ({','.join('?' * len(emails))})", emails
            )
        }
        assert len(ids) == len(emails) > 0
        returned |= ids
        pulls += 1
    assert pulls == 3
    assert sorted(returned) == small.truth["affected"]["customer_ids"]  # type: ignore[index]


def test_attack_addresses_appear_only_in_the_attack_window(
    small: Small,
    nginx_lines: list[tuple[str, str]],
    gateway_records: list[dict[str, object]],
    pg_records: list[PgRecord],
) -> None:
    start, end = _window(small)
    ips = set(small.truth["attack"]["ips"])  # type: ignore[index]
    nginx = set()
    for _, line in nginx_lines:
        match = NGINX_LINE.match(line)
        assert match
        if match["ip"] in ips:
            when = datetime.strptime(match["time"], "%d/%b/%Y:%H:%M:%S %z")
            assert start <= when <= end
            assert match["agent"].startswith("python-requests/")
            nginx.add((match["ip"], match["request"].split()[1], int(when.timestamp())))
        else:
            assert "203.0.113." not in line
    gateway = set()
    for record in gateway_records:
        when = datetime.fromisoformat(str(record["ts"]))
        if record["client_ip"] in ips:
            assert start <= when <= end
            target = f"{record['path']}?{record['query']}" if record["query"] else record["path"]
            gateway.add((record["client_ip"], target, int(when.timestamp())))
        else:
            assert "203.0.113." not in str(record["client_ip"])
    assert nginx == gateway  # the same requests, at the same second, in both logs
    sessions = _attack_sessions(small, pg_records)
    for record in pg_records:
        when = datetime.strptime(record.time + "+0000", "%Y-%m-%d %H:%M:%S.%f%z")
        if record.pid in sessions:
            assert start <= when <= end
        else:
            assert "203.0.113." not in record.message


def test_plan_attack_is_deterministic_and_bounded() -> None:
    for customers in (100, 300, 5000, 1_000_000):
        plan = plan_attack(7, customers, 30)
        assert plan == plan_attack(7, customers, 30)
        assert 25 <= plan.day_index <= 29
        assert len(plan.canaries) == 5
        assert all(1 <= c <= customers for c in plan.canaries)
        assert max(plan.pages) * 100 <= max(customers, 100)
