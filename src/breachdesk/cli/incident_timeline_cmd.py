"""``breachdesk incident timeline``: read the timeline (filtered) or add an entry to it.

``breachdesk incident timeline ID`` is short for ``breachdesk incident timeline show ID``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from breachdesk.cli.incident_common import (
    ActorOption,
    IdArgument,
    JsonOption,
    actor_name,
    print_clock,
)
from breachdesk.cli.incident_json import clock_json, plain
from breachdesk.cli.output import console, emit_json, safe
from breachdesk.cli.state import state_of
from breachdesk.model.incident import TimelineKind


class _ShowByDefault(TyperGroup):
    """A group whose first argument, when it is not a verb, is the incident id of ``show``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_ShowByDefault,
    help="The incident timeline: 'timeline ID' shows it, 'timeline add ID' adds to it.",
    no_args_is_help=True,
)


@app.command("show")
def show(
    ctx: typer.Context,
    incident_id: IdArgument,
    since: Annotated[
        str | None, typer.Option("--since", help="Only entries at or after this time.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Only entries at or before this time.")
    ] = None,
    kind: Annotated[
        list[TimelineKind] | None,
        typer.Option("--kind", help="Only entries of this kind (repeatable)."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Show the timeline in time order, optionally narrowed by time and kind."""
    from breachdesk.incident import iso, list_entries, parse_time, show_incident

    workspace = state_of(ctx).workspace()
    entries = list_entries(
        workspace,
        incident_id,
        since=parse_time(since, what="--since") if since else None,
        until=parse_time(until, what="--until") if until else None,
        kinds=kind or [],
    )
    clock = show_incident(workspace, incident_id).summary.clock
    if json_out:
        emit_json({"incident": incident_id, "entries": plain(entries), "clock": clock_json(clock)})
        return
    print_clock(clock)
    table = Table("time (UTC)", "kind", "entry", "by")
    for e in entries:
        table.add_row(iso(e.at) or "", e.kind.value, safe(e.text, limit=400), safe(e.actor))
    console.print(table if entries else "No timeline entries match.")


@app.command("add")
def add(
    ctx: typer.Context,
    incident_id: IdArgument,
    at: Annotated[str, typer.Option("--at", help="When it happened (ISO 8601 with offset).")],
    text: Annotated[str, typer.Option("--text", help="What happened.")],
    kind: Annotated[
        TimelineKind,
        typer.Option("--kind", help="analyst (a note) or containment (an action taken)."),
    ] = TimelineKind.ANALYST,
    actor: ActorOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add an analyst's note or a containment action to the timeline."""
    from breachdesk.incident import add_entry, iso, parse_time

    entry = add_entry(
        state_of(ctx).workspace(),
        incident_id,
        at=parse_time(at, what="--at"),
        text=text,
        actor=actor_name(actor),
        kind=kind,
    )
    if json_out:
        emit_json(plain(entry))
        return
    console.print(f"Added timeline entry {entry.id} at {iso(entry.at)} to {safe(incident_id)}")
