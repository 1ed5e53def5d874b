"""The scan as an HTML page (Jinja2, autoescaped: table and column names are untrusted)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from breachdesk.errors import UserInputError
from breachdesk.inventory.results import ScanReport


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("breachdesk.inventory", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: ScanReport) -> str:
    """The report page for ``report``."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        scan_id=report.scan_id,
        started_at=report.started_at.isoformat(timespec="seconds"),
        sample_size=report.sample_size,
        sources=report.sources,
        summary=report.summary(),
        findings=report.findings,
        tables=report.tables,
        show_examples=report.show_examples,
    )


def write_html(report: ScanReport, path: Path) -> Path:
    """Write the report page to ``path``; UserInputError when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_html(report), encoding="utf-8")
    except OSError as exc:
        raise UserInputError(
            f"cannot write the HTML report: {exc.strerror or exc}", path=path
        ) from None
    return path
