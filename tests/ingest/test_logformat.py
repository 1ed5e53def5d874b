"""Log format strings: nginx and Apache syntax, regex and CSV layouts, errors."""

from __future__ import annotations

import pytest

from breachdesk.ingest.access import AccessParser
from breachdesk.ingest.logformat import (
    LogFormatError,
    Text,
    Var,
    compile_format,
    parse_apache,
    parse_nginx,
    strftime_pattern,
)

from .samples import parse_block


def test_parse_nginx_variables_and_literals() -> None:
    assert parse_nginx('$a ${b}c "$d"') == [
        Var("a"),
        Text(" "),
        Var("b"),
        Text('c "'),
        Var("d"),
        Text('"'),
    ]


def test_parse_apache_translates_directives() -> None:
    items = parse_apache("%h %l %>s %{User-Agent}i %t %%")
    names = [i.name for i in items if isinstance(i, Var)]
    assert names == ["remote_addr", "remote_ident", "status", "http_user_agent", "time_local"]
    assert items[-1] == Text("] %")


def test_compile_format_combined_has_a_csv_layout() -> None:
    layout = compile_format(None, "nginx")
    assert layout.csv is not None
    assert len(layout.csv.columns) == 10  # $time_local spans two space-separated tokens
    assert layout.csv.quoted == 3


def test_compile_format_without_space_separated_tokens_uses_only_the_regex() -> None:
    layout = compile_format("$remote_addr|$time_iso8601|$request", "nginx")
    assert layout.csv is None
    parser = AccessParser(layout, "UTC", max_line=1000)
    result = parse_block(
        parser, b"10.0.0.1|2026-11-03T02:14:07Z|GET /api/v1/customers/3 HTTP/1.1\n"
    )
    assert result.column("object_id") == ["3"]


def test_compile_format_unknown_apache_directive() -> None:
    with pytest.raises(LogFormatError, match="%Z"):
        compile_format("%h %Z", "apache")


def test_compile_format_needs_a_variable() -> None:
    with pytest.raises(LogFormatError, match="no variable"):
        compile_format("just text", "nginx")


def test_strftime_pattern() -> None:
    assert strftime_pattern("%Y-%m-%d %H:%M:%S") == r"\d{4}\-\d{1,2}\-\d{1,2}\ \d{1,2}:\d{2}:\d{2}"
    with pytest.raises(LogFormatError):
        strftime_pattern("%Q")
