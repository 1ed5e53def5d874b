from __future__ import annotations

from datetime import timedelta

from breachdesk.incident.chart import LEFT, RIGHT, WIDTH, timeline_chart
from breachdesk.model.incident import AlertView, TimelineItem, TimelineKind

from .conftest import T0


def _item(hours: float, kind: TimelineKind) -> TimelineItem:
    return TimelineItem(1, "INC-1", T0 + timedelta(hours=hours), kind, "text", "a", None)


def test_empty_timeline_has_no_chart() -> None:
    assert timeline_chart([], []) is None


def test_markers_fall_inside_the_plot_in_their_lanes() -> None:
    alert = AlertView("A1", "high", (), (), (), T0, T0 + timedelta(hours=2), 10, 5)
    items = [_item(0, TimelineKind.FIRST_EVENT), _item(50, TimelineKind.ANALYST)]
    chart = timeline_chart(items, [alert])
    assert chart is not None
    assert [lane.label for lane in chart.lanes] == ["Malicious activity", "Analysts"]
    xs = [m.x for m in chart.markers]
    assert xs == [LEFT, WIDTH - RIGHT]
    assert chart.markers[1].y == chart.lanes[1].y
    (span,) = chart.spans
    assert LEFT <= span.x1 < span.x2 < WIDTH - RIGHT
    assert [t.anchor for t in chart.ticks] == ["start", "middle", "middle", "middle", "end"]
    assert chart.ticks[0].label == "03 Nov 01:00"


def test_single_moment_gets_a_window() -> None:
    chart = timeline_chart([_item(0, TimelineKind.CASE)], [])
    assert chart is not None
    assert chart.markers[0].x == LEFT + (WIDTH - LEFT - RIGHT) / 2
