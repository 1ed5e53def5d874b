from __future__ import annotations

import json
from pathlib import Path

import stix2

from breachdesk.demo.stages import demo_stages
from breachdesk.incident import list_entries, validate_veris
from breachdesk.incident.demo import incident_stage
from breachdesk.workspace import Workspace

from .conftest import VERIS_SCHEMA, add_alert


def _logs(ws: Workspace) -> None:
    for rel, text in {
        "logs/nginx/access-2026-11-03.log": (
            '203.0.113.7 - - [03/Nov/2026:02:14:07 +0100] "GET /api/v1/customers?page=2 '
            'HTTP/1.1" 200 5120 "-" "python-requests"\n'
        ),
        "logs/gateway/gateway-2026-11-03.jsonl": (
            '{"ts": "2026-11-03T01:14:07.123Z", "principal": "agent:jmartin"}\n'
        ),
    }.items():
        path = ws.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_stage_is_wired_into_the_demo() -> None:
    stage = {s.name: s for s in demo_stages()}["incident"]
    assert stage.run is incident_stage


def test_demo_stage_opens_documents_and_exports(sqlite_workspace: Workspace) -> None:
    add_alert(sqlite_workspace, "A1")
    add_alert(sqlite_workspace, "A2", principals=("db:support_ro",), ips=())
    _logs(sqlite_workspace)
    outcome = incident_stage(sqlite_workspace)
    assert outcome.status == "done"
    figures = outcome.figures
    assert figures["alerts"] == 2
    assert figures["evidence_files"] == 2
    assert figures["evidence_intact"] is True
    assert figures["tasks"] == 11
    files = figures["files"]
    assert isinstance(files, dict)
    assert set(files) == {"report_html", "report_pdf", "veris", "stix", "timesketch"}
    assert Path(files["report_pdf"]).read_bytes().startswith(b"%PDF")
    stix2.parse(Path(files["stix"]).read_text(), allow_custom=False)
    if VERIS_SCHEMA.is_file():
        assert validate_veris(json.loads(Path(files["veris"]).read_text()), VERIS_SCHEMA) == []
    incident = str(figures["incident"])
    kinds = {e.kind.value for e in list_entries(sqlite_workspace, incident)}
    assert {"first-malicious-event", "last-malicious-event", "evidence", "case"} <= kinds
    assert "Opened" in outcome.lines[0]
    assert "2 high or critical alert(s)" in outcome.lines[0]


def test_demo_stage_without_alerts_says_so(sqlite_workspace: Workspace) -> None:
    outcome = incident_stage(sqlite_workspace)
    assert outcome.status == "done"
    assert outcome.figures["alerts"] == 0
    assert "No alerts in the store" in outcome.lines[0]
    assert "No raw logs" in outcome.lines[1]
