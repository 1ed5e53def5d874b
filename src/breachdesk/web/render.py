"""Jinja2 for the workbench: autoescape on for every template, filters for times and counts.

Everything a page prints goes through these templates; nothing builds HTML by string
concatenation, so log-, email- and database-borne strings are always escaped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined


def _utc(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(moment: datetime | None) -> str:
    """Seconds since 1970 (UTC), for scripts: ``data-deadline`` of the countdowns."""
    return "" if moment is None else f"{moment.timestamp():.0f}"


def _span(seconds: int | float | None) -> str:
    """``2d 04h``, ``3h 12m``, ``45s``; negative spans (overdue) shown as positive."""
    if seconds is None:
        return "—"
    left = abs(int(seconds))
    days, rest = divmod(left, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("breachdesk.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(utc=_utc, iso=_iso, epoch=_epoch, span=_span, count=_count)
    return env
