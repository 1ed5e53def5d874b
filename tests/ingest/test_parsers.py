"""Every parser on arbitrary bytes: no crash, and every line accounted for."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from breachdesk.ingest.parsers import BlockParser, make_parser

from .samples import parse_block

EXAMPLES = int(os.environ.get("BREACHDESK_TEST_EXAMPLES", "40"))

PARSERS = {
    "nginx": lambda: make_parser("nginx"),
    "apache": lambda: make_parser("apache"),
    "custom": lambda: make_parser("nginx", log_format='$remote_addr|$msec|"$request"|$status'),
    "jsonl": lambda: make_parser("jsonl", fields={"time": "t", "path": "p"}),
    "pgaudit": lambda: make_parser("pgaudit", log_format="%m %u %d [%p]: "),
    "mysql-general": lambda: make_parser("mysql-general"),
    "cloudtrail": lambda: make_parser("cloudtrail"),
}

# Fragments of real lines, so that random input reaches past the first check.
PIECES = [
    b"2026-11-03 02:14:07.123 UTC u db [1]: LOG:  AUDIT: SESSION,1,1,READ,SELECT,,,",
    b'"SELECT * FROM customers"',
    b"2026-11-22T09:23:50.053934Z\t    8 Query\tSELECT 1 FROM t",
    b'10.0.0.1 - - [03/Nov/2026:02:14:07 +0100] "GET /api/v1/customers/1 HTTP/1.1" 200 5 "-" "x"',
    b'{"Records": [{"eventTime": "2026-11-03T02:14:07Z", "eventName": "GetObject"}]}',
    b'{"t": "2026-11-03T02:14:07Z", "p": "/api/v1/customers/9"}',
    b"\n",
    b"\t",
    b'"',
    b"\r",
    b"\x1b[31m",
    b"\xff\xfe",
]


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.lists(st.one_of(st.sampled_from(PIECES), st.binary(max_size=20)), max_size=12))
def test_parsers_account_for_every_line(name: str, data: list[bytes]) -> None:
    parser: BlockParser = PARSERS[name]()
    text = b"".join(data)
    result = parse_block(parser, text)
    lines = text.count(b"\n") + (0 if text.endswith(b"\n") or not text else 1)
    rejected = {r.line for r in result.rejects}
    assert all(1 <= line <= max(lines, 1) for line in rejected)
    event_lines = {int(str(ref).rsplit(":", 1)[1]) for ref in result.column("raw_ref")}
    assert not event_lines & rejected
    if name in ("nginx", "apache", "custom"):
        assert result.events.num_rows + len(result.rejects) == lines
    elif name == "jsonl":
        assert result.events.num_rows + len(result.rejects) + result.skipped == lines
