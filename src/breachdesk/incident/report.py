"""The incident report: one self-contained HTML page (and its PDF) for executives,
regulators, insurers and police.

Jinja2 renders it with autoescaping on: principals, addresses, file names and notes come
from attackers or analysts and are always escaped. The page references nothing outside
itself (no script, fonts, images or styles to fetch); the PDF renderer is also given a
fetcher that refuses every URL, so rendering works offline and leaks nothing.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from breachdesk import __version__
from breachdesk.errors import UserInputError
from breachdesk.incident.chart import timeline_chart
from breachdesk.incident.clock import clock_text
from breachdesk.incident.exports import record_written, write_atomically
from breachdesk.incident.mutation import check_actor
from breachdesk.incident.snapshot import take_snapshot
from breachdesk.incident.times import duration_text, iso
from breachdesk.incident.timesketch import TIMESTAMP_DESC
from breachdesk.model import Category
from breachdesk.model.incident import IncidentSnapshot, TimelineKind, WrittenFile
from breachdesk.workspace import Workspace

_ENV = Environment(
    loader=PackageLoader("breachdesk.incident", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: datetime | None) -> str | None:
    """ISO 8601 UTC to the second: microseconds only make a printed report harder to read."""
    return iso(value.replace(microsecond=0)) if value is not None else None


_ENV.filters["iso"] = _when


@dataclass(frozen=True)
class KeyFact:
    label: str
    value: str


def render_html(snapshot: IncidentSnapshot) -> str:
    """The report page as HTML text."""
    template = _ENV.get_template("report.html.j2")
    return template.render(**_context(snapshot))


def render_pdf(html: str) -> bytes:
    """The report page rendered as PDF by WeasyPrint, without fetching anything."""
    with warnings.catch_warnings():
        # WeasyPrint warns at import when the system lacks HarfBuzz-Subset; PDFs still work.
        warnings.filterwarnings("ignore", message=".*HarfBuzz", category=DeprecationWarning)
        import weasyprint

    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_offline_fetcher())
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def write_report(
    workspace: Workspace,
    incident_id: str,
    out: Path,
    *,
    actor: str,
    now: datetime | None = None,
) -> WrittenFile:
    """Write the report to ``out`` (``.html`` or ``.pdf``) and audit-log it."""
    actor = check_actor(actor)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise UserInputError(f"--out {out} must end in .html or .pdf")
    snapshot = take_snapshot(workspace, incident_id, now=now)
    html = render_html(snapshot)
    if suffix == ".pdf":
        pdf = render_pdf(html)

        def writer(path: Path) -> None:
            path.write_bytes(pdf)

        fmt = "pdf"
    else:

        def writer(path: Path) -> None:
            path.write_text(html, encoding="utf-8")

        fmt = "html"
    written = write_atomically(out, writer, incident_id=incident_id, fmt=fmt)
    record_written(workspace, written, actor=actor, action="incident.report", snapshot=snapshot)
    return written


def executive_summary(snapshot: IncidentSnapshot) -> list[str]:
    """A few plain sentences: what happened, how big, where the response stands."""
    case = snapshot.case.summary
    lines: list[str] = []
    alerts = snapshot.alerts
    if alerts:
        start = min(a.start for a in alerts)
        end = max(a.end for a in alerts)
        principals = sorted({p for a in alerts for p in a.principals})
        ips = sorted({ip for a in alerts for ip in a.src_ips})
        events = sum(a.events for a in alerts)
        objects = sum(a.objects for a in alerts)
        lines.append(
            f"Detection found bulk reading of customer records between {_when(start)} and "
            f"{_when(end)} ({duration_text(int((end - start).total_seconds()))}): {events:,} "
            f"requests or statements touching {objects:,} records, by "
            f"{_few(principals, 'principal')} from {_few(ips, 'address', plural='addresses')}."
        )
    else:
        lines.append("No detection alert is attached to this incident.")
    if case.aware_at is not None:
        aware = snapshot.case.awareness
        why = f" ({aware.reason})" if aware is not None and aware.reason else ""
        lines.append(
            f"The organisation became aware that personal data was compromised at "
            f"{_when(case.aware_at)}{why}; the regulatory clocks run from then."
        )
    else:
        lines.append("The moment of awareness (aware_at) has not been recorded yet.")
    if snapshot.scope.persons:
        labels = [_category_label(c) for c in list(snapshot.scope.categories)[:6]]
        lines.append(
            f"{snapshot.scope.persons:,} customers are affected; the data taken includes "
            f"{', '.join(labels)}."
        )
    if case.contained_at is not None:
        lines.append(f"The incident was contained at {_when(case.contained_at)}.")
    done = sum(t.status.value == "done" for t in snapshot.tasks)
    lines.append(
        f"Response status: {case.status.value}, CSF function {case.function.value}; "
        f"{done} of {len(snapshot.tasks)} tasks done; {len(snapshot.evidence)} evidence "
        f"item(s) under custody."
    )
    if case.clock is not None:
        lines.append(f"Nearest notification deadline: {clock_text(case.clock)}.")
    return lines


def _context(snapshot: IncidentSnapshot) -> dict[str, Any]:
    case = snapshot.case
    summary = case.summary
    alerts = snapshot.alerts
    facts = [
        KeyFact("Incident", summary.id),
        KeyFact("Status", f"{summary.status.value} (CSF {summary.function.value})"),
        KeyFact("Opened", _when(summary.created_at) or ""),
    ]
    if case.awareness is not None:
        facts.append(
            KeyFact(
                "Aware at",
                f"{_when(case.awareness.at)}, recorded by {case.awareness.set_by} at "
                f"{_when(case.awareness.set_at)}: {case.awareness.reason}",
            )
        )
    if alerts:
        facts.append(KeyFact("First malicious event", _when(min(a.start for a in alerts)) or ""))
        facts.append(KeyFact("Last malicious event", _when(max(a.end for a in alerts)) or ""))
    if summary.contained_at is not None:
        facts.append(KeyFact("Contained at", _when(summary.contained_at) or ""))
    if summary.closed_at is not None:
        facts.append(KeyFact("Closed at", _when(summary.closed_at) or ""))
    return {
        "s": snapshot,
        "case": case,
        "summary": summary,
        "facts": facts,
        "executive": executive_summary(snapshot),
        "clock": clock_text(summary.clock) if summary.clock is not None else None,
        "chart": timeline_chart(snapshot.timeline, alerts),
        "kind_label": {k.value: TIMESTAMP_DESC[k] for k in TimelineKind},
        "categories": [
            (_category_label(name), count) for name, count in snapshot.scope.categories.items()
        ],
        "version": __version__,
        "generated": _when(snapshot.taken_at),
    }


def _category_label(name: str) -> str:
    try:
        return Category(name).info.label
    except ValueError:
        return name


def _few(values: list[str], noun: str, *, plural: str | None = None) -> str:
    if not values:
        return f"no recorded {plural or noun + 's'}"
    shown = ", ".join(values[:5])
    if len(values) > 5:
        return f"{len(values):,} {plural or noun + 's'} ({shown}, …)"
    return f"{noun if len(values) == 1 else plural or noun + 's'} {shown}"


def _offline_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses every URL."""
    from weasyprint import urls

    def refuse(url: str, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"the report fetches nothing; refused {url[:80]}")

    base = getattr(urls, "URLFetcher", None)
    if base is None:
        return refuse  # older WeasyPrint releases take a plain function

    class Offline(base):  # type: ignore[misc, valid-type]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return refuse(url)

    return Offline()
