"""``breachdesk incident evidence``: store files under custody, verify them, show custody."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from breachdesk.cli.incident_common import ActorOption, IdArgument, JsonOption, actor_name
from breachdesk.cli.incident_json import plain
from breachdesk.cli.output import console, emit_json, safe
from breachdesk.cli.state import state_of
from breachdesk.model.incident import CheckOutcome

app = typer.Typer(help="Evidence under chain of custody.", no_args_is_help=True)

# Files smaller than this are hashed too fast for a progress bar to be worth showing.
_PROGRESS_FROM = 64 << 20


@app.command("add")
def add(
    ctx: typer.Context,
    incident_id: IdArgument,
    file: Annotated[Path, typer.Argument(help="The file to store as evidence.")],
    description: Annotated[
        str, typer.Option("--description", help="What the file is and where it came from.")
    ] = "",
    actor: ActorOption = None,
    json_out: JsonOption = False,
) -> None:
    """Store FILE content-addressed (SHA-256), read-only, and record its collection."""
    from breachdesk.incident import add_evidence

    workspace = state_of(ctx).workspace()
    big = not json_out and file.is_file() and file.stat().st_size >= _PROGRESS_FROM
    if big:
        with Progress(
            TextColumn("hashing"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task("hashing", total=file.stat().st_size)
            item = add_evidence(
                workspace,
                incident_id,
                file,
                actor=actor_name(actor),
                description=description,
                progress=lambda done, _total: bar.update(task, completed=done),
            )
    else:
        item = add_evidence(
            workspace, incident_id, file, actor=actor_name(actor), description=description
        )
    if json_out:
        emit_json(plain(item))
        return
    verb = "Stored" if item.new else "Already stored (custody event added):"
    console.print(f"{verb} {safe(item.name)} as evidence #{item.id} of {safe(incident_id)}")
    console.print(f"  sha256 {item.sha256}, {item.size:,} bytes, at {safe(item.stored_path)}")


@app.command("verify")
def verify(
    ctx: typer.Context,
    incident_id: IdArgument,
    actor: ActorOption = None,
    json_out: JsonOption = False,
) -> None:
    """Re-hash every stored file of the incident; exit 1 when any changed or is missing."""
    from breachdesk.incident import verify_evidence

    result = verify_evidence(state_of(ctx).workspace(), incident_id, actor=actor_name(actor))
    if json_out:
        emit_json({"incident": incident_id, "ok": result.ok, "checks": plain(result.checks)})
    else:
        table = Table("#", "file", "sha256", "result")
        styles = {CheckOutcome.INTACT: "green", CheckOutcome.CHANGED: "bold red"}
        for c in result.checks:
            style = styles.get(c.outcome, "bold red")
            table.add_row(str(c.evidence_id), safe(c.name), c.sha256, f"[{style}]{c.outcome}[/]")
        console.print(table if result.checks else "No evidence stored for this incident.")
        bad = [c for c in result.checks if c.outcome is not CheckOutcome.INTACT]
        if bad:
            names = ", ".join(f"#{c.evidence_id} {safe(c.name)} {c.outcome}" for c in bad)
            console.print(f"[bold red]Evidence NOT intact:[/] {names}")
    if not result.ok:
        raise typer.Exit(1)


@app.command("custody")
def custody(ctx: typer.Context, incident_id: IdArgument, json_out: JsonOption = False) -> None:
    """The chain-of-custody report: every handling and check of every piece of evidence."""
    from breachdesk.incident import custody_report, iso

    events = custody_report(state_of(ctx).workspace(), incident_id)
    if json_out:
        emit_json({"incident": incident_id, "events": plain(events)})
        return
    table = Table("time (UTC)", "evidence", "action", "by", "hash check", "note")
    for e in events:
        check = "-" if e.hash_ok is None else ("matches" if e.hash_ok else "[bold red]NO[/]")
        table.add_row(
            iso(e.at) or "",
            f"#{e.evidence_id} {safe(e.evidence_name)}",
            safe(e.action),
            safe(e.actor),
            check,
            safe(e.note, limit=160),
        )
    console.print(table if events else "No custody events for this incident.")
