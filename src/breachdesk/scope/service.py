"""``scope_incident``: select the malicious events, resolve the people, store the run.

The one entry point the CLI, the demo and (later) the web workbench call.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from breachdesk.model.scope import ScopeReport
from breachdesk.scope.export import write_export
from breachdesk.scope.resolve import Progress, resolve_scope
from breachdesk.scope.runs import ensure_open, store_run
from breachdesk.scope.select import build_selection
from breachdesk.workspace import Workspace


def scope_incident(
    workspace: Workspace,
    incident_id: str,
    *,
    actor: str,
    alert_ids: Sequence[str] = (),
    principals: Sequence[str] = (),
    networks: Sequence[str] = (),
    window: tuple[datetime, datetime] | None = None,
    engine: str | None = None,
    out: Path | None = None,
    spark: Any = None,
    progress: Progress | None = None,
) -> ScopeReport:
    """Run scope on ``incident_id`` and store it as the incident's newest scope run.

    ``engine`` defaults to the workspace's ``engine`` setting; ``out`` also writes the
    per-person export (audited).
    """
    started = datetime.now(UTC)
    ensure_open(workspace, incident_id)
    selection = build_selection(
        workspace,
        incident_id,
        alert_ids=alert_ids,
        principals=principals,
        networks=networks,
        window=window,
    )
    report = resolve_scope(
        workspace,
        incident_id,
        selection,
        engine=engine or workspace.settings.engine,
        spark=spark,
        progress=progress,
    )
    stored = store_run(workspace, report, actor=actor, started_at=started)
    report = dataclasses.replace(report, run_id=stored.run_id)
    if out is not None:
        write_export(workspace, report, out, actor=actor)
    return report
