"""JSON lines with a per-source field mapping (the demo's API gateway)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from breachdesk.errors import ConfigError
from breachdesk.ingest.jsonl import JsonLinesParser

from .samples import parse_block

GATEWAY = {
    "time": "ts",
    "principal": "principal",
    "src_ip": "client_ip",
    "method": "method",
    "path": "path",
    "query": "query",
    "status": "status",
    "bytes": "bytes",
    "user_agent": "user_agent",
    "rows": "rows",
}


def gateway_line(**overrides: object) -> bytes:
    record: dict[str, object] = {
        "ts": "2026-11-03T02:14:07.123Z",
        "request_id": "r-1",
        "principal": "agent:jmartin",
        "token_id": "tok-9",
        "client_ip": "203.0.113.7",
        "method": "GET",
        "path": "/api/v1/customers",
        "query": "page=3&per_page=100",
        "status": 200,
        "bytes": 51234,
        "user_agent": "python-requests/2.31",
        "latency_ms": 12,
        "rows": 100,
    }
    record.update(overrides)
    return json.dumps(record).encode() + b"\n"


def parser(fields: dict[str, str] | None = None) -> JsonLinesParser:
    return JsonLinesParser(GATEWAY if fields is None else fields, "UTC", max_line=4096)


def test_jsonl_gateway_record_becomes_an_api_event() -> None:
    (event,) = parse_block(parser(), gateway_line()).rows()
    assert event["time"] == datetime(2026, 11, 3, 2, 14, 7, 123000, tzinfo=UTC)
    assert event["class"] == "api"
    assert event["principal"] == "agent:jmartin"
    assert event["src_ip"] == "203.0.113.7"
    assert (event["route"], event["resource"], event["action"]) == (
        "/api/v1/customers",
        "customers",
        "list",
    )
    assert event["query"] == "page=3&per_page=100"
    assert (event["status"], event["bytes"], event["rows"]) == (200, 51234, 100)


def test_jsonl_object_fetch_gets_its_id() -> None:
    data = gateway_line(path="/api/v1/customers/4512", query="", rows=1)
    (event,) = parse_block(parser(), data).rows()
    assert (event["route"], event["object_id"], event["query"]) == (
        "/api/v1/customers/{id}",
        "4512",
        None,
    )


def test_jsonl_nested_keys_and_path_with_query() -> None:
    fields = {
        "time": "meta.when",
        "principal": "auth.user.id",
        "path": "http.url",
        "method": "http.verb",
    }
    line = json.dumps(
        {
            "meta": {"when": 1762136047},
            "auth": {"user": {"id": "svc:order-sync"}},
            "http": {"url": "/api/v1/orders/5?expand=items", "verb": "GET"},
        }
    ).encode()
    (event,) = parse_block(parser(fields), line + b"\n").rows()
    assert event["principal"] == "svc:order-sync"
    assert (event["path"], event["query"], event["object_id"]) == (
        "/api/v1/orders/5",
        "expand=items",
        "5",
    )
    assert event["time"] == datetime(2025, 11, 3, 2, 14, 7, tzinfo=UTC)


def test_jsonl_control_characters_are_kept_as_data() -> None:
    (event,) = parse_block(parser(), gateway_line(user_agent="evil\x1b[31m\nUA")).rows()
    assert event["user_agent"] == "evil\x1b[31m\nUA"


def test_jsonl_rejects_and_skips() -> None:
    data = b"".join(
        [
            gateway_line(),
            b"not json\n",
            b"[1, 2]\n",
            b"   \n",
            gateway_line(ts="yesterday"),
            gateway_line(status="teapot"),
        ]
    )
    result = parse_block(parser(), data)
    assert result.events.num_rows == 1
    assert result.skipped == 1
    assert [(r.line, r.reason) for r in result.rejects] == [
        (2, "not a JSON object"),
        (3, "not a JSON object"),
        (5, "bad timestamp"),
        (6, "bad status"),
    ]


def test_jsonl_unknown_event_field_in_mapping() -> None:
    with pytest.raises(ConfigError, match="colour"):
        parser({"time": "ts", "colour": "c"})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")), max_size=10))
def test_jsonl_random_lines_are_events_rejects_or_blank(lines: list[bytes]) -> None:
    data = b"\n".join(lines) + (b"\n" if lines else b"")
    result = parse_block(parser(), data)
    assert result.events.num_rows + len(result.rejects) + result.skipped == len(lines)
