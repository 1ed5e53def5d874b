"""SQL replay refuses everything but a single read-only SELECT, each time saying why."""

from __future__ import annotations

import re

import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.scope.sqlcheck import (
    NotAnExposure,
    StatementRefused,
    check_statement,
    function_rules,
)
from breachdesk.scope.sqlreplay import with_literals
from breachdesk.scope.sqlshape import mask_statement

MAPPED = {"customers", "orders"}


def _mapped(name: str) -> bool:
    return name in MAPPED


REFUSED = [
    # (statement, rule, words the reason must contain)
    ("SELECT id FROM customers; DROP TABLE customers", "stacked", ["2 statements", "DROP"]),
    ("SELECT id FROM customers; SELECT id FROM orders", "stacked", ["2 statements"]),
    (
        "WITH gone AS (DELETE FROM customers RETURNING id) SELECT id FROM gone",
        "dml-in-cte",
        ["DELETE", "WITH"],
    ),
    (
        "WITH t AS (UPDATE customers SET email = 'x' RETURNING id) SELECT * FROM t",
        "dml-in-cte",
        ["UPDATE"],
    ),
    ("SELECT id FROM customers WHERE id = 5 FOR UPDATE", "locking", ["FOR UPDATE", "locks"]),
    ("SELECT id FROM customers FOR SHARE", "locking", ["FOR SHARE"]),
    ("SELECT pg_sleep(10), email FROM customers", "function", ["pg_sleep", "timing"]),
    ("SELECT email FROM customers WHERE pg_sleep(5) IS NULL", "function", ["pg_sleep"]),
    ("SELECT nextval('s'), email FROM customers", "function", ["nextval", "sequence"]),
    ("SELECT set_config('x', 'y', false), email FROM customers", "function", ["set_config"]),
    ("SELECT lo_import('/etc/passwd'), email FROM customers", "function", ["lo_import"]),
    ("SELECT email FROM customers WHERE dblink_exec('x', 'y') = ''", "function", ["dblink"]),
    (
        "SELECT query_to_xml('delete from customers', true, true, ''), email FROM customers",
        "function",
        ["query given as text"],
    ),
    ("SELECT frobnicate(email) FROM customers", "function", ["not known", "side effects"]),
    (
        "SELECT email FROM customers /* ; DROP TABLE customers */ WHERE id = 1",
        "hidden-comment",
        ["comment", "DROP TABLE"],
    ),
    (
        "SELECT email FROM customers -- ; DELETE FROM customers\nWHERE id = 2",
        "hidden-comment",
        ["comment", "DELETE"],
    ),
    ("SELECT /*! DROP TABLE customers */ email FROM customers", "hidden-comment", ["/*!"]),
    ("SELECT * INTO stolen FROM customers", "into", ["INTO", "new table"]),
    ("UPDATE customers SET email = 'x' RETURNING *", "not-select", ["UPDATE"]),
    ("DO $$ BEGIN PERFORM 1; END $$", "not-select", ["statement, not a SELECT"]),
    (
        "SELECT c.email FROM customers c JOIN secrets s ON s.id = c.id",
        "unmapped-table",
        ["secrets"],
    ),
    ("SELECT email FROM customers WHERE id = $1", "parameters", ["$1", "not logged"]),
    ("SELECT email FROM customers WHERE id = :bdp1", "parameters", [":bdp1", "not logged"]),
    ("SELECT email FROM customers WHERE id = ?", "parameters", ["?", "not logged"]),
    ("SELECT * FROM dblink('x', 'select 1') AS t(a int)", "function", ["dblink"]),
    ("SELECT email FROM customers WHERE", "unparseable", ["not parseable"]),
    ("SELECT email FROM customers WHERE id = 1\x00", "unparseable", ["NUL"]),
]


@pytest.mark.parametrize(("sql", "rule", "words"), REFUSED)
def test_check_statement_refuses_with_reason(sql: str, rule: str, words: list[str]) -> None:
    with pytest.raises(StatementRefused) as caught:
        check_statement(sql, "postgres", _mapped)
    assert caught.value.rule == rule
    for word in words:
        assert word.lower() in caught.value.reason.lower(), caught.value.reason


def test_check_statement_refusal_names_the_tables_it_reads() -> None:
    with pytest.raises(StatementRefused) as caught:
        check_statement("SELECT pg_sleep(1), email FROM orders o", "postgres", _mapped)
    assert caught.value.tables == ("orders",)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT full_name, email FROM customers WHERE id > 100",
        "SELECT full_name, email, city, region, country\nFROM customers\nORDER BY id\n"
        "LIMIT 400 OFFSET 2000",
        "SELECT lower(email) FROM customers WHERE country IN ('FR', 'CH') AND id > 3500",
        "WITH recent AS (SELECT id FROM customers WHERE id > 5) SELECT id FROM recent",
        "SELECT c.email, o.total_cents FROM customers c JOIN orders o ON o.customer_id = c.id",
        "SELECT email FROM public.customers WHERE id BETWEEN 1 AND 9",
        "SELECT id FROM customers UNION SELECT customer_id FROM orders",
        "SELECT email FROM customers /* support console */ WHERE id = 3",
    ],
)
def test_check_statement_accepts_read_only_selects(sql: str) -> None:
    checked = check_statement(sql, "postgres", _mapped)
    assert checked.query is not None
    assert set(checked.tables) <= MAPPED


@pytest.mark.parametrize(
    ("sql", "table", "columns"),
    [
        ("COPY customers TO STDOUT", "customers", ()),
        ("COPY public.customers (id, email) TO stdout;", "customers", ("id", "email")),
    ],
)
def test_check_statement_copy_is_a_whole_table_read(
    sql: str, table: str, columns: tuple[str, ...]
) -> None:
    checked = check_statement(sql, "postgres", _mapped)
    assert checked.copy_table == table
    assert checked.copy_columns == columns


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("SELECT column_name FROM information_schema.columns", "information_schema"),
        ("COPY customers FROM STDIN", "COPY … FROM"),
        ("DELETE FROM customers WHERE id = 1", "returns no rows"),
        ("SELECT 1", "no table"),
    ],
)
def test_check_statement_sets_aside_what_exposes_nothing(sql: str, words: str) -> None:
    with pytest.raises(NotAnExposure) as caught:
        check_statement(sql, "postgres", _mapped)
    assert words in caught.value.reason


def test_function_rules_file_is_consistent() -> None:
    rules = function_rules()
    assert "pg_sleep" in rules.denied
    assert not set(rules.denied) & rules.allowed
    assert all(re.fullmatch(r"[a-z_0-9]+", name) for name in rules.allowed)


# -- masking literals ------------------------------------------------------------------------

_values = st.one_of(
    st.integers(min_value=0, max_value=10**12).map(str),
    st.text(alphabet="abcXYZ '%_-:.@", max_size=12).map(lambda s: "'" + s.replace("'", "''") + "'"),
)


@given(st.lists(_values, min_size=1, max_size=6), st.sampled_from(["=", ">", "<="]))
@settings(max_examples=150, deadline=None)
def test_mask_statement_round_trips(values: list[str], op: str) -> None:
    predicates = " AND ".join(f"c{i} {op} {v}" for i, v in enumerate(values))
    sql = f"SELECT email FROM customers WHERE {predicates}"
    shape, literals = mask_statement(sql)
    assert len(literals) == len(values)
    # What replay runs: the parsed shape with the literals put back as SQL literals.
    rebuilt = with_literals(sqlglot.parse_one(shape, read="postgres"), literals)
    assert rebuilt == sqlglot.parse_one(sql, read="postgres")


@given(st.text(max_size=80))
@settings(max_examples=200, deadline=None)
def test_mask_statement_numbers_each_literal_once(text: str) -> None:
    shape, literals = mask_statement(text)
    if not literals:
        return
    assert re.findall(r":bdp(\d+)", shape) == [str(i) for i in range(1, len(literals) + 1)]
    assert mask_statement(text) == (shape, literals)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT E'\\x41' FROM customers",
        'SELECT "o\'k" FROM customers WHERE id = 1',
        "SELECT email FROM customers WHERE id = $1",
        "SELECT email FROM customers WHERE note = 'unterminated",
        "SELECT $$a$$ FROM customers",
    ],
)
def test_mask_statement_leaves_what_it_cannot_see_through(sql: str) -> None:
    assert mask_statement(sql) == (sql, ())
