from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from breachdesk.errors import UserInputError
from breachdesk.incident.times import duration_text, iso, parse_time

aware = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
).flatmap(
    lambda d: st.integers(-14 * 60, 14 * 60).map(
        lambda m: d.astimezone(timezone(timedelta(minutes=m)))
    )
)


@given(aware)
def test_parse_time_round_trips_any_offset(moment: datetime) -> None:
    parsed = parse_time(moment.isoformat(), what="--at")
    assert parsed == moment
    assert parsed.tzinfo is UTC
    assert parse_time(iso(moment) or "", what="--at") == moment


@given(st.text(max_size=40))
def test_parse_time_fails_only_with_a_user_error(text: str) -> None:
    try:
        parsed = parse_time(text, what="--at")
    except UserInputError:
        return
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday", "not an ISO 8601 time"),
        ("03/11/2026 09:00", "not an ISO 8601 time"),
        ("2026-11-03T09:00:00", "has no UTC offset"),
        ("2026-11-03", "has no UTC offset"),
    ],
)
def test_parse_time_refuses(text: str, message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        parse_time(text, what="--aware-at")


def test_now_and_zulu() -> None:
    now = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    assert parse_time("now", what="x", now=now) == now
    assert parse_time("2026-11-03T09:30:00+01:00", what="x") == now
    assert iso(now) == "2026-11-03T08:30:00Z"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(59, "0m"), (3599, "59m"), (3600, "1h 0m"), (90061, "1d 1h"), (-7260, "2h 1m")],
)
def test_duration_text(seconds: int, text: str) -> None:
    assert duration_text(seconds) == text
