"""The incident: the case, its regulatory clock, timeline, tasks, evidence custody, exports
and report. Every change is audit-logged; concurrent writers never lose an update.
"""

from breachdesk.incident.cases import (
    close_incident,
    list_incidents,
    open_incident,
    show_incident,
    update_incident,
)
from breachdesk.incident.clock import clock_text, nearest_deadline
from breachdesk.incident.errors import IncidentBusy, IncidentClosed, UnknownIncident
from breachdesk.incident.evidence import (
    add_evidence,
    custody_report,
    list_evidence,
    verify_evidence,
)
from breachdesk.incident.exports import ExportFormat, export_incident
from breachdesk.incident.playbooks import (
    Playbook,
    PlaybookSource,
    available_playbooks,
    find_playbook,
    load_playbook,
)
from breachdesk.incident.report import render_html, render_pdf, write_report
from breachdesk.incident.snapshot import take_snapshot
from breachdesk.incident.stix import INCIDENT_CORE, stix_bundle
from breachdesk.incident.tasks import apply_playbook, list_tasks, update_task
from breachdesk.incident.timeline import add_entry, list_entries
from breachdesk.incident.times import iso, parse_time
from breachdesk.incident.veris import validate_veris, veris_record

__all__ = [
    "INCIDENT_CORE",
    "ExportFormat",
    "IncidentBusy",
    "IncidentClosed",
    "Playbook",
    "PlaybookSource",
    "UnknownIncident",
    "add_entry",
    "add_evidence",
    "apply_playbook",
    "available_playbooks",
    "clock_text",
    "close_incident",
    "custody_report",
    "export_incident",
    "find_playbook",
    "iso",
    "list_entries",
    "list_evidence",
    "list_incidents",
    "list_tasks",
    "load_playbook",
    "nearest_deadline",
    "open_incident",
    "parse_time",
    "render_html",
    "render_pdf",
    "show_incident",
    "stix_bundle",
    "take_snapshot",
    "update_incident",
    "update_task",
    "validate_veris",
    "verify_evidence",
    "veris_record",
    "write_report",
]
