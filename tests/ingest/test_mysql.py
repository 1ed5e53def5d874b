"""MySQL general query log: connections, queries spanning lines, principals across blocks."""

# ruff: noqa: E501  (log lines are long)

from __future__ import annotations

import pyarrow as pa

from breachdesk.ingest.blocks import Block
from breachdesk.ingest.events import FinishContext, finish
from breachdesk.ingest.mysql import MysqlGeneralParser
from breachdesk.ingest.text import TextBlock

from .samples import LATE, exposure_map, parse_block

LOG = b"""/usr/sbin/mysqld, Version: 8.0.35 (MySQL Community Server - GPL). started with:
Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock
Time                 Id Command    Argument
2026-11-22T09:23:50.053934Z\t    8 Connect\treport@10.0.0.5 on shop using TCP/IP
2026-11-22T09:23:55.000000Z\t    8 Query\tSELECT full_name, email
FROM customers WHERE city = 'Lyon'
2026-11-22T09:23:56.000000Z\t    9 Connect\tAccess denied for user 'eve'@'203.0.113.9' (using password: YES)
2026-11-22T09:23:58.000000Z\t    8 Query\tSELECT * FROM customers INTO OUTFILE '/tmp/x.csv'
2026-11-22T09:24:00.000000Z\t    8 Quit\t
"""


def parser() -> MysqlGeneralParser:
    return MysqlGeneralParser("UTC", max_line=65536)


def test_mysql_connect_query_and_denied() -> None:
    result = parse_block(parser(), LOG)
    got = [
        (r["raw_ref"], r["class"], r["principal"], r["src_ip"], r["action"], r["resource"])
        for r in result.rows()
    ]
    assert got == [
        ("test.log:4", "auth", "report", "10.0.0.5", "login", None),
        ("test.log:5", "datastore", "report", None, "read", "customers"),
        ("test.log:7", "auth", "eve", "203.0.113.9", "login_failed", None),
        ("test.log:8", "datastore", "report", None, "export", "customers"),
    ]
    assert (
        result.rows()[1]["statement"]
        == "SELECT full_name, email\nFROM customers WHERE city = 'Lyon'"
    )
    assert result.skipped == 4  # three header lines and Quit
    assert result.rejects == []


def test_mysql_principal_of_a_connection_opened_in_an_earlier_block() -> None:
    lines = LOG.splitlines(keepends=True)
    first, second = b"".join(lines[:5]), b"".join(lines[5:])
    p = parser()
    state: dict[str, object] = {}
    principals = []
    line = 1
    for data in (first, second):
        text = TextBlock.from_block(Block(0, data, line, data.count(b"\n")))
        ctx = FinishContext("mysql", "test.log", line, exposure_map(), LATE)
        done = finish(p.parse(text), ctx)
        events = p.resolve(done.events, done.carry, state)
        principals += events.column("principal").to_pylist()
        line += data.count(b"\n")
    # Second block: the continuation line arrives orphaned, but the later query on
    # connection 8 still knows its user from the first block.
    assert principals[-1] == "report"


def test_mysql_legacy_format() -> None:
    data = b"171122  9:23:50\t    3 Connect\troot@localhost on \n\t\t    3 Query\tSELECT 1 FROM orders\n"
    rows = parse_block(parser(), data).rows()
    assert [(r["principal"], r["action"], r["resource"]) for r in rows] == [
        ("root", "login", None),
        ("root", "read", "orders"),
    ]
    assert rows[1]["time"] == rows[0]["time"]
    assert isinstance(pa.scalar(rows[0]["time"]).type, pa.TimestampType)
