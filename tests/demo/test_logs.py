from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from breachdesk.demo.clock import PARIS, period
from breachdesk.demo.logfiles import csv_field, nginx_escape
from tests.demo.conftest import NGINX_LINE, PgRecord, Small

DAYS = period(14)
FIRST = datetime.fromtimestamp(DAYS[0].start / 1000, UTC)
LAST = datetime.fromtimestamp(DAYS[-1].end / 1000, UTC)
GATEWAY_KEYS = [
    "ts",
    "request_id",
    "principal",
    "token_id",
    "client_ip",
    "method",
    "path",
    "query",
    "status",
    "bytes",
    "user_agent",
    "latency_ms",
    "rows",
]


def _nginx_time(text: str) -> datetime:
    return datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z")


def _gateway_time(text: object) -> datetime:
    return datetime.fromisoformat(str(text))


def _pg_time(record: PgRecord) -> datetime:
    return datetime.strptime(record.time + "+0000", "%Y-%m-%d %H:%M:%S.%f%z")


def test_logs_have_one_file_per_day_and_source(small: Small) -> None:
    logs = small.out / "logs"
    stamps = [d.date.isoformat() for d in DAYS]
    assert sorted(p.name for p in (logs / "gateway").iterdir()) == [
        f"gateway-{s}.jsonl" for s in stamps
    ]
    assert sorted(p.name for p in (logs / "pgaudit").iterdir()) == [
        f"postgresql-{s}.log" for s in stamps
    ]
    nginx = sorted(p.name for p in (logs / "nginx").iterdir())
    assert nginx == [f"access-{s}.log.gz" for s in stamps[:-2]] + [
        f"access-{s}.log" for s in stamps[-2:]
    ]


def test_logs_nginx_lines_parse_inside_their_paris_day(
    small: Small, nginx_lines: list[tuple[str, str]]
) -> None:
    assert len(nginx_lines) == small.report.log_lines["nginx"]
    for name, line in nginx_lines:
        match = NGINX_LINE.match(line)
        assert match, line
        when = _nginx_time(match["time"])
        assert when.utcoffset() == when.astimezone(PARIS).utcoffset()
        assert name.startswith(f"access-{when.astimezone(PARIS).date().isoformat()}")
    assert any("\\x22" in line for _, line in nginx_lines)


def test_logs_gateway_lines_are_json_with_the_contract_keys(
    small: Small, gateway_records: list[dict[str, object]]
) -> None:
    assert len(gateway_records) == small.report.log_lines["gateway"]
    for record in gateway_records:
        assert list(record) == GATEWAY_KEYS
        ts = str(record["ts"])
        assert ts.endswith("Z")
        assert len(ts) == 24
        assert FIRST <= _gateway_time(ts) < LAST
        assert isinstance(record["status"], int)
        assert isinstance(record["rows"], int)
    principals = {str(r["principal"]).split(":")[0] for r in gateway_records}
    assert principals == {"anonymous", "customer", "agent", "svc"}
    assert {"svc:order-sync", "svc:search-indexer"} <= {
        str(r["principal"]) for r in gateway_records
    }


def test_logs_pgaudit_records_parse(small: Small, pg_records: list[PgRecord]) -> None:
    lines = sum(r.message.count("\n") + 1 for r in pg_records)
    assert lines == small.report.log_lines["pgaudit"]
    audits = 0
    for record in pg_records:
        assert FIRST <= _pg_time(record) < LAST
        fields = record.audit()
        if fields is None:
            assert "\n" not in record.message or "automatic analyze" in record.message
            continue
        audits += 1
        assert fields[0] == "SESSION"
        assert len(fields) == 9
        assert fields[8] == "<not logged>"
        assert fields[3] in ("READ", "MISC")
        assert record.user
        assert record.db == "shop"
    assert audits > 100
    assert any("\n" in r.message for r in pg_records if r.audit())


def test_logs_pgaudit_sessions_disconnect_from_where_they_came(pg_records: list[PgRecord]) -> None:
    received: dict[int, str] = {}
    for record in pg_records:
        if "connection received" in record.message:
            received[record.pid] = record.message.split("host=")[1]
        elif "disconnection" in record.message:
            host, port = received[record.pid].split(" port=")
            assert f"host={host} port={port}" in record.message


def test_logs_have_daily_and_weekly_rhythms(nginx_lines: list[tuple[str, str]]) -> None:
    by_hour: Counter[int] = Counter()
    for _, line in nginx_lines:
        match = NGINX_LINE.match(line)
        assert match
        by_hour[_nginx_time(match["time"]).hour] += 1
    night = sum(by_hour[h] for h in (3, 4, 5))
    evening = sum(by_hour[h] for h in (19, 20, 21))
    assert evening > 2 * night


def test_logs_agents_work_office_hours_from_the_office(
    small: Small, gateway_records: list[dict[str, object]]
) -> None:
    attackers = set(small.truth["attack"]["ips"])  # type: ignore[index]
    hours: Counter[int] = Counter()
    weekdays: Counter[int] = Counter()
    for record in gateway_records:
        if not str(record["principal"]).startswith("agent:") or record["client_ip"] in attackers:
            continue
        local = _gateway_time(record["ts"]).astimezone(PARIS)
        if str(record["client_ip"]).startswith("198.51.100."):
            assert 8 <= local.hour <= 19, record
            hours[local.hour] += 1
            weekdays[local.weekday()] += 1
        else:  # the one evening an agent works from home
            assert record["principal"] == "agent:sdubois"
            assert 20 <= local.hour <= 22
    assert weekdays[6] == 0
    assert weekdays[5] < weekdays[2]
    agents = {r["principal"] for r in gateway_records if str(r["principal"]).startswith("agent:")}
    assert len(agents) == 6
    assert "agent:jmartin" in agents


def test_logs_marketing_export_runs_tuesday_noon_from_the_office(
    pg_records: list[PgRecord],
) -> None:
    exports = [r for r in pg_records if r.user == "marketing_ro" and r.audit()]
    assert exports
    for record in exports:
        local = _pg_time(record).astimezone(PARIS)
        assert local.weekday() == 1
        assert local.hour == 12
    connects = [r for r in pg_records if "connection received" in r.message]
    hosts = {
        r.message.split("host=")[1].split()[0]
        for r in connects
        if r.pid in {e.pid for e in exports}
    }
    assert all(h.startswith("198.51.100.") for h in hosts)


def test_logs_nightly_crm_sync_selects_changed_customers(pg_records: list[PgRecord]) -> None:
    syncs = [r.audit() for r in pg_records if r.user == "svc_crm_sync" and r.audit()]
    assert len(syncs) == 14
    assert all(s is not None and "WHERE updated_at >= '" in s[7] for s in syncs)


def test_logs_bots_and_scrapers_visit(nginx_lines: list[tuple[str, str]]) -> None:
    text = "\n".join(line for _, line in nginx_lines)
    for agent in ("Googlebot/2.1", "bingbot/2.0", "HeadlessChrome", "Scrapy/"):
        assert agent in text


@given(st.text())
def test_nginx_escape_leaves_no_quote_or_control_bytes(text: str) -> None:
    escaped = nginx_escape(text)
    assert '"' not in escaped
    assert escaped.isascii()
    assert escaped.isprintable()
    decoded = bytearray()
    i = 0
    while i < len(escaped):
        if escaped.startswith("\\x", i):
            decoded.append(int(escaped[i + 2 : i + 4], 16))
            i += 4
        else:
            decoded.append(ord(escaped[i]))
            i += 1
    assert decoded.decode("utf-8") == text


@given(st.text().filter(lambda t: "\r" not in t and "\x00" not in t))
def test_csv_field_round_trips_through_the_csv_module(text: str) -> None:
    row = next(csv.reader(io.StringIO(f"a,{csv_field(text)},b")))
    assert row == ["a", text, "b"]


def test_nginx_escape_example() -> None:
    assert nginx_escape('q="x"') == "q=\\x22x\\x22"
    assert nginx_escape("café") == "caf\\xC3\\xA9"
    rng = random.Random(1)
    plain = "".join(rng.choice("abc/?=&") for _ in range(50))
    assert nginx_escape(plain) == plain
