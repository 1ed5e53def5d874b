"""Geometry of the report's timeline chart: one lane per kind of entry on a shared time axis.

Only numbers and labels are computed here; the template draws them as inline SVG (no script,
no network), so every label passes through the template's escaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from breachdesk.incident.times import iso
from breachdesk.model.incident import AlertView, TimelineItem, TimelineKind

WIDTH = 760
LEFT = 165
RIGHT = 40
TOP = 16
LANE_HEIGHT = 28
AXIS_HEIGHT = 34

_LANES = (
    ("alerts", "Malicious activity", "#b3261e"),
    (TimelineKind.CASE.value, "Case", "#6750a4"),
    (TimelineKind.ANALYST.value, "Analysts", "#1f6feb"),
    (TimelineKind.CONTAINMENT.value, "Containment", "#1a7f37"),
    (TimelineKind.EVIDENCE.value, "Evidence", "#9a6700"),
)
_LANE_OF = {
    TimelineKind.FIRST_EVENT: "alerts",
    TimelineKind.LAST_EVENT: "alerts",
    TimelineKind.CASE: TimelineKind.CASE.value,
    TimelineKind.ANALYST: TimelineKind.ANALYST.value,
    TimelineKind.CONTAINMENT: TimelineKind.CONTAINMENT.value,
    TimelineKind.EVIDENCE: TimelineKind.EVIDENCE.value,
}


@dataclass(frozen=True)
class Lane:
    y: float
    label: str
    color: str


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    color: str
    title: str


@dataclass(frozen=True)
class Span:
    x1: float
    x2: float
    y: float
    color: str
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    anchor: str = "middle"


@dataclass(frozen=True)
class TimelineChart:
    width: int
    height: int
    left: int
    right: int
    axis_y: float
    lanes: tuple[Lane, ...]
    markers: tuple[Marker, ...]
    spans: tuple[Span, ...]
    ticks: tuple[Tick, ...]


def timeline_chart(
    items: Sequence[TimelineItem], alerts: Sequence[AlertView], *, ticks: int = 5
) -> TimelineChart | None:
    """The chart of ``items`` and the alerts' activity windows; None when there is nothing."""
    times = [i.at for i in items] + [a.start for a in alerts] + [a.end for a in alerts]
    if not times:
        return None
    start, end = min(times), max(times)
    if end - start < timedelta(minutes=2):
        start, end = start - timedelta(hours=1), end + timedelta(hours=1)
    used = {_LANE_OF[i.kind] for i in items} | ({"alerts"} if alerts else set())
    lanes: dict[str, Lane] = {}
    for key, label, color in _LANES:
        if key in used:
            lanes[key] = Lane(TOP + LANE_HEIGHT * len(lanes) + LANE_HEIGHT / 2, label, color)
    span_seconds = (end - start).total_seconds()
    plot = WIDTH - LEFT - RIGHT

    def x_of(moment: datetime) -> float:
        return round(LEFT + plot * (moment - start).total_seconds() / span_seconds, 1)

    markers = tuple(
        Marker(
            x_of(item.at),
            lanes[_LANE_OF[item.kind]].y,
            lanes[_LANE_OF[item.kind]].color,
            f"{iso(item.at)} {item.text[:300]}",
        )
        for item in items
    )
    spans = tuple(
        Span(
            x_of(alert.start),
            max(x_of(alert.end), x_of(alert.start) + 2),
            lanes["alerts"].y,
            lanes["alerts"].color,
            f"alert {alert.id}: {iso(alert.start)} to {iso(alert.end)}, {alert.events:,} events",
        )
        for alert in alerts
    )
    axis_y = TOP + LANE_HEIGHT * len(lanes) + 6
    fmt = (
        "%d %b %Y"
        if span_seconds > 180 * 86400
        else ("%d %b" if span_seconds > 3 * 86400 else "%d %b %H:%M")
    )
    # The outer labels align inwards so they stay inside the drawing.
    anchors = ["start"] + ["middle"] * (ticks - 2) + ["end"]
    tick_marks = tuple(
        Tick(
            x_of(start + (end - start) * n / (ticks - 1)),
            (start + (end - start) * n / (ticks - 1)).strftime(fmt),
            anchors[n],
        )
        for n in range(ticks)
    )
    return TimelineChart(
        width=WIDTH,
        height=int(axis_y + AXIS_HEIGHT),
        left=LEFT,
        right=RIGHT,
        axis_y=axis_y,
        lanes=tuple(lanes.values()),
        markers=markers,
        spans=spans,
        ticks=tick_marks,
    )
