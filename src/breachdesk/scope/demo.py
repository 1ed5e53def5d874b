"""The scope stage of ``breachdesk demo``: who the demo breach reached, by country and data.

Runs scope on the newest incident (the one the incident stage opened from the detection
alerts). Without ingested events or alerts there is nothing to resolve, and it says so.
"""

from __future__ import annotations

from sqlalchemy import select

from breachdesk.demo.stages import StageOutcome
from breachdesk.errors import UserInputError
from breachdesk.scope.service import scope_incident
from breachdesk.store.tables import Incident
from breachdesk.workspace import Workspace

ACTOR = "breachdesk-demo"


def scope_stage(workspace: Workspace) -> StageOutcome:
    """Scope the newest incident and report the affected count by country and category."""
    with workspace.store.session() as session:
        incident = session.scalars(
            select(Incident).order_by(Incident.created_at.desc(), Incident.id.desc()).limit(1)
        ).first()
        incident_id = None if incident is None else incident.id
    if incident_id is None:
        return StageOutcome("not available", ["No incident to scope (the incident stage opens it)"])
    events = workspace.path("events")
    if not events.is_dir() or not any(events.glob("source=*/date=*/*.parquet")):
        return StageOutcome(
            "not available",
            ["No events in the workspace: scope resolves people from ingested events"],
        )
    try:
        report = scope_incident(workspace, incident_id, actor=ACTOR)
    except UserInputError as exc:
        return StageOutcome("not available", [str(exc)])
    confidence = ", ".join(f"{k} {v:,}" for k, v in report.by_confidence.items()) or "none"
    countries = ", ".join(f"{k} {v:,}" for k, v in list(report.by_country.items())[:8])
    categories = ", ".join(f"{k} {v:,}" for k, v in report.by_category.items())
    lines = [
        f"Scope run {report.run_id} of {incident_id}: {report.affected:,} customers affected "
        f"({confidence}) from {report.selection.events:,} events",
        f"By country: {countries or 'none'}",
        f"By category: {categories or 'none'}",
    ]
    lines += [
        f"{n.kind}: {n.reason} ({n.events:,} events)"
        for n in report.notes
        if n.kind in ("conservative", "mismatch")
    ]
    figures: dict[str, object] = dict(report.summary_json())
    figures.update(
        {"run": report.run_id, "by_country": report.by_country, "seconds": report.seconds}
    )
    return StageOutcome("done", lines, figures)
