"""The demo's detect stage: run detection on the ingested demo events and summarise it."""

from __future__ import annotations

import re
from collections import Counter

from breachdesk.demo.stages import StageOutcome
from breachdesk.detect.pipeline import run_detection
from breachdesk.workspace import Workspace

# The demo printer renders these lines; principals come from logs, so no control characters.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def detect_stage(workspace: Workspace) -> StageOutcome:
    """Detect on the demo workspace; lines name the high and critical alerts."""
    report = run_detection(workspace)
    counts = Counter(str(alert.severity) for alert in report.alerts)
    lines = [
        f"{len(report.alerts)} alerts from {report.events} person-data events on "
        f"{report.engine} in {report.seconds:.1f} s: "
        + ", ".join(f"{counts[level]} {level}" for level in ("critical", "high", "medium", "low"))
    ]
    for alert in report.alerts:
        if alert.severity.rank < 2:
            continue
        who = _clean(", ".join(alert.principals))
        where = _clean(", ".join(alert.src_ips[:4])) or "no address logged"
        lines.append(
            f"{alert.severity} {alert.id}: {who} from {where}, "
            f"{alert.start:%Y-%m-%d %H:%M} to {alert.end:%Y-%m-%d %H:%M} UTC, "
            f"{alert.events} events, {alert.objects} objects ({', '.join(alert.detectors)})"
        )
    for error in report.rule_errors:
        lines.append(f"rule skipped: {_clean(error)}")
    return StageOutcome(
        status="done",
        lines=lines,
        figures={
            "alerts": len(report.alerts),
            "by_severity": dict(counts),
            "events": report.events,
            "seconds": round(report.seconds, 3),
        },
    )


def _clean(text: str) -> str:
    return _CONTROL.sub("?", text)[:300]
