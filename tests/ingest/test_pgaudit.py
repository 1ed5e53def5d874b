"""PostgreSQL logs with pgAudit: prefix, multi-line CSV statements, tables, actions."""

# ruff: noqa: E501  (log lines are long)

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from breachdesk.ingest.logformat import LogFormatError
from breachdesk.ingest.pgaudit import PgAuditParser, compile_prefix

from .samples import parse_block

PREFIX = "%m %u %d [%p]: "
LOG = b'''2026-11-03 02:14:06.001 UTC support_ro shop [41234]: LOG:  connection authorized: user=support_ro database=shop
2026-11-03 02:14:07.123 UTC support_ro shop [41234]: LOG:  AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.customers,"SELECT full_name, email FROM customers WHERE id > 100",<not logged>
2026-11-03 02:15:07.123 UTC support_ro shop [41234]: LOG:  AUDIT: SESSION,2,1,READ,SELECT,,,"SELECT c.full_name, o.total_cents
\tFROM customers c JOIN orders o ON o.customer_id = c.id
\tWHERE c.city = ""Paris""",<not logged>
2026-11-03 02:16:00.000 UTC postgres shop [41235]: LOG:  checkpoint starting: time
2026-11-03 02:17:07.500 UTC batch shop [41236]: LOG:  AUDIT: SESSION,3,1,READ,COPY,,,"COPY (SELECT email FROM customers) TO STDOUT WITH CSV",<not logged>,120000
2026-11-03 02:18:00.000 UTC eve shop [41237]: FATAL:  password authentication failed for user "eve"
2026-11-03 02:19:00.000 UTC batch shop [41236]: LOG:  AUDIT: SESSION,4,1,WRITE,INSERT,,,"INSERT INTO orders VALUES (1)",<not logged>
2026-11-03 02:19:01.000 UTC batch shop [41236]: LOG:  AUDIT: SESSION,4,1,broken
'''


def parser(prefix: str = PREFIX, timezone: str = "UTC") -> PgAuditParser:
    return PgAuditParser(prefix, timezone, max_line=65536)


def test_pgaudit_audit_records_become_datastore_events() -> None:
    result = parse_block(parser(), LOG)
    got = [
        (
            r["raw_ref"],
            r["class"],
            r["principal"],
            r["action"],
            r["method"],
            r["resource"],
            r["rows"],
        )
        for r in result.rows()
    ]
    assert got == [
        ("test.log:1", "auth", "support_ro", "login", None, None, None),
        ("test.log:2", "datastore", "support_ro", "read", "SELECT", "customers", None),
        ("test.log:3", "datastore", "support_ro", "read", "SELECT", "customers", None),
        ("test.log:3", "datastore", "support_ro", "read", "SELECT", "orders", None),
        ("test.log:7", "datastore", "batch", "export", "COPY", "customers", 120000),
        ("test.log:8", "auth", "eve", "login_failed", None, None, None),
        ("test.log:9", "datastore", "batch", "create", "INSERT", "orders", None),
    ]
    assert [(r.line, r.reason) for r in result.rejects] == [(10, "malformed pgAudit record")]
    assert result.skipped == 1  # the checkpoint


def test_pgaudit_statement_is_unquoted_with_its_lines() -> None:
    rows = parse_block(parser(), LOG).rows()
    assert rows[2]["statement"] == (
        "SELECT c.full_name, o.total_cents\nFROM customers c JOIN orders o ON o.customer_id = c.id\n"
        'WHERE c.city = "Paris"'
    )
    assert rows[1]["time"] == datetime(2026, 11, 3, 2, 14, 7, 123000, tzinfo=UTC)


def test_pgaudit_default_prefix_and_local_zone_names() -> None:
    data = (
        b"2026-07-03 04:00:00.000 CEST [77] LOG:  AUDIT: SESSION,1,1,READ,SELECT,,,"
        b'"select * from customers",<not logged>\n'
    )
    (event,) = parse_block(PgAuditParser(None, "Europe/Paris", max_line=4096), data).rows()
    assert event["time"] == datetime(2026, 7, 3, 2, 0, tzinfo=UTC)
    assert event["principal"] is None
    assert event["resource"] == "customers"


def test_pgaudit_lines_before_the_first_record_are_rejected() -> None:
    result = parse_block(parser(), b"\tleftover of a statement\n" + LOG)
    assert (1, "continuation line without a record") in [(r.line, r.reason) for r in result.rejects]


def test_pgaudit_record_start_matches_the_prefix() -> None:
    p = parser()
    assert p.record_start is not None
    assert p.record_start(LOG.splitlines()[0][:256])
    assert not p.record_start(b"\tFROM customers")


def test_compile_prefix_roles_and_errors() -> None:
    _, roles = compile_prefix("%t [%p] %q%u@%d %h ")
    assert set(roles) == {"time", "user", "database", "host"}
    with pytest.raises(LogFormatError, match="no time"):
        compile_prefix("%u %d ")
    with pytest.raises(LogFormatError, match="%Y"):
        compile_prefix("%m %Y ")
