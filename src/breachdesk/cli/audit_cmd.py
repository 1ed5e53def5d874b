"""``breachdesk audit``: check and read the tamper-evident audit log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from breachdesk.cli.output import console, emit_json, safe
from breachdesk.cli.state import state_of

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.command("verify")
def verify(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Recompute the hash chain; exit 1 and name the first broken entry when it does not hold."""
    from breachdesk.cli.incident_json import plain
    from breachdesk.store.audit_read import check_audit_log

    result = check_audit_log(state_of(ctx).workspace().store)
    if json_out:
        emit_json(plain(result))
    elif result.ok:
        console.print(f"Audit log intact: {result.entries:,} entries, hash chain holds.")
    else:
        console.print(
            f"[bold red]Audit log BROKEN[/] at entry #{result.first_broken}: it was edited, "
            f"deleted or cut off ({result.entries:,} entries remain)."
        )
    if not result.ok:
        raise typer.Exit(1)


@app.command("list")
def list_(
    ctx: typer.Context,
    target: Annotated[
        str | None, typer.Option("--target", help="Only entries whose target starts with this.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many (newest).")] = 100,
    json_out: JsonOption = False,
) -> None:
    """The newest audit entries (who, when, what), oldest first."""
    from breachdesk.cli.incident_json import plain
    from breachdesk.store.audit_read import audit_entries

    entries = audit_entries(state_of(ctx).workspace().store, target=target, limit=limit)
    if json_out:
        emit_json({"entries": plain(entries)})
        return
    table = Table("#", "time (UTC)", "actor", "action", "target", "detail")
    for e in entries:
        detail = ", ".join(f"{k}={v}" for k, v in e.detail.items())
        table.add_row(
            str(e.id),
            plain(e.at),
            safe(e.actor),
            safe(e.action),
            safe(e.target),
            safe(detail, limit=120),
        )
    console.print(table if entries else "The audit log is empty.")
