"""Deadlines in hours, calendar days and business days, across weekends and holiday lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from breachdesk.law import add_business_days, compute_deadline
from breachdesk.law.deadlines import is_business_day
from breachdesk.law.schema import Deadline

FRIDAY = datetime(2026, 11, 6, 15, 0, tzinfo=UTC)


def _rule(**kw: object) -> Deadline:
    return Deadline.model_validate({"standard": "test", **kw})


def test_deadlines_hours_from_the_exact_moment() -> None:
    got = compute_deadline(FRIDAY, _rule(within=72, unit="hours"))
    assert got == datetime(2026, 11, 9, 15, 0, tzinfo=UTC)


def test_deadlines_business_days_skip_the_weekend() -> None:
    # Friday + 3 business days = Wednesday (Sat, Sun skipped), end of that day.
    got = compute_deadline(FRIDAY, _rule(within=3, count="business"))
    assert got == datetime(2026, 11, 11, 23, 59, 59, 999999, tzinfo=UTC)


def test_deadlines_business_days_skip_listed_holidays() -> None:
    holidays = [date(2026, 11, 9), date(2026, 11, 11)]
    got = compute_deadline(FRIDAY, _rule(within=3, count="business"), holidays=holidays)
    # Mon 9 and Wed 11 are holidays: Tue 10 (1), Thu 12 (2), Fri 13 (3).
    assert got == datetime(2026, 11, 13, 23, 59, 59, 999999, tzinfo=UTC)


def test_deadlines_days_count_in_the_local_time_zone() -> None:
    late_evening_utc = datetime(2026, 11, 3, 23, 30, tzinfo=UTC)  # already Nov 4 in Tokyo
    got = compute_deadline(late_evening_utc, _rule(within=1), timezone="Asia/Tokyo")
    assert got == datetime(2026, 11, 5, 14, 59, 59, 999999, tzinfo=UTC)


def test_deadlines_without_a_number_is_none() -> None:
    assert compute_deadline(FRIDAY, _rule()) is None


def test_deadlines_business_counting_of_hours_is_refused() -> None:
    with pytest.raises(ValueError, match="business counting applies to days"):
        _rule(within=3, unit="hours", count="business")


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=1, max_value=40),
    holidays=st.sets(
        st.dates(min_value=date(2020, 1, 1), max_value=date(2031, 6, 30)), max_size=20
    ),
)
def test_deadlines_business_day_result_properties(
    start: date, days: int, holidays: set[date]
) -> None:
    end = add_business_days(start, days, holidays)
    off = frozenset(holidays)
    assert is_business_day(end, off)
    between = [start + timedelta(n) for n in range(1, (end - start).days + 1)]
    assert sum(is_business_day(d, off) for d in between) == days
