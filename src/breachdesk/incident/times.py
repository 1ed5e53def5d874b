"""Times given by people: ISO 8601 with an explicit offset (or ``now``), always aware UTC.

A regulatory clock must not depend on the analyst's machine's time zone, so a time without
an offset is refused instead of guessed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from breachdesk.errors import UserInputError

_EXAMPLE = "e.g. 2026-11-03T09:30:00+01:00 or 2026-11-03T08:30:00Z"


def parse_time(text: str, *, what: str, now: datetime | None = None) -> datetime:
    """``text`` as an aware UTC datetime; UserInputError naming ``what`` when it is not one."""
    value = text.strip()
    if value.lower() == "now":
        return (now or datetime.now(UTC)).astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UserInputError(f"{what} {text[:60]!r} is not an ISO 8601 time ({_EXAMPLE})") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise UserInputError(f"{what} {text[:60]!r} has no UTC offset; add one ({_EXAMPLE})")
    return parsed.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, seconds precision unless there are microseconds."""
    if value is None:
        return None
    utc = value.astimezone(UTC)
    spec = "microseconds" if utc.microsecond else "seconds"
    return utc.isoformat(timespec=spec).replace("+00:00", "Z")


def duration_text(seconds: int) -> str:
    """``3d 4h``, ``5h 12m`` or ``7m``: a time left (or overdue) for people."""
    left = abs(seconds)
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"
