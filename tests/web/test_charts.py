"""The incident page's SVG charts: well-formed, escaped, positioned, and free of inline code."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from breachdesk.model.incident import TimelineItem, TimelineKind
from breachdesk.web.charts import (
    LEFT,
    WIDTH,
    DeadlineMark,
    bar_chart_svg,
    tag,
    timeline_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">&amp;'


def entry(n: int, at: datetime, kind: TimelineKind, text: str = "note") -> TimelineItem:
    return TimelineItem(n, "INC-2026-0001", at, kind, text, "analyst-1", None)


def child(element: ET.Element, name: str) -> ET.Element:
    """The first SVG child ``name`` of ``element``, which must have one."""
    found = element.find(f"{SVG}{name}")
    assert found is not None, f"no <{name}> in <{element.tag}>"
    return found


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_tag_escapes_attribute_values_and_text() -> None:
    out = tag("text", {"x": 1, "data-v": '"><script>'}, "<b>&")
    assert str(out) == '<text x="1" data-v="&#34;&gt;&lt;script&gt;">&lt;b&gt;&amp;</text>'


def test_tag_refuses_names_that_are_not_names() -> None:
    with pytest.raises(ValueError, match="not an element name"):
        tag("g onload=alert(1)")
    with pytest.raises(ValueError, match="not an attribute name"):
        tag("g", {"x onclick": "1"})


def test_timeline_svg_is_empty_without_entries() -> None:
    assert str(timeline_svg([])) == ""


def test_timeline_svg_draws_one_dot_per_entry_in_time_order() -> None:
    items = [
        entry(1, T0, TimelineKind.FIRST_EVENT),
        entry(2, T0 + timedelta(hours=2), TimelineKind.LAST_EVENT),
        entry(3, T0 + timedelta(hours=5), TimelineKind.ANALYST),
        entry(4, T0 + timedelta(hours=9), TimelineKind.EVIDENCE),
    ]
    root = parse(timeline_svg(items))
    dots = root.findall(f".//{SVG}circle")
    assert [d.get("data-entry") for d in dots] == ["1", "2", "3", "4"]
    xs = [float(d.get("cx", "0")) for d in dots]
    assert xs == sorted(xs)
    assert xs[0] > LEFT
    assert xs[-1] < WIDTH
    assert {d.get("data-kind") for d in dots} == {
        "first-malicious-event",
        "last-malicious-event",
        "analyst",
        "evidence",
    }
    # One lane per kind present, none for the kinds absent.
    lanes = [g.get("data-kind") for g in root.iter(f"{SVG}g") if g.get("class") == "lane"]
    assert lanes == ["first-malicious-event", "last-malicious-event", "analyst", "evidence"]
    # data-t is the entry's time, which the script uses to redraw after a zoom.
    assert int(dots[2].get("data-t", "0")) == int((T0 + timedelta(hours=5)).timestamp())


def test_timeline_svg_marks_awareness_deadlines_and_now() -> None:
    aware = T0 + timedelta(days=1)
    deadlines = [
        DeadlineMark(aware + timedelta(hours=72), "FR authority (GDPR Art. 33)"),
        DeadlineMark(aware - timedelta(hours=1), "XX individuals"),
    ]
    now = aware + timedelta(hours=5)
    root = parse(
        timeline_svg(
            [entry(1, T0, TimelineKind.FIRST_EVENT)], aware_at=aware, deadlines=deadlines, now=now
        )
    )
    marks = {g.get("class"): g for g in root.iter(f"{SVG}g") if "mark" in (g.get("class") or "")}
    assert "mark mark-aware" in marks
    assert "mark mark-now" in marks
    titles = [
        "".join(child(g, "title").itertext())
        for g in root.iter(f"{SVG}g")
        if "mark-deadline" in (g.get("class") or "")
    ]
    assert len(titles) == 2
    assert any("FR authority (GDPR Art. 33)" in t and "overdue" not in t for t in titles)
    assert any("XX individuals" in t and "(overdue)" in t for t in titles)
    overdue = [g for g in root.iter(f"{SVG}g") if g.get("class") == "mark mark-deadline overdue"]
    assert len(overdue) == 1
    # The chart's domain reaches the latest deadline.
    assert int(root.get("data-end", "0")) >= int((aware + timedelta(hours=72)).timestamp())


def test_timeline_svg_escapes_entry_text_from_logs() -> None:
    svg = str(timeline_svg([entry(1, T0, TimelineKind.FIRST_EVENT, HOSTILE)]))
    assert "<script>" not in svg
    assert "<img" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "&amp;amp;" in svg
    root = parse(svg)
    title = root.find(f".//{SVG}circle/{SVG}title")
    assert title is not None
    assert HOSTILE in (title.text or "")


def test_timeline_svg_tooltips_are_capped() -> None:
    root = parse(timeline_svg([entry(1, T0, TimelineKind.ANALYST, "x" * 5000)]))
    title = root.find(f".//{SVG}circle/{SVG}title")
    assert title is not None
    assert len(title.text or "") < 400


def test_charts_have_no_inline_style_or_script() -> None:
    charts = [
        timeline_svg([entry(1, T0, TimelineKind.CASE, HOSTILE)], aware_at=T0, now=T0),
        bar_chart_svg([(HOSTILE, 3)], chart_id="c", title=HOSTILE),
    ]
    for chart in charts:
        elements = list(parse(chart).iter())
        names = {e.tag.removeprefix(SVG) for e in elements}
        assert not names & {"script", "style", "foreignObject", "a", "image"}
        for element in elements:
            for attribute in element.attrib:
                assert attribute != "style"
                assert not attribute.startswith("on"), attribute


def test_bar_chart_bars_are_proportional_and_sorted() -> None:
    root = parse(
        bar_chart_svg([("US", 10), ("FR", 40), ("GB", 20), ("ZZ", 0)], chart_id="by", title="t")
    )
    bars = [g for g in root.iter(f"{SVG}g") if "bar" in (g.get("class") or "").split()]
    assert [b.get("data-key") for b in bars] == ["FR", "GB", "US"]
    widths = [float(child(b, "rect").get("width", "0")) for b in bars]
    assert widths[0] == pytest.approx(2 * widths[1], rel=0.01)
    assert widths[0] == pytest.approx(4 * widths[2], rel=0.01)
    tips = ["".join(child(b, "title").itertext()) for b in bars]
    assert tips[0] == "FR: 40 persons (57.1%)"


def test_bar_chart_folds_the_tail_into_one_bar() -> None:
    counts = [(f"C{n:02d}", 100 - n) for n in range(20)]
    root = parse(bar_chart_svg(counts, chart_id="by", title="t", limit=5))
    bars = [g for g in root.iter(f"{SVG}g") if "bar" in (g.get("class") or "").split()]
    assert len(bars) == 6
    other = bars[-1]
    assert "bar-other" in (other.get("class") or "")
    assert "".join(other.itertext()).startswith("15 others")
    total = sum(v for _, v in counts[5:])
    assert f"{total:,}" in "".join(other.itertext())


def test_bar_chart_escapes_labels_and_is_empty_without_counts() -> None:
    svg = str(bar_chart_svg([(HOSTILE, 2)], chart_id="by", title="<b>t</b>"))
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert parse(svg).get("id") == "by"
    assert str(bar_chart_svg([], chart_id="by", title="t")) == ""
    assert str(bar_chart_svg([("FR", 0)], chart_id="by", title="t")) == ""
