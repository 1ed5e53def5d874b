"""The files the incident page hands out: the report and the exports, written by the incident
service (which audits each with its SHA-256) into ``.breachdesk/reports/web/``.

Each download is a new file that is kept: what was handed out, by whom and when stays on
disk with the hash the audit entry records, and two downloads at once cannot mix.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from breachdesk.incident import ExportFormat, export_incident, write_report
from breachdesk.workspace import Workspace

Maker = Callable[[Workspace, str, Path, str], object]


@dataclass(frozen=True)
class Download:
    """One file the incident page offers: its name, its type, and the service that writes it."""

    filename: str
    media_type: str
    make: Maker
    label: str


@dataclass(frozen=True)
class HandedOut:
    """A written download: the bytes to send, the name to send them under, and the copy kept."""

    data: bytes
    filename: str
    media_type: str
    kept: Path


def _report(workspace: Workspace, incident_id: str, out: Path, actor: str) -> object:
    return write_report(workspace, incident_id, out, actor=actor)


def _export(fmt: ExportFormat) -> Maker:
    def make(workspace: Workspace, incident_id: str, out: Path, actor: str) -> object:
        return export_incident(workspace, incident_id, fmt, out, actor=actor)

    return make


DOWNLOADS: dict[str, Download] = {
    "report-html": Download("report.html", "text/html; charset=utf-8", _report, "Report (HTML)"),
    "report-pdf": Download("report.pdf", "application/pdf", _report, "Report (PDF)"),
    "veris": Download(
        "veris.json", "application/json", _export(ExportFormat.VERIS), "VERIS 1.4 (JSON)"
    ),
    "stix": Download(
        "stix.json", "application/json", _export(ExportFormat.STIX), "STIX 2.1 bundle"
    ),
    "timesketch": Download(
        "timesketch.jsonl",
        "application/x-ndjson",
        _export(ExportFormat.TIMESKETCH),
        "Timesketch (JSON lines)",
    ),
    "timesketch-csv": Download(
        "timesketch.csv",
        "text/csv; charset=utf-8",
        _export(ExportFormat.TIMESKETCH),
        "Timesketch (CSV)",
    ),
}


def write_download(
    workspace: Workspace, incident_id: str, item: Download, *, user: str, actor: str
) -> HandedOut:
    """Write ``item`` for ``incident_id`` as ``user`` (audited by the service as ``actor``)."""
    folder = workspace.path("reports") / "web"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    # Account names are a-z, 0-9, '.', '_' and '-' (web/accounts.py), so safe in a file name.
    out = folder / f"{incident_id}-{stamp}-{user}-{secrets.token_hex(3)}-{item.filename}"
    item.make(workspace, incident_id, out, actor)
    return HandedOut(out.read_bytes(), f"{incident_id}-{item.filename}", item.media_type, out)
