"""nginx and Apache access logs: fields, routes, bad lines, and the CSV fast path's fidelity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from breachdesk.ingest.access import AccessParser, split_requests
from breachdesk.ingest.logformat import LogFormatError, compile_format

from .samples import parse_block

REFERENCE = (
    b'127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
    b'"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"\n'
)


def nginx(
    log_format: str | None = None, *, timezone: str = "UTC", csv: bool = True
) -> AccessParser:
    return AccessParser(compile_format(log_format, "nginx"), timezone, max_line=4096, use_csv=csv)


def apache(log_format: str | None = None, *, timezone: str = "UTC") -> AccessParser:
    return AccessParser(compile_format(log_format, "apache"), timezone, max_line=4096)


def line(
    path: str = "/",
    *,
    user: str = "-",
    method: str = "GET",
    status: str = "200",
    when: str = "03/Nov/2026:02:14:07 +0100",
    agent: str = "Mozilla/5.0",
    ip: str = "203.0.113.7",
) -> bytes:
    return (
        f'{ip} - {user} [{when}] "{method} {path} HTTP/1.1" {status} 512 '
        f'"https://maison-aurelle.com/" "{agent}"\n'
    ).encode()


def test_access_parses_the_reference_combined_line() -> None:
    result = parse_block(nginx(), REFERENCE)
    (event,) = result.rows()
    assert event["time"] == datetime(2000, 10, 10, 20, 55, 36, tzinfo=UTC)
    assert event["principal"] == "frank"
    assert event["src_ip"] == "127.0.0.1"
    assert event["method"] == "GET"
    assert event["path"] == "/apache_pb.gif"
    assert event["status"] == 200
    assert event["bytes"] == 2326
    assert event["user_agent"] == "Mozilla/4.08 [en] (Win98; I ;Nav)"
    assert event["class"] == "http"
    assert event["action"] == "read"
    assert event["raw_ref"] == "test.log:1"
    assert result.rejects == []


def test_access_apache_reads_the_same_reference_line() -> None:
    result = parse_block(apache(), REFERENCE)
    assert result.column("principal") == ["frank"]
    assert result.column("status") == [200]


def test_access_maps_api_routes_resources_and_object_ids() -> None:
    data = b"".join(
        [
            line("/api/v1/customers/4512", user="agent:jmartin"),
            line("/api/v1/customers?page=7&per_page=100"),
            line("/api/v1/customers/search?q=dupont"),
            line("/api/v1/customers", method="POST"),
            line("/api/v1/customers/9", method="PATCH"),
            line("/api/v1/customers/9", method="DELETE"),
            line("/api/v2/things/77/parts/8"),
            line("/products/12"),
        ]
    )
    rows = parse_block(nginx(), data).rows()
    got = [(r["route"], r["resource"], r["object_id"], r["action"], r["class"]) for r in rows]
    assert got == [
        ("/api/v1/customers/{id}", "customers", "4512", "read", "api"),
        ("/api/v1/customers", "customers", None, "list", "api"),
        ("/api/v1/customers/search", "customers", None, "search", "api"),
        ("/api/v1/customers", "customers", None, "create", "api"),
        ("/api/v1/customers/{id}", "customers", "9", "update", "api"),
        ("/api/v1/customers/{id}", "customers", "9", "delete", "api"),
        ("/api/v2/things/{id}/parts/{id}", None, None, "read", "api"),
        ("/products/{id}", None, None, "read", "http"),
    ]
    assert rows[1]["query"] == "page=7&per_page=100"
    assert rows[0]["principal"] == "agent:jmartin"
    assert rows[1]["principal"] is None


def test_access_offsets_in_the_line_win_over_the_source_time_zone() -> None:
    data = line(when="03/Nov/2026:02:14:07 -0500") + line(when="03/Nov/2026:02:14:07 +0000")
    times = parse_block(nginx(timezone="Asia/Tokyo"), data).column("time")
    assert times == [
        datetime(2026, 11, 3, 7, 14, 7, tzinfo=UTC),
        datetime(2026, 11, 3, 2, 14, 7, tzinfo=UTC),
    ]


def test_access_source_time_zone_applies_to_times_without_offset() -> None:
    fmt = '$remote_addr [$time_iso8601] "$request" $status'
    data = b'10.0.0.1 [2026-07-01T12:00:00] "GET / HTTP/1.1" 200\n'
    data += b'10.0.0.1 [2026-07-01T12:00:00+00:00] "GET / HTTP/1.1" 200\n'
    times = parse_block(nginx(fmt, timezone="Europe/Paris"), data).column("time")
    assert times == [
        datetime(2026, 7, 1, 10, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
    ]


def test_access_custom_nginx_log_format() -> None:
    fmt = (
        '$remote_addr $remote_user [$time_local] "$request" $status $body_bytes_sent '
        '"$http_user_agent" rt=$request_time "$upstream_addr"'
    )
    data = (
        b'198.51.100.20 agent:lbernard [03/Nov/2026:12:00:01 +0100] "GET /api/v1/customers/5 '
        b'HTTP/2.0" 200 900 "curl/8.5" rt=0.012 "10.1.1.1:8080"\n'
    )
    (event,) = parse_block(nginx(fmt), data).rows()
    assert event["principal"] == "agent:lbernard"
    assert event["object_id"] == "5"
    assert event["user_agent"] == "curl/8.5"
    assert event["time"] == datetime(2026, 11, 3, 11, 0, 1, tzinfo=UTC)


def test_access_custom_apache_format_with_strftime_time() -> None:
    fmt = '%h %u %{%Y-%m-%d %H:%M:%S}t "%r" %>s %B'
    data = b'10.2.3.4 bob 2026-01-15 08:30:00 "GET /api/v1/orders/77 HTTP/1.1" 200 64\n'
    (event,) = parse_block(apache(fmt, timezone="Europe/Paris"), data).rows()
    assert event["time"] == datetime(2026, 1, 15, 7, 30, tzinfo=UTC)
    assert (event["resource"], event["object_id"], event["bytes"]) == ("orders", "77", 64)


def test_access_keeps_nginx_escapes_as_logged() -> None:
    data = line("/search", agent=r"Mozilla \x22quoted\x22 \x1B[31mred")
    (event,) = parse_block(nginx(), data).rows()
    assert event["user_agent"] == r"Mozilla \x22quoted\x22 \x1B[31mred"


def test_access_apache_escaped_quotes_go_through_the_regex() -> None:
    data = (
        b'10.0.0.9 - - [03/Nov/2026:02:14:07 +0000] "GET / HTTP/1.1" 200 5 "-" '
        b'"Evil \\"agent\\" v1"\n'
    )
    (event,) = parse_block(apache(), data).rows()
    assert event["user_agent"] == 'Evil \\"agent\\" v1'


def test_access_injected_escape_and_newline_stay_data() -> None:
    # A raw ESC byte stays in the value; a raw newline in a user agent cuts the line in two,
    # and neither half is an event.
    data = line("/", agent="ok\x1b[2J\x1b[31mred") + line("/x", agent="first\nsecond")
    result = parse_block(nginx(), data)
    assert result.column("user_agent") == ["ok\x1b[2J\x1b[31mred"]
    assert sorted(r.line for r in result.rejects) == [2, 3]
    assert all("\x1b" not in r.raw and "\n" not in r.raw for r in result.rejects)


def test_access_mixed_encodings_decode_every_line() -> None:
    data = line("/a", agent="Navigateur \u00e9t\u00e9").decode().encode("latin-1") + line(
        "/b", agent="Navigateur \u00e9t\u00e9"
    )
    result = parse_block(nginx(), data)
    assert result.column("user_agent") == ["Navigateur \u00e9t\u00e9", "Navigateur \u00e9t\u00e9"]
    assert result.rejects == []


def test_access_rejects_bad_lines_with_reasons() -> None:
    data = b"".join(
        [
            line("/ok"),
            b"this is not a log line\n",
            b"\n",
            line("/bad-status", status="2x0"),
            line("/bad-time", when="31/Foo/2026:02:14:07 +0100"),
            line("/late", when="01/Jan/2099:00:00:00 +0000"),
        ]
    )
    latest = int(datetime(2030, 1, 1, tzinfo=UTC).timestamp() * 1_000_000)
    result = parse_block(nginx(), data, latest=latest)
    assert result.column("path") == ["/ok"]
    assert [(r.line, r.reason) for r in result.rejects] == [
        (2, "does not match the log format"),
        (3, "empty line"),
        (4, "bad status"),
        (5, "bad timestamp"),
        (6, "timestamp in the future"),
    ]


def test_access_rejects_lines_over_the_limit() -> None:
    long_agent = "A" * 5000
    data = line("/short") + line("/long", agent=long_agent)
    result = parse_block(nginx(), data)
    assert result.column("path") == ["/short"]
    assert [(r.line, r.reason, r.length) for r in result.rejects] == [
        (2, "line too long", len(line("/long", agent=long_agent)) - 1)
    ]


def test_access_garbage_requests_keep_their_text_as_path() -> None:
    data = line("/").replace(b"GET / HTTP/1.1", b"\\x16\\x03\\x01\\x00")
    (event,) = parse_block(nginx(), data).rows()
    assert (event["method"], event["path"], event["action"]) == (None, "\\x16\\x03\\x01\\x00", None)


def test_access_crlf_line_ends_are_not_part_of_the_values() -> None:
    data = line("/a").replace(b"\n", b"\r\n") + line("/b").replace(b"\n", b"\r\n")
    result = parse_block(nginx(), data)
    assert result.column("user_agent") == ["Mozilla/5.0", "Mozilla/5.0"]


def test_access_needs_a_time_in_the_format() -> None:
    with pytest.raises(LogFormatError, match="no time"):
        nginx('$remote_addr "$request" $status')


def test_split_requests_handles_odd_requests() -> None:
    import pyarrow as pa

    method, path, query = split_requests(pa.array(["GET /a?b=1?c HTTP/1.1", "-", "OPTIONS *"]))
    assert method.to_pylist() == ["GET", None, "OPTIONS"]
    assert path.to_pylist() == ["/a", None, "*"]
    assert query.to_pylist() == ["b=1?c", None, None]


EXAMPLES = int(__import__("os").environ.get("BREACHDESK_TEST_EXAMPLES", "150"))
_TOKEN = st.text(alphabet=st.sampled_from('ab/-" \\x1:[]9'), max_size=8)


@st.composite
def access_lines(draw: st.DrawFn) -> bytes:
    """Valid lines, and valid lines with a piece replaced by something awkward."""
    base = line(
        draw(st.sampled_from(["/", "/api/v1/customers/3", "/p?x=1"])),
        user=draw(st.sampled_from(["-", "bob"])),
        agent=draw(st.text(alphabet=st.sampled_from('ab "\\x1'), max_size=6)),
    ).decode()
    if draw(st.booleans()):
        start = draw(st.integers(0, len(base) - 2))
        stop = draw(st.integers(start, min(len(base) - 1, start + 6)))
        base = base[:start] + draw(_TOKEN) + base[stop:]
    return base.encode()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(access_lines(), min_size=1, max_size=12))
def test_access_csv_fast_path_matches_the_regex(lines: list[bytes]) -> None:
    data = b"".join(lines)
    fast = parse_block(nginx(), data)
    exact = parse_block(nginx(csv=False), data)
    key = sorted(fast.rows(), key=lambda r: str(r["raw_ref"]))
    assert key == sorted(exact.rows(), key=lambda r: str(r["raw_ref"]))
    assert sorted((r.line, r.reason) for r in fast.rejects) == sorted(
        (r.line, r.reason) for r in exact.rejects
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_access_every_line_is_an_event_or_a_reject(data: bytes) -> None:
    result = parse_block(nginx(), data)
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    assert result.events.num_rows + len(result.rejects) == lines
