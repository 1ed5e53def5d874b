"""Deadlines: hours, calendar days and business days, across weekends and public holidays.

Hours run from the exact moment. Days are whole days in the jurisdiction's time zone: the day
of the triggering event does not count, and the period ends at the end (23:59:59.999999) of
its last day — the rule of EU Regulation 1182/71 Art. 3 and of most statutes' day counts.
Business days skip Saturdays, Sundays and the jurisdiction's listed public holidays.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from breachdesk.errors import UserInputError
from breachdesk.law.schema import Deadline

# A holiday list that does not reach the end of a period means the period may be wrong.
MAX_DAYS = 3660


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserInputError(f"unknown time zone {name!r}") from None


def is_business_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_business_days(start: date, days: int, holidays: Iterable[date]) -> date:
    """The date ``days`` business days after ``start`` (``start`` itself does not count)."""
    off = frozenset(holidays)
    current = start
    remaining = days
    steps = 0
    while remaining > 0:
        current += timedelta(days=1)
        steps += 1
        if steps > MAX_DAYS:
            raise UserInputError(f"no {days} business days within ten years of {start}")
        if is_business_day(current, off):
            remaining -= 1
    return current


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59, 999999), tzinfo=tz).astimezone(UTC)


def compute_deadline(
    start: datetime,
    rule: Deadline,
    *,
    timezone: str = "UTC",
    holidays: Iterable[date] = (),
) -> datetime | None:
    """The UTC moment a deadline falls, or None when the rule sets no number."""
    if rule.within is None:
        return None
    if start.tzinfo is None:
        raise UserInputError("a deadline needs an aware start time")
    if rule.unit == "hours":
        return (start + timedelta(hours=rule.within)).astimezone(UTC)
    tz = zone(timezone)
    local_day = start.astimezone(tz).date()
    if rule.count == "business":
        last = add_business_days(local_day, rule.within, holidays)
    else:
        last = local_day + timedelta(days=rule.within)
    return end_of_day(last, tz)


def iso_utc(moment: datetime | None) -> str | None:
    """``2026-11-06T09:00:00Z`` style, or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
