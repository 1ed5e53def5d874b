"""The demo's walk along the breach path: one stage per service, run in order.

A stage that has not been built yet is listed as not available, with no output invented for
it. Each built stage is a function taking the demo workspace and returning its outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from breachdesk.workspace import Workspace

Status = Literal["done", "not available", "failed"]


@dataclass(frozen=True)
class StageOutcome:
    """What a stage did: lines for people, figures for ``--json``."""

    status: Status
    lines: list[str] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)


StageFn = Callable[[Workspace], StageOutcome]


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    run: StageFn | None


def demo_stages() -> list[Stage]:
    """The stages of the breach path, in order; ``run`` is None where not built yet."""
    # Imported here: stage modules import StageOutcome from this module.
    from breachdesk.detect.demo import detect_stage
    from breachdesk.incident.demo import incident_stage
    from breachdesk.ingest.demo import ingest_stage
    from breachdesk.inventory.demo import inventory_stage
    from breachdesk.law.demo import law_stage
    from breachdesk.notify.demo import notify_stage
    from breachdesk.phishing.demo import phishing_stage
    from breachdesk.scope.demo import scope_stage
    from breachdesk.web.demo import web_stage

    return [
        Stage("inventory", "Where customer data lives; segmentation audit", inventory_stage),
        Stage("ingest", "Access logs into one event table", ingest_stage),
        Stage("detect", "Bulk extraction found in the events", detect_stage),
        Stage("incident", "The case, its clock, timeline and evidence", incident_stage),
        Stage("scope", "Whose records were taken, and which data", scope_stage),
        Stage("law", "Who must be told, by when", law_stage),
        Stage("notify", "One verifiable notice per person", notify_stage),
        Stage("phishing", "Lookalike domains and reported emails", phishing_stage),
        Stage("web", "Workbench and customer portal", web_stage),
    ]
