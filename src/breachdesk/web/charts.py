"""Server-drawn SVG charts of the incident page: the timeline and the scope bar charts.

No chart library and no inline style or script (the CSP is ``default-src 'self'``): shapes
carry classes styled by ``static/incident.css``, tooltips are SVG ``<title>`` elements, and
``static/timeline.js`` adds filtering, zoom and hover details from ``data-*`` attributes.
Every text, attribute and tooltip goes through markupsafe's escaping, since timeline
entries and country codes come from logs and source databases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from markupsafe import Markup, escape

from breachdesk.model.incident import TimelineItem, TimelineKind

# Lanes top to bottom: the attack, what stopped it, then the case's own record.
KIND_ORDER = (
    TimelineKind.FIRST_EVENT,
    TimelineKind.LAST_EVENT,
    TimelineKind.CONTAINMENT,
    TimelineKind.CASE,
    TimelineKind.ANALYST,
    TimelineKind.EVIDENCE,
)
KIND_LABELS = {
    TimelineKind.FIRST_EVENT: "First malicious event",
    TimelineKind.LAST_EVENT: "Last malicious event",
    TimelineKind.CONTAINMENT: "Containment",
    TimelineKind.CASE: "Case",
    TimelineKind.ANALYST: "Analysts",
    TimelineKind.EVIDENCE: "Evidence",
}

WIDTH = 960
LEFT = 170
RIGHT = 24
TOP = 34
# Baselines of the two rows of marker labels above the lanes (aware/now, then deadlines).
LABEL_ROWS = (11, 24)
LANE = 28
AXIS = 34
TICKS = 6
TOOLTIP_CHARS = 300

BAR_WIDTH = 560  # about the width of half a page, so labels print near 12px
BAR_ROW = 22
BAR_LABEL = 205
BAR_COUNT = 60
BAR_LIMIT = 15
_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9:-]*")


@dataclass(frozen=True)
class Label:
    """A marker's label above the plot: which row, and on which side of the line."""

    text: str
    y: int
    anchor: str = "middle"
    dx: int = 0


@dataclass(frozen=True)
class DeadlineMark:
    """A deadline drawn on the timeline (an obligation's ``jurisdiction recipient``)."""

    at: datetime
    label: str


def tag(name: str, attrs: dict[str, object] | None = None, *children: Markup | str) -> Markup:
    """``<name attr="…">children</name>``; attribute values and string children escaped."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not an element name: {name!r}")
    parts = [f"<{name}"]
    for key, value in (attrs or {}).items():
        if value is None or value is False:
            continue
        if not _NAME.fullmatch(key):
            raise ValueError(f"not an attribute name: {key!r}")
        parts.append(f' {key}="{escape(str(value))}"')
    if children:
        # escape() leaves Markup (an element built here) as it is and escapes plain text.
        parts.append(">")
        parts.extend(str(escape(child)) for child in children)
        parts.append(f"</{name}>")
    else:
        parts.append("/>")
    # Safe to mark: names are checked above and every value and text went through escape().
    return Markup("".join(parts))  # noqa: S704


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _tick_label(moment: datetime, span_seconds: float) -> str:
    # The same two formats timeline.js uses when it redraws the axis after a zoom.
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%d") if span_seconds > 3 * 86400 else utc.strftime("%m-%d %H:%M")


def timeline_svg(
    entries: Sequence[TimelineItem],
    *,
    aware_at: datetime | None = None,
    deadlines: Sequence[DeadlineMark] = (),
    now: datetime | None = None,
    chart_id: str = "timeline-chart",
) -> Markup:
    """The timeline: one lane per kind of entry on a shared UTC axis, with the moment of
    awareness, the deadlines and now as vertical markers. Empty Markup without entries."""
    if not entries:
        return Markup("")
    moments = [e.at for e in entries] + [d.at for d in deadlines]
    moments += [aware_at] if aware_at is not None else []
    start, end = min(moments), max(moments)
    if end - start < timedelta(minutes=2):
        start, end = start - timedelta(hours=1), end + timedelta(hours=1)
    pad = (end - start) * 0.02
    start, end = start - pad, end + pad
    span = (end - start).total_seconds()
    plot_right = WIDTH - RIGHT
    plot = plot_right - LEFT

    def x_of(moment: datetime) -> float:
        return round(LEFT + plot * (moment - start).total_seconds() / span, 1)

    present = {e.kind for e in entries}
    kinds = [k for k in KIND_ORDER if k in present]
    lane_y = {k: TOP + LANE * n + LANE / 2 for n, k in enumerate(kinds)}
    axis_y = TOP + LANE * len(kinds) + 4
    height = int(axis_y + AXIS)

    lanes = Markup("").join(
        tag(
            "g",
            {"class": "lane", "data-kind": kind.value},
            tag(
                "line",
                {"class": "lane-line", "x1": LEFT, "x2": plot_right, "y1": y, "y2": y},
            ),
            tag(
                "text",
                {"class": "lane-label", "x": LEFT - 8, "y": y + 4, "text-anchor": "end"},
                KIND_LABELS[kind],
            ),
        )
        for kind, y in lane_y.items()
    )
    ticks = Markup("").join(
        _tick(x_of(moment), axis_y, _tick_label(moment, span), n)
        for n, moment in enumerate(start + (end - start) * n / (TICKS - 1) for n in range(TICKS))
    )
    axis = tag(
        "g",
        {"class": "axis"},
        tag(
            "line", {"class": "axis-line", "x1": LEFT, "x2": plot_right, "y1": axis_y, "y2": axis_y}
        ),
        ticks,
    )
    marks: list[Markup] = []
    if aware_at is not None:
        title = f"Aware at {utc_text(aware_at)}: the regulatory clocks start"
        label = Label("aware", LABEL_ROWS[0], "end", -3)
        marks.append(_rule(x_of(aware_at), axis_y, "mark mark-aware", aware_at, title, label))
    for n, deadline in enumerate(sorted(deadlines, key=lambda d: d.at)):
        late = now is not None and deadline.at < now
        title = f"Deadline {utc_text(deadline.at)}: {deadline.label}" + (
            " (overdue)" if late else ""
        )
        # Only the nearest deadline is labelled: the others would print over each other.
        due = Label("due", LABEL_ROWS[1]) if n == 0 else None
        css = "mark mark-deadline" + (" overdue" if late else "")
        marks.append(_rule(x_of(deadline.at), axis_y, css, deadline.at, title, due))
    if now is not None and start <= now <= end:
        here = Label("now", LABEL_ROWS[0], "start", 3)
        marks.append(_rule(x_of(now), axis_y, "mark mark-now", now, f"Now: {utc_text(now)}", here))
    dots = Markup("").join(
        tag(
            "circle",
            {
                "class": f"entry kind-{entry.kind.value}",
                "cx": x_of(entry.at),
                "cy": lane_y[entry.kind],
                "r": 5,
                "tabindex": 0,
                "data-t": _epoch(entry.at),
                "data-kind": entry.kind.value,
                "data-entry": entry.id,
            },
            tag("title", None, _tooltip(entry)),
        )
        for entry in entries
    )
    summary = (
        f"Timeline: {len(entries):,} entries from {utc_text(min(e.at for e in entries))} "
        f"to {utc_text(max(e.at for e in entries))}"
    )
    return tag(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "id": chart_id,
            "class": "chart timeline-chart",
            "data-test": "timeline-chart",
            "viewBox": f"0 0 {WIDTH} {height}",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title",
            "data-start": _epoch(start),
            "data-end": _epoch(end),
            "data-left": LEFT,
            "data-right": plot_right,
            "data-axis-y": axis_y,
        },
        tag("title", {"id": f"{chart_id}-title"}, summary),
        tag("g", {"class": "lanes"}, lanes),
        axis,
        tag("g", {"class": "marks"}, *marks),
        tag("g", {"class": "entries"}, dots),
    )


def _tick(x: float, axis_y: float, label: str, n: int) -> Markup:
    anchor = "start" if n == 0 else ("end" if n == TICKS - 1 else "middle")
    return tag(
        "g",
        {"class": "tick"},
        tag("line", {"class": "tick-line", "x1": x, "x2": x, "y1": axis_y, "y2": axis_y + 5}),
        tag(
            "text",
            {"class": "tick-label", "x": x, "y": axis_y + 18, "text-anchor": anchor},
            label,
        ),
    )


def _rule(
    x: float, axis_y: float, css: str, at: datetime, title: str, label: Label | None
) -> Markup:
    text = (
        tag("text", {"x": x, "y": label.y, "dx": label.dx, "text-anchor": label.anchor}, label.text)
        if label
        else Markup("")
    )
    return tag(
        "g",
        {"class": css, "data-t": _epoch(at)},
        tag("line", {"x1": x, "x2": x, "y1": LABEL_ROWS[0] + 2, "y2": axis_y}),
        text,
        tag("title", None, title),
    )


def _tooltip(entry: TimelineItem) -> str:
    text = " ".join(entry.text.split())
    if len(text) > TOOLTIP_CHARS:
        text = text[: TOOLTIP_CHARS - 1] + "…"
    return f"{utc_text(entry.at)} · {KIND_LABELS[entry.kind]} · {entry.actor}\n{text}"


def bar_chart_svg(
    counts: Sequence[tuple[str, int]],
    *,
    chart_id: str,
    title: str,
    noun: str = "persons",
    label_of: Callable[[str], str] | None = None,
    limit: int = BAR_LIMIT,
) -> Markup:
    """Horizontal bars, largest first; beyond ``limit`` rows the rest are one "other" bar.
    Empty Markup when there is nothing to count."""
    rows = sorted(
        ((str(k), int(v)) for k, v in counts if int(v) > 0), key=lambda kv: (-kv[1], kv[0])
    )
    if not rows:
        return Markup("")
    shown = rows[:limit]
    rest = rows[limit:]
    total = sum(v for _, v in rows)
    drawn: list[tuple[str, str, int, bool]] = [
        (key, label_of(key) if label_of else key, value, False) for key, value in shown
    ]
    if rest:
        drawn.append(("", f"{len(rest):,} others", sum(v for _, v in rest), True))
    biggest = max(v for _, _, v, _ in drawn)
    bar_space = BAR_WIDTH - BAR_LABEL - BAR_COUNT
    height = TOP + BAR_ROW * len(drawn) + 8
    bars: list[Markup] = []
    for n, (key, label, value, other) in enumerate(drawn):
        y = TOP + BAR_ROW * n
        width = max(1.0, round(bar_space * value / biggest, 1))
        share = 100 * value / total
        bars.append(
            tag(
                "g",
                {"class": "bar" + (" bar-other" if other else ""), "data-key": key},
                tag(
                    "text",
                    {"class": "bar-label", "x": BAR_LABEL - 8, "y": y + 15, "text-anchor": "end"},
                    label,
                ),
                tag(
                    "rect",
                    {
                        "class": "bar-fill",
                        "x": BAR_LABEL,
                        "y": y + 3,
                        "width": width,
                        "height": BAR_ROW - 6,
                    },
                ),
                tag(
                    "text",
                    {"class": "bar-count", "x": BAR_LABEL + width + 6, "y": y + 15},
                    f"{value:,}",
                ),
                tag("title", None, f"{label}: {value:,} {noun} ({share:.1f}%)"),
            )
        )
    return tag(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "id": chart_id,
            "class": "chart bar-chart",
            "data-test": chart_id,
            "viewBox": f"0 0 {BAR_WIDTH} {height}",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title",
        },
        tag("title", {"id": f"{chart_id}-title"}, f"{title}: {total:,} {noun}"),
        tag("text", {"class": "chart-heading", "x": 0, "y": 14}, title),
        *bars,
    )
