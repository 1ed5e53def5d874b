"""Key predicates answered from the key copy give exactly what the database would return."""

from __future__ import annotations

import sqlite3

import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.scope.sqlplan import _compile
from breachdesk.scope.sqlshape import mask_statement

KEYS = range(1, 61)

_value = st.integers(min_value=-5, max_value=70)
_leaf = st.one_of(
    st.tuples(st.sampled_from(["=", "<", "<=", ">", ">="]), _value).map(
        lambda t: f"id {t[0]} {t[1]}"
    ),
    st.tuples(_value, st.sampled_from(["=", "<", ">="])).map(lambda t: f"{t[0]} {t[1]} id"),
    st.tuples(_value, _value).map(lambda t: f"id BETWEEN {t[0]} AND {t[1]}"),
    st.lists(_value, min_size=1, max_size=5).map(
        lambda vs: f"id IN ({', '.join(str(v) for v in vs)})"
    ),
)
_where = st.recursive(
    _leaf,
    lambda inner: st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    ),
    max_leaves=6,
)


def _database() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    db.executemany("INSERT INTO customers VALUES (?)", [(k,) for k in KEYS])
    return db


DB = _database()


@given(_where)
@settings(max_examples=300, deadline=None)
def test_key_intervals_match_sqlite(where: str) -> None:
    sql = f"SELECT id FROM customers WHERE {where}"
    shape, literals = mask_statement(sql)
    tree = sqlglot.parse_one(shape, read="postgres")
    node = tree.args["where"].this
    program = _compile(node, "id", {"customers"})
    assert program is not None
    params = {f"bdp{i}": lit for i, lit in enumerate(literals, 1)}
    intervals = program(params)
    assert intervals is not None
    mine = {k for k in KEYS if any(lo <= k <= hi for lo, hi in intervals)}
    theirs = {row[0] for row in DB.execute(sql)}
    assert mine == theirs


def test_other_predicates_are_not_compiled() -> None:
    for where in ("email = 'x'", "id <> 3", "NOT id = 3", "id IN (SELECT 1)", "id + 1 = 3"):
        node = sqlglot.parse_one(f"SELECT id FROM customers WHERE {where}").args["where"].this
        assert _compile(node, "id", {"customers"}) is None, where
