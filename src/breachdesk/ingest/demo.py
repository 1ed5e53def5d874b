"""The demo's ingest stage: every log source of the demo workspace into events."""

from __future__ import annotations

from breachdesk.demo.stages import StageOutcome, Status
from breachdesk.errors import BreachdeskError
from breachdesk.ingest.pipeline import ingest_configured
from breachdesk.workspace import Workspace


def ingest_stage(workspace: Workspace) -> StageOutcome:
    """Ingest the sources configured in the demo's ``breachdesk.toml``."""
    try:
        report = ingest_configured(workspace)
    except BreachdeskError as exc:
        return StageOutcome("failed", [str(exc)])
    by_source: dict[str, int] = {}
    for result in report.results:
        by_source[result.source] = by_source.get(result.source, 0) + result.events
    lines = [
        f"{report.events:,} events from {report.files} log file(s) "
        f"({report.bytes / 1e6:,.1f} MB in {report.seconds:.1f} s)",
        "by source: " + ", ".join(f"{name} {count:,}" for name, count in sorted(by_source.items())),
    ]
    if report.rejected:
        reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(report.reasons.items()))
        lines.append(f"{report.rejected:,} line(s) rejected and kept aside: {reasons}")
    if report.already_ingested:
        lines.append(f"{report.already_ingested} file(s) were already ingested")
    status: Status = "failed" if report.problems else "done"
    lines.extend(f"{p.file}:{p.line}: {p.message}" for p in report.problems)
    figures: dict[str, object] = {**report.as_json(), "by_source": by_source}
    return StageOutcome(status, lines, figures)
