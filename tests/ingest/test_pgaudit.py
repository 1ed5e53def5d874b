"""PostgreSQL logs with pgAudit: prefix, multi-line CSV statements, tables, actions."""

# ruff: noqa: E501  (log lines are long)

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from breachdesk.ingest import IngestOptions, ingest_paths
from breachdesk.ingest.logformat import LogFormatError
from breachdesk.ingest.pgaudit import PgAuditParser, compile_prefix
from breachdesk.workspace import Workspace

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
    assert set(roles) == {"time", "user", "database", "host", "pid"}
    _, roles = compile_prefix("%m [%p] %c ")
    assert set(roles) == {"time", "pid", "session"}
    with pytest.raises(LogFormatError, match="no time"):
        compile_prefix("%u %d ")
    with pytest.raises(LogFormatError, match="%Y"):
        compile_prefix("%m %Y ")


SESSIONS = b"""2026-11-03 02:14:05.001 UTC [unknown] [unknown] [41234]: LOG:  connection received: host=203.0.113.9 port=51234
2026-11-03 02:14:05.020 UTC [unknown] [unknown] [41300]: LOG:  connection received: host=[local]
2026-11-03 02:14:05.030 UTC postgres postgres [41300]: LOG:  connection authorized: user=postgres database=postgres
2026-11-03 02:14:06.001 UTC support_ro shop [41234]: LOG:  connection authorized: user=support_ro database=shop application_name=psql
2026-11-03 02:14:07.123 UTC support_ro shop [41234]: LOG:  AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.customers,"SELECT full_name, email FROM customers WHERE id > 100",<not logged>
2026-11-03 02:14:08.000 UTC report shop [999]: LOG:  AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.orders,"SELECT 1 FROM orders",<not logged>
2026-11-03 02:14:09.000 UTC postgres postgres [41300]: LOG:  AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.customers,"SELECT 1 FROM customers",<not logged>
2026-11-03 02:15:00.000 UTC support_ro shop [41234]: LOG:  disconnection: session time: 0:00:54.999 user=support_ro database=shop host=203.0.113.9 port=51234
2026-11-03 02:16:00.001 UTC [unknown] [unknown] [41234]: LOG:  connection received: host=198.51.100.4 port=40000
2026-11-03 02:16:00.010 UTC svc_crm shop [41234]: LOG:  connection authorized: user=svc_crm database=shop
2026-11-03 02:16:01.000 UTC svc_crm shop [41234]: LOG:  AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.customers,"SELECT id FROM customers WHERE id = 7",<not logged>
"""


def _addresses(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(r["raw_ref"], r["class"], r["principal"], r["src_ip"]) for r in rows]


EXPECTED_SESSIONS = [
    ("test.log:3", "auth", "postgres", None),  # a Unix socket: no address
    ("test.log:4", "auth", "support_ro", "203.0.113.9"),
    ("test.log:5", "datastore", "support_ro", "203.0.113.9"),
    ("test.log:6", "datastore", "report", None),  # its connection was logged before the file
    ("test.log:7", "datastore", "postgres", None),
    # The process id is reused by a later connection: its own address.
    ("test.log:10", "auth", "svc_crm", "198.51.100.4"),
    ("test.log:11", "datastore", "svc_crm", "198.51.100.4"),
]


def test_pgaudit_events_carry_the_address_of_their_session() -> None:
    result = parse_block(parser(), SESSIONS)
    assert _addresses(result.rows()) == EXPECTED_SESSIONS
    assert result.skipped == 4  # three connection received, one disconnection


def test_pgaudit_prefix_address_wins_over_the_session() -> None:
    data = (
        b"2026-11-03 02:14:05.001 UTC [41234] 10.0.0.1: LOG:  connection received: "
        b"host=203.0.113.9 port=1\n"
        b"2026-11-03 02:14:06.001 UTC [41234] 10.0.0.2: LOG:  connection authorized: user=a\n"
    )
    rows = parse_block(PgAuditParser("%m [%p] %h: ", "UTC", max_line=4096), data).rows()
    assert [r["src_ip"] for r in rows] == ["10.0.0.2"]


def test_pgaudit_session_key_is_the_session_id_when_logged() -> None:
    data = (
        b"2026-11-03 02:14:05.001 UTC [7] 6543a1b2.1c: LOG:  connection received: "
        b"host=203.0.113.9 port=1\n"
        b"2026-11-03 02:14:06.001 UTC [7] 6543a1b2.1d: LOG:  AUDIT: SESSION,1,1,READ,SELECT,"
        b'TABLE,public.customers,"SELECT 1 FROM customers",<not logged>\n'
        b"2026-11-03 02:14:07.001 UTC [7] 6543a1b2.1c: LOG:  AUDIT: SESSION,1,1,READ,SELECT,"
        b'TABLE,public.customers,"SELECT 1 FROM customers",<not logged>\n'
    )
    rows = parse_block(PgAuditParser("%m [%p] %c: ", "UTC", max_line=4096), data).rows()
    assert [r["src_ip"] for r in rows] == [None, "203.0.113.9"]


@pytest.mark.parametrize("block_size", [32 << 20, 400, 700])
def test_pgaudit_sessions_opened_in_an_earlier_block(
    make_workspace: Callable[..., Workspace], tmp_path: Path, block_size: int
) -> None:
    log = tmp_path / "postgresql.log"
    log.write_bytes(SESSIONS)
    workspace = make_workspace()
    options = IngestOptions(block_size=block_size, now=datetime(2026, 11, 27, tzinfo=UTC))
    report = ingest_paths(
        workspace, [str(log)], "pgaudit", "db", log_format=PREFIX, options=options
    )
    assert report.rejected == 0
    files = [str(f) for f in workspace.path("events").rglob("*.parquet")]
    table = ds.dataset(files, format="parquet").to_table().sort_by("raw_ref")
    rows = [
        {**r, "raw_ref": "test.log:" + str(r["raw_ref"]).rsplit(":", 1)[1]}
        for r in table.to_pylist()
    ]
    got = sorted(_addresses(rows), key=lambda r: int(str(r[0]).rsplit(":", 1)[1]))
    assert got == EXPECTED_SESSIONS
