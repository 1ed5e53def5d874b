"""The incident stage of ``breachdesk demo``: open the case from the stored alerts, put the
raw logs under custody, check them, and write the report and the exports.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from breachdesk.demo.stages import StageOutcome
from breachdesk.incident.cases import open_incident, show_incident
from breachdesk.incident.evidence import add_evidence, verify_evidence
from breachdesk.incident.exports import ExportFormat, export_incident
from breachdesk.incident.report import write_report
from breachdesk.store.tables import Alert
from breachdesk.workspace import Workspace

ACTOR = "breachdesk-demo"
PLAYBOOK = "customer-data-exfiltration"
SERIOUS = ("high", "critical")


def incident_stage(workspace: Workspace) -> StageOutcome:
    """Open an incident from the unassigned serious alerts (or without, saying so) and
    document it; lower-severity alerts stay unassigned for an analyst to triage."""
    now = datetime.now(UTC)
    with workspace.store.session() as session:
        unassigned = session.scalars(
            select(Alert).where(Alert.incident_id.is_(None)).order_by(Alert.start)
        ).all()
        alerts = [a for a in unassigned if a.severity in SERIOUS]
        left = len(unassigned) - len(alerts)
        alert_ids = [a.id for a in alerts]
        principals = sorted({p for a in alerts for p in a.principals})
        ips = sorted({ip for a in alerts for ip in a.src_ips})
    lines: list[str] = []
    if alert_ids:
        case = open_incident(
            workspace,
            title="Bulk extraction of customer records",
            actor=ACTOR,
            alert_ids=alert_ids,
            aware_at=now,
            aware_reason=(
                f"the demo reviewed {len(alert_ids)} detection alert(s) showing customer "
                "records read in bulk and treats the breach as confirmed"
            ),
            playbook=PLAYBOOK,
            now=now,
        )
        lines.append(
            f"Opened {case.id} from {len(alert_ids)} high or critical alert(s): principals "
            f"{', '.join(principals[:5]) or 'none'}; {len(ips)} source address(es); "
            f"{left} lower-severity alert(s) left for triage"
        )
    else:
        case = open_incident(
            workspace,
            title="Suspected customer data exfiltration (no detection alerts stored)",
            actor=ACTOR,
            playbook=PLAYBOOK,
            now=now,
        )
        lines.append(
            f"No alerts in the store, so {case.id} was opened without them: its timeline "
            "has no malicious events and aware_at is not set"
        )
    logs = workspace.root / "logs"
    files = sorted(p for p in logs.rglob("*") if p.is_file()) if logs.is_dir() else []
    stored = 0
    for file in files:
        item = add_evidence(
            workspace,
            case.id,
            file,
            actor=ACTOR,
            description=f"raw log {file.relative_to(workspace.root)}",
        )
        stored += item.size
    verified = verify_evidence(workspace, case.id, actor=ACTOR)
    if files:
        state = "all intact" if verified.ok else "SOME CHANGED OR MISSING"
        lines.append(
            f"{len(files)} raw log file(s), {stored / 1e6:,.1f} MB, stored as evidence and "
            f"re-hashed: {state}"
        )
    else:
        lines.append("No raw logs under logs/ to put under custody")
    reports = workspace.path("reports")
    reports.mkdir(parents=True, exist_ok=True)
    written = {
        "report_html": write_report(
            workspace, case.id, reports / f"{case.id}-report.html", actor=ACTOR
        ),
        "report_pdf": write_report(
            workspace, case.id, reports / f"{case.id}-report.pdf", actor=ACTOR
        ),
        "veris": export_incident(
            workspace, case.id, ExportFormat.VERIS, reports / f"{case.id}-veris.json", actor=ACTOR
        ),
        "stix": export_incident(
            workspace, case.id, ExportFormat.STIX, reports / f"{case.id}-stix.json", actor=ACTOR
        ),
        "timesketch": export_incident(
            workspace,
            case.id,
            ExportFormat.TIMESKETCH,
            reports / f"{case.id}-timeline.jsonl",
            actor=ACTOR,
        ),
    }
    final = show_incident(workspace, case.id)
    lines.append(
        f"Timeline {final.counts['timeline']} entries, {final.counts['tasks']} tasks; report "
        f"and VERIS, STIX, Timesketch exports in {_relative(reports, workspace.root)}"
    )
    return StageOutcome(
        "done",
        lines,
        {
            "incident": case.id,
            "alerts": len(alert_ids),
            "timeline_entries": final.counts["timeline"],
            "tasks": final.counts["tasks"],
            "evidence_files": len(files),
            "evidence_bytes": stored,
            "evidence_intact": verified.ok,
            "files": {name: w.path for name, w in written.items()},
        },
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
