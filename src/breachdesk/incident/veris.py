"""VERIS 1.4 (vz-risk/veris) record of an incident, for breach databases and benchmarking.

Built from what the workspace knows, without the schema file at run time; what it cannot
know (actor, exact action) is coded as Unknown with notes, for the analyst to refine.
The tests validate the output against the VERIS JSON schema.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from breachdesk.errors import InputFileError
from breachdesk.incident.times import iso
from breachdesk.model import Category, Group
from breachdesk.model.incident import IncidentSnapshot, TimelineKind

SCHEMA_VERSION = "1.4.0"

# Data categories → VERIS attribute.confidentiality.data.variety.
_VARIETY = {
    Group.CONTACT: "Personal",
    Group.LOCATION: "Personal",
    Group.IDENTITY: "Personal",
    Group.ACCOUNT: "Personal",
    Group.COMMERCE: "Personal",
    Group.TECHNICAL: "Personal",
    Group.CREDENTIAL: "Credentials",
    Group.FINANCIAL: "Payment",
    Group.HEALTH: "Medical",
}


def veris_record(snapshot: IncidentSnapshot) -> dict[str, Any]:
    """The VERIS 1.4 record of the snapshot's incident, as a JSON-ready dict."""
    case = snapshot.case
    summary = case.summary
    first = _first_event(snapshot)
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "schema_name": "verisc",
        "incident_id": summary.id,
        "reference": f"Breachdesk incident {summary.id}",
        "source_id": "breachdesk",
        "security_incident": "Confirmed" if summary.aware_at is not None else "Suspected",
        "summary": _summary_text(snapshot),
        "timeline": _timeline(snapshot, first),
        "actor": {"unknown": {"notes": _actor_notes(snapshot)}},
        "action": {"unknown": _action(snapshot)},
        "asset": {
            "assets": [{"variety": "S - Database"}],
            "cloud": ["Unknown"],
            "notes": "The customer database holding the affected records; refine as the "
            "investigation establishes which systems were used.",
        },
        "attribute": {"confidentiality": _confidentiality(snapshot)},
        "discovery_method": (
            {"internal": {"variety": ["Log review"]}} if snapshot.alerts else {"unknown": True}
        ),
        "plus": {
            "master_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"breachdesk:incident:{summary.id}")),
            "breachdesk": {
                "status": summary.status.value,
                "csf_function": summary.function.value,
                "aware_at": iso(summary.aware_at),
                "contained_at": iso(summary.contained_at),
                "alerts": [a.id for a in snapshot.alerts],
                "generated_at": iso(snapshot.taken_at),
            },
        },
    }
    return record


def write_veris(snapshot: IncidentSnapshot, out: Path) -> None:
    out.write_text(json.dumps(veris_record(snapshot), indent=2, ensure_ascii=False) + "\n")


def validate_veris(record: dict[str, Any], schema_path: Path) -> list[str]:
    """Problems found by validating ``record`` against a VERIS JSON schema file (none: [])."""
    import jsonschema

    try:
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(f"cannot read the VERIS schema: {exc}", path=schema_path) from None
    validator = jsonschema.Draft4Validator(schema)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path))
    ]


def _first_event(snapshot: IncidentSnapshot) -> datetime:
    starts = [a.start for a in snapshot.alerts]
    starts += [e.at for e in snapshot.timeline if e.kind is TimelineKind.FIRST_EVENT]
    if starts:
        return min(starts)
    summary = snapshot.case.summary
    return summary.aware_at or summary.created_at


def _timeline(snapshot: IncidentSnapshot, first: datetime) -> dict[str, Any]:
    summary = snapshot.case.summary
    timeline: dict[str, Any] = {
        "incident": {
            "year": first.year,
            "month": first.month,
            "day": first.day,
            "time": first.strftime("%I:%M:%S %p"),
        }
    }
    discovered = summary.aware_at or summary.created_at
    if discovered >= first:
        timeline["discovery"] = _span(first, discovered)
    if summary.contained_at is not None and summary.contained_at >= discovered:
        timeline["containment"] = _span(discovered, summary.contained_at)
    return timeline


def _span(start: datetime, end: datetime) -> dict[str, Any]:
    seconds = (end - start).total_seconds()
    for unit, size in (("Days", 86400), ("Hours", 3600), ("Minutes", 60)):
        if seconds >= 2 * size:
            return {"unit": unit, "value": round(seconds / size, 1)}
    return {"unit": "Seconds", "value": round(seconds)}


def _confidentiality(snapshot: IncidentSnapshot) -> dict[str, Any]:
    scope = snapshot.scope
    confirmed = snapshot.case.summary.aware_at is not None
    if scope.persons and confirmed:
        disclosure = "Yes"
    elif scope.persons or snapshot.alerts:
        disclosure = "Potentially"
    else:
        disclosure = "Unknown"
    result: dict[str, Any] = {"data_disclosure": disclosure}
    if scope.persons:
        result["data_total"] = scope.persons
        result["data_victim"] = ["Customer"]
        amounts: dict[str, int] = {}
        for lost, count in scope.combinations:
            for variety in {_variety(name) for name in lost}:
                amounts[variety] = amounts.get(variety, 0) + count
        if amounts:
            result["data"] = [{"variety": v, "amount": n} for v, n in sorted(amounts.items())]
    return result


def _variety(category: str) -> str:
    try:
        parsed = Category(category)
    except ValueError:
        return "Unknown"
    if parsed is Category.FINANCIAL_BANK_ACCOUNT:
        return "Bank"
    return _VARIETY.get(parsed.group, "Unknown")


def _action(snapshot: IncidentSnapshot) -> dict[str, Any]:
    if not snapshot.alerts:
        return {"notes": "No detection alert is attached to this incident yet."}
    detectors = sorted({d for a in snapshot.alerts for d in a.detectors})
    return {
        "notes": "Bulk reading of customer records found by detectors: "
        + (", ".join(detectors) or "unnamed")
        + ". Classify the exact action (e.g. hacking: use of stolen credentials) once known.",
        "result": ["Exfiltrate"],
    }


def _actor_notes(snapshot: IncidentSnapshot) -> str:
    principals = sorted({p for a in snapshot.alerts for p in a.principals})
    ips = sorted({ip for a in snapshot.alerts for ip in a.src_ips})
    if not principals and not ips:
        return "Actor not identified."
    return (
        "Actor not identified; activity used principals "
        + (", ".join(principals[:20]) or "none recorded")
        + " from addresses "
        + (", ".join(ips[:20]) or "none recorded")
        + "."
    )


def _summary_text(snapshot: IncidentSnapshot) -> str:
    case = snapshot.case
    parts = [case.summary.title.rstrip(".") + "."]
    if case.description:
        parts.append(case.description.strip())
    if snapshot.alerts:
        start = min(a.start for a in snapshot.alerts)
        end = max(a.end for a in snapshot.alerts)
        events = sum(a.events for a in snapshot.alerts)
        parts.append(
            f"{len(snapshot.alerts)} detection alert(s) cover {events:,} events "
            f"from {iso(start)} to {iso(end)}."
        )
    if snapshot.scope.persons:
        parts.append(f"{snapshot.scope.persons:,} customers' records are in scope.")
    return " ".join(parts)
