"""``breachdesk status``: what the workspace holds, and whether its key and audit log hold."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from breachdesk.cli.output import console, emit_json, safe
from breachdesk.cli.state import state_of


def status(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Open the workspace store (checking the key) and show what it holds."""
    from breachdesk.status import workspace_status

    report = workspace_status(state_of(ctx).workspace())
    if json_out:
        emit_json(asdict(report))
    else:
        table = Table("", "", title=f"Workspace {safe(report.workspace)}", show_header=False)
        table.add_row("store", safe(report.store))
        table.add_row("key", safe(report.key_origin))
        table.add_row("schema", safe(report.schema_revision))
        for name, count in report.counts.items():
            table.add_row(safe(name), f"{count:,}")
        chain = "intact" if report.audit_chain_ok else f"BROKEN at #{report.audit_first_broken}"
        table.add_row("audit chain", chain)
        console.print(table)
    if not report.audit_chain_ok:
        raise typer.Exit(1)
