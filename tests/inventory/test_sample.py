from __future__ import annotations

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from breachdesk.inventory.sample import VALUE_CAP, mask_value, python_text, rows_for, text_column


@given(st.text(min_size=1, max_size=200))
def test_mask_value_never_equals_the_raw_value(value: str) -> None:
    assert mask_value(value) != value


def test_mask_value_keeps_shape_not_content() -> None:
    assert mask_value("marie.dupont@example.com") == "m•••@e•••.com"
    assert mask_value("4111 1111 1111 1111").endswith("1111")
    assert "4111" not in mask_value("4111 1111 1111 1111").split()[0]
    assert mask_value("123") == "•••"


def test_text_column_caps_and_strips_values() -> None:
    column = text_column(pa.array(["  x  ", "y" * 10_000_000, None]))
    assert column.to_pylist()[0] == "x"
    assert len(column.to_pylist()[1]) == VALUE_CAP
    assert column.to_pylist()[2] is None


def test_python_text_handles_driver_types() -> None:
    import datetime
    from decimal import Decimal

    values = [
        1,
        2.5,
        Decimal("3.10"),
        b"\xff\xfeab",
        datetime.date(2020, 1, 2),
        True,
        None,
        {"a": 1},
    ]
    assert python_text(values).to_pylist() == [
        "1",
        "2.5",
        "3.10",
        "\ufffd\ufffdab",
        "2020-01-02",
        "true",
        None,
        '{"a": 1}',
    ]


def test_rows_for_keeps_the_cell_budget() -> None:
    assert rows_for(10, 1000) == 1000
    assert rows_for(2000, 1000) == 500
