"""The generated period and the three ways its logs write time.

The house runs on Paris time: days, office hours and log rotation follow Europe/Paris
(with its daylight-saving change); nginx writes local time with its offset, the gateway
and PostgreSQL write UTC.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
# A fixed last day keeps the output identical for a seed, whenever it is generated.
LAST_DAY = date(2026, 11, 15)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Day:
    """One Paris calendar day of the period, as UTC epoch milliseconds."""

    index: int
    date: date
    start: int
    end: int
    # UTC epoch (ms) of each wall-clock hour 0..23 in Paris (DST days repeat or skip one).
    hour_starts: tuple[int, ...]

    @property
    def weekday(self) -> int:
        return self.date.weekday()

    @property
    def is_weekend(self) -> bool:
        return self.weekday >= 5

    def at(self, hour: int, minute: int = 0, second: float = 0.0) -> int:
        """Epoch ms of the Paris wall-clock time ``hour:minute:second`` of this day."""
        return self.hour_starts[hour] + minute * 60_000 + int(second * 1000)


def period(days: int) -> list[Day]:
    """The ``days`` Paris days ending on LAST_DAY, oldest first."""
    first = LAST_DAY - timedelta(days=days - 1)
    result = []
    for index in range(days):
        day = first + timedelta(days=index)
        nxt = day + timedelta(days=1)
        start = _ms(datetime(day.year, day.month, day.day, tzinfo=PARIS))
        end = _ms(datetime(nxt.year, nxt.month, nxt.day, tzinfo=PARIS))
        hours = tuple(
            _ms(datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)) for hour in range(24)
        )
        result.append(Day(index, day, start, end, hours))
    return result


def _ms(moment: datetime) -> int:
    return int(moment.timestamp()) * 1000


@lru_cache(maxsize=4096)
def _paris_offset(hour_bucket: int) -> int:
    """Paris UTC offset in seconds during the UTC hour ``hour_bucket`` (epoch // 3600)."""
    offset = datetime.fromtimestamp(hour_bucket * 3600, PARIS).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def nginx_time(millis: int) -> str:
    """``$time_local`` of an nginx in Paris: ``03/Nov/2026:02:14:07 +0100``."""
    seconds = millis // 1000
    offset = _paris_offset(seconds // 3600)
    tm = time.gmtime(seconds + offset)
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return (
        f"{tm.tm_mday:02d}/{_MONTHS[tm.tm_mon - 1]}/{tm.tm_year}:"
        f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} {sign}{hours:02d}{minutes:02d}"
    )


def _utc_parts(millis: int) -> tuple[time.struct_time, int]:
    return time.gmtime(millis // 1000), millis % 1000


def iso_utc(millis: int) -> str:
    """ISO 8601 UTC with milliseconds: ``2026-11-03T01:14:07.123Z``."""
    tm, ms = _utc_parts(millis)
    return (
        f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d}T"
        f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}.{ms:03d}Z"
    )


def postgres_time(millis: int) -> str:
    """PostgreSQL ``%m`` with log_timezone UTC: ``2026-11-03 01:14:07.123 UTC``."""
    tm, ms = _utc_parts(millis)
    return (
        f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d} "
        f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}.{ms:03d} UTC"
    )


def utc_datetime(millis: int) -> datetime:
    return datetime.fromtimestamp(millis / 1000, UTC)
