"""``breachdesk scope INCIDENT``: whose records the incident's events took, and which data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from breachdesk.cli.output import console, emit_json, safe
from breachdesk.cli.state import state_of

if TYPE_CHECKING:
    from breachdesk.model.scope import ScopeReport


def scope(
    ctx: typer.Context,
    incident: Annotated[str, typer.Argument(help="The incident id (e.g. INC-2026-0001).")],
    alerts: Annotated[
        list[str] | None,
        typer.Option("--alerts", help="Use these alerts instead of all of the incident's."),
    ] = None,
    principal: Annotated[
        list[str] | None,
        typer.Option("--principal", help="Events of this principal (repeatable)."),
    ] = None,
    ip: Annotated[
        list[str] | None,
        typer.Option("--ip", help="Events from this address or CIDR network (repeatable)."),
    ] = None,
    window: Annotated[
        str | None,
        typer.Option("--window", help="Events between T1/T2 (ISO 8601 with offsets)."),
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option("--engine", help="duckdb or spark (default: the workspace's engine)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write one row per person to FILE.csv or FILE.parquet."),
    ] = None,
    actor: Annotated[str, typer.Option("--actor", help="Who runs it (audit log).")] = "cli",
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Resolve the people the incident's events reached; store the run on the incident."""
    from breachdesk.scope import parse_window, scope_incident

    workspace = state_of(ctx).workspace()
    bounds = parse_window(window) if window else None

    def run(progress: Callable[[str], None] | None = None) -> ScopeReport:
        return scope_incident(
            workspace,
            incident,
            actor=actor,
            alert_ids=alerts or (),
            principals=principal or (),
            networks=ip or (),
            window=bounds,
            engine=engine,
            out=out,
            progress=progress,
        )

    if json_out:
        emit_json(run().summary_json())
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("scope", total=None)
        report = run(lambda step: bar.update(task, description=step))
    _print(report, out)


def _print(report: ScopeReport, out: Path | None) -> None:
    console.print(
        f"Scope run {report.run_id} of {safe(report.incident_id)}: "
        f"[bold]{report.affected:,}[/bold] persons affected from "
        f"{report.selection.events:,} selected events ({report.engine})"
    )
    table = Table("confidence", "persons")
    for name, count in report.by_confidence.items():
        table.add_row(safe(name), f"{count:,}")
    console.print(table)
    categories = Table("category", "persons")
    for name, count in report.by_category.items():
        categories.add_row(safe(name), f"{count:,}")
    console.print(categories)
    places = Table("jurisdiction", "persons")
    for name, count in list(report.by_jurisdiction.items())[:15]:
        places.add_row(safe(name), f"{count:,}")
    console.print(places)
    for item in report.notes:
        if item.kind in ("categories", "statements"):
            console.print(f"[dim]{safe(item.reason, limit=300)}[/dim]")
        else:
            console.print(
                f"{safe(item.kind)}: {safe(item.reason, limit=300)} "
                f"({item.events:,} event{'' if item.events == 1 else 's'}, "
                f"e.g. {safe(', '.join(item.refs[:2]), limit=120)})"
            )
    if out is not None:
        console.print(f"Wrote {report.affected:,} rows to {safe(out)} (audited)")
