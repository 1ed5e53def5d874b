"""The inventory stage of ``breachdesk demo``: scan the person source, store the data map,
and check the findings against the generator's planted breaks when ``truth.json`` is there.
"""

from __future__ import annotations

import json
from pathlib import Path

from breachdesk.demo.stages import StageOutcome
from breachdesk.inventory.datamap import store_scan
from breachdesk.inventory.results import ScanReport
from breachdesk.inventory.scan import scan_sources
from breachdesk.workspace import Workspace


def inventory_stage(workspace: Workspace) -> StageOutcome:
    """Scan ``person_source.url`` read-only, store the data map, summarise the findings."""
    settings = workspace.settings.person_source
    if not settings.url:
        return StageOutcome("failed", ["person_source.url is not set in breachdesk.toml"])
    url = workspace.resolve_url(settings.url)
    report = scan_sources([url], primary_tables=[settings.table])
    store_scan(workspace.store, report, actor="demo")
    summary = report.summary()
    lines = [
        f"Scanned {summary['tables']} tables, {summary['columns']} columns in "
        f"{report.seconds:.2f} s: {summary['personal_columns']} columns hold personal data.",
    ]
    for table in report.tables:
        found = sorted(table.categories())
        if found:
            lines.append(f"  {table.table}: {', '.join(c.value for c in found)}")
    lines.append(
        f"Segmentation findings: {len(report.findings)} "
        f"({', '.join(f'{k} {v}' for k, v in summary['findings'].items() if v) or 'none'})"
    )
    for finding in report.findings:
        lines.append(
            f"  {finding.severity:8s} {finding.rule:26s} {finding.table}: "
            f"{', '.join(finding.columns)}  [{finding.reference}]"
        )
    figures: dict[str, object] = {"summary": summary}
    truth = _truth(workspace.root / "truth.json")
    if truth is not None:
        hit, missed, extra = compare_with_truth(report, truth)
        figures["planted_breaks"] = {"found": hit, "missed": missed, "unexpected": extra}
        lines.append(
            f"Planted breaks found: {len(hit)}/{len(hit) + len(missed)}"
            + (f"; missed: {', '.join(missed)}" if missed else "")
        )
    return StageOutcome("done", lines, figures)


def _truth(path: Path) -> list[dict[str, object]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    breaks = data.get("segmentation_breaks") if isinstance(data, dict) else None
    return breaks if isinstance(breaks, list) else None


def compare_with_truth(
    report: ScanReport, breaks: list[dict[str, object]]
) -> tuple[list[str], list[str], list[str]]:
    """Planted breaks found and missed (``rule table``), and findings on no planted table."""
    got = {(f.rule, f.table) for f in report.findings}
    found: list[str] = []
    missed: list[str] = []
    planted_tables = set()
    for item in breaks:
        key = (str(item.get("rule")), str(item.get("table")))
        planted_tables.add(key[1])
        (found if key in got else missed).append(f"{key[0]} {key[1]}")
    extra = sorted(f"{r} {t}" for r, t in got if t not in planted_tables)
    return found, missed, extra
