"""``breachdesk detect`` and ``breachdesk alerts``: run detection, list stored alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from breachdesk.cli.output import console, emit_json, safe
from breachdesk.cli.state import state_of
from breachdesk.model.engines import EngineName

if TYPE_CHECKING:
    from breachdesk.model import Alert


def detect(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Report alerts from this time (2026-11-03, 36h)."),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Ignore events from this time on.")
    ] = None,
    engine: Annotated[
        EngineName | None,
        typer.Option("--engine", help="duckdb or spark (default: the 'engine' setting)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Find bulk extraction in the events; store and show the alerts."""
    from breachdesk.detect import parse_moment, run_detection

    workspace = state_of(ctx).workspace()
    start = parse_moment(since) if since else None
    stop = parse_moment(until) if until else None
    if json_out:
        report = run_detection(workspace, start, stop, engine)
        emit_json(report.to_dict())
        return
    with console.status("detecting…"):
        report = run_detection(workspace, start, stop, engine)
    _print_alerts(list(report.alerts))
    console.print(
        f"{len(report.alerts)} alert(s), {report.new_alerts} new; {report.events} events "
        f"examined on {report.engine} in {report.seconds:.1f} s; {report.rules} Sigma rule(s)"
    )
    for error in report.rule_errors:
        console.print(f"[yellow]rule skipped:[/] {safe(error, limit=400)}")


def alerts(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="Print the alerts as JSON.")] = False,
) -> None:
    """List the stored alerts, most severe first."""
    from breachdesk.detect import read_alerts

    workspace = state_of(ctx).workspace()
    stored = read_alerts(workspace.store)
    if json_out:
        emit_json({"alerts": [alert.to_dict() for alert in stored]})
        return
    _print_alerts(stored)


_COLOURS = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "dim"}


def _print_alerts(items: list[Alert]) -> None:
    if not items:
        console.print("no alerts")
        return
    table = Table(
        "alert", "principals", "window (UTC)", "events", "objects", "addresses", "detectors"
    )
    for column in table.columns:
        column.overflow = "fold"
    table.columns[0].no_wrap = True
    for alert in items:
        data = alert.to_dict()
        colour = _COLOURS.get(data["severity"], "")
        severity = safe(data["severity"])
        addresses = data["src_ips"]
        table.add_row(
            (f"[{colour}]{severity}[/]" if colour else severity) + "\n" + safe(data["id"]),
            safe(", ".join(data["principals"])),
            safe(f"{data['start'][:16].replace('T', ' ')} → {data['end'][:16].replace('T', ' ')}"),
            str(data["events"]),
            str(data["objects"]),
            safe(
                ", ".join(addresses[:3]) + (f" +{len(addresses) - 3}" if len(addresses) > 3 else "")
            ),
            safe(", ".join(data["detectors"])),
        )
    console.print(table)
