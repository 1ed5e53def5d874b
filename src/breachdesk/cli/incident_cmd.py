"""``breachdesk incident``: the case, its clock, tasks, exports and report.

The timeline and evidence verbs live in their own modules and are added here as groups.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from breachdesk.cli import incident_evidence_cmd, incident_timeline_cmd
from breachdesk.cli.incident_common import (
    ActorOption,
    IdArgument,
    JsonOption,
    actor_name,
    print_clock,
)
from breachdesk.cli.incident_json import case_json, clock_json, plain, summary_json
from breachdesk.cli.output import console, emit_json, safe
from breachdesk.cli.state import state_of
from breachdesk.model.incident import CsfFunction, ExportFormat, Status, TaskStatus

if TYPE_CHECKING:
    from breachdesk.model.incident import Deadline, IncidentCase

app = typer.Typer(
    help="The incident: case, regulatory clock, timeline, tasks, evidence, exports, report.",
    no_args_is_help=True,
)
app.add_typer(incident_timeline_cmd.app, name="timeline")
app.add_typer(incident_evidence_cmd.app, name="evidence")

AwareAtOption = Annotated[
    str | None,
    typer.Option(
        "--aware-at",
        help="When the organisation became reasonably certain personal data was "
        "compromised (ISO 8601 with offset, or 'now'); starts the regulatory clocks.",
    ),
]
AwareReasonOption = Annotated[
    str | None, typer.Option("--aware-reason", help="Why that moment (required with --aware-at).")
]


@app.command("open")
def open_(
    ctx: typer.Context,
    title: Annotated[str, typer.Option("--title", help="A short title of the incident.")],
    from_alert: Annotated[
        list[str] | None,
        typer.Option("--from-alert", help="An alert id to attach (repeatable)."),
    ] = None,
    aware_at: AwareAtOption = None,
    aware_reason: AwareReasonOption = None,
    description: Annotated[str, typer.Option("--description", help="Free text.")] = "",
    playbook: Annotated[
        str | None,
        typer.Option("--playbook", help="A playbook whose steps become tasks."),
    ] = None,
    actor: ActorOption = None,
    json_out: JsonOption = False,
) -> None:
    """Open an incident, optionally from alerts and with its moment of awareness."""
    from breachdesk.incident import open_incident, parse_time

    workspace = state_of(ctx).workspace()
    case = open_incident(
        workspace,
        title=title,
        actor=actor_name(actor),
        alert_ids=from_alert or [],
        aware_at=parse_time(aware_at, what="--aware-at") if aware_at else None,
        aware_reason=aware_reason,
        description=description,
        playbook=playbook,
    )
    if json_out:
        emit_json({"id": case.id})
        return
    console.print(f"Opened [bold]{safe(case.id)}[/]: {safe(case.summary.title)}")
    _print_counts(case)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        Status | None, typer.Option("--status", help="Only incidents in this status.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """List incidents, newest first, with the regulatory clock where obligations exist."""
    from breachdesk.incident import iso, list_incidents

    incidents = list_incidents(state_of(ctx).workspace(), status=status)
    if json_out:
        emit_json({"incidents": [summary_json(s) for s in incidents]})
        return
    table = Table("id", "title", "status", "function", "aware at", "alerts", "clock")
    for s in incidents:
        table.add_row(
            safe(s.id),
            safe(s.title, limit=60),
            s.status.value,
            s.function.value,
            iso(s.aware_at) or "",
            str(s.alerts),
            _clock_cell(s.clock),
        )
    console.print(table if incidents else "No incidents.")


@app.command("show")
def show(ctx: typer.Context, incident_id: IdArgument, json_out: JsonOption = False) -> None:
    """Show an incident: facts, awareness (who, why), clock, alerts, history."""
    from breachdesk.incident import show_incident

    case = show_incident(state_of(ctx).workspace(), incident_id)
    if json_out:
        emit_json(case_json(case))
        return
    print_case(case)


@app.command("update")
def update(
    ctx: typer.Context,
    incident_id: IdArgument,
    status: Annotated[Status | None, typer.Option("--status", help="New status.")] = None,
    function: Annotated[
        CsfFunction | None, typer.Option("--function", help="New CSF 2.0 function.")
    ] = None,
    aware_at: AwareAtOption = None,
    aware_reason: AwareReasonOption = None,
    contained_at: Annotated[
        str | None,
        typer.Option("--contained-at", help="When the incident was contained (ISO 8601 or now)."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="New free-text description.")
    ] = None,
    actor: ActorOption = None,
    json_out: JsonOption = False,
) -> None:
    """Change status, CSF function, awareness or containment time (each change recorded)."""
    from breachdesk.incident import parse_time, update_incident

    case = update_incident(
        state_of(ctx).workspace(),
        incident_id,
        actor=actor_name(actor),
        status=status,
        function=function,
        aware_at=parse_time(aware_at, what="--aware-at") if aware_at else None,
        aware_reason=aware_reason,
        contained_at=parse_time(contained_at, what="--contained-at") if contained_at else None,
        title=title,
        description=description,
    )
    if json_out:
        emit_json(case_json(case))
        return
    print_case(case)


@app.command("close")
def close(
    ctx: typer.Context,
    incident_id: IdArgument,
    actor: ActorOption = None,
    json_out: JsonOption = False,
) -> None:
    """Close an incident (reopen with 'breachdesk incident update ID --status ...')."""
    from breachdesk.incident import close_incident, iso

    case = close_incident(state_of(ctx).workspace(), incident_id, actor=actor_name(actor))
    if json_out:
        emit_json(case_json(case))
        return
    console.print(f"Closed [bold]{safe(case.id)}[/] at {iso(case.summary.closed_at)}")


@app.command("tasks")
def tasks(ctx: typer.Context, incident_id: IdArgument, json_out: JsonOption = False) -> None:
    """List the incident's tasks with owner, due time and status."""
    from breachdesk.incident import iso, list_tasks, show_incident

    workspace = state_of(ctx).workspace()
    items = list_tasks(workspace, incident_id)
    clock = show_incident(workspace, incident_id).summary.clock
    if json_out:
        emit_json({"incident": incident_id, "tasks": plain(items), "clock": clock_json(clock)})
        return
    print_clock(clock)
    table = Table("#", "step", "task", "phase", "owner", "due (UTC)", "status")
    for t in items:
        table.add_row(
            str(t.id),
            safe(t.step or ""),
            safe(t.title, limit=70),
            safe(t.phase or ""),
            safe(t.owner or ""),
            iso(t.due_at) or "",
            t.status.value,
        )
    console.print(
        table if items else "No tasks; add a playbook with 'breachdesk incident apply-playbook'."
    )


@app.command("task")
def task(
    ctx: typer.Context,
    incident_id: IdArgument,
    task_ref: Annotated[str, typer.Argument(metavar="TASK", help="Task id or playbook step key.")],
    status: Annotated[
        TaskStatus | None, typer.Option("--status", help="New status of the task.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Who owns the task.")] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="When it is due (ISO 8601 with offset, or now).")
    ] = None,
    actor: ActorOption = None,
    json_out: JsonOption = False,
) -> None:
    """Change a task's status, owner or due time."""
    from breachdesk.incident import iso, parse_time, update_task

    item = update_task(
        state_of(ctx).workspace(),
        incident_id,
        task_ref,
        actor=actor_name(actor),
        status=status,
        owner=owner,
        due_at=parse_time(due, what="--due") if due else None,
    )
    if json_out:
        emit_json(plain(item))
        return
    console.print(
        f"Task {item.id} {safe(item.title)}: {item.status.value}, owner "
        f"{safe(item.owner or '-')}, due {iso(item.due_at) or '-'}"
    )


@app.command("playbooks")
def playbooks(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """List the playbooks: shipped ones and the workspace's playbooks/*.yaml."""
    from breachdesk.incident import available_playbooks

    found = available_playbooks(state_of(ctx).workspace().root)
    rows = [
        {
            "name": name,
            "title": source.playbook.title,
            "origin": source.origin,
            "path": source.path,
            "steps": len(source.playbook.steps),
        }
        for name, source in sorted(found.items())
    ]
    if json_out:
        emit_json({"playbooks": rows})
        return
    table = Table("name", "title", "steps", "from")
    for row in rows:
        table.add_row(safe(row["name"]), safe(row["title"]), str(row["steps"]), safe(row["path"]))
    console.print(table)


@app.command("apply-playbook")
def apply_playbook_(
    ctx: typer.Context,
    incident_id: IdArgument,
    name: Annotated[str, typer.Argument(help="The playbook name.")],
    actor: ActorOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add a playbook's steps to the incident as tasks (steps already there are skipped)."""
    from breachdesk.incident import apply_playbook

    added = apply_playbook(state_of(ctx).workspace(), incident_id, name, actor=actor_name(actor))
    if json_out:
        emit_json({"incident": incident_id, "added": plain(added)})
        return
    console.print(f"Added {len(added)} task(s) from {safe(name)} to {safe(incident_id)}")


@app.command("export")
def export(
    ctx: typer.Context,
    incident_id: IdArgument,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Export format.")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    validate_against: Annotated[
        Path | None,
        typer.Option("--validate-against", help="VERIS only: a VERIS JSON schema to check."),
    ] = None,
    actor: ActorOption = None,
    json_out: JsonOption = False,
) -> None:
    """Export as VERIS 1.4 JSON, a STIX 2.1 bundle or a Timesketch timeline (JSONL or .csv)."""
    from breachdesk.incident import export_incident

    written = export_incident(
        state_of(ctx).workspace(),
        incident_id,
        fmt,
        out,
        actor=actor_name(actor),
        validate_against=validate_against,
    )
    if json_out:
        emit_json(plain(written))
        return
    console.print(
        f"Wrote {written.format} export of {safe(incident_id)} to {safe(written.path)} "
        f"({written.bytes:,} bytes, sha256 {written.sha256})"
    )


@app.command("report")
def report(
    ctx: typer.Context,
    incident_id: IdArgument,
    out: Annotated[Path, typer.Option("--out", help="FILE.html or FILE.pdf.")],
    actor: ActorOption = None,
    json_out: JsonOption = False,
) -> None:
    """Write the incident report as HTML or PDF (offline; nothing is fetched)."""
    from breachdesk.incident import write_report

    written = write_report(state_of(ctx).workspace(), incident_id, out, actor=actor_name(actor))
    if json_out:
        emit_json(plain(written))
        return
    console.print(
        f"Wrote the {written.format} report of {safe(incident_id)} to {safe(written.path)} "
        f"({written.bytes:,} bytes, sha256 {written.sha256})"
    )


def print_case(case: IncidentCase) -> None:
    from breachdesk.incident import iso

    s = case.summary
    console.print(f"[bold]{safe(s.id)}[/]: {safe(s.title)}")
    print_clock(s.clock)
    table = Table(show_header=False)
    table.add_row("status", f"{s.status.value} (CSF {s.function.value})")
    table.add_row("opened", iso(s.created_at) or "")
    if case.awareness is not None:
        a = case.awareness
        table.add_row(
            "aware at",
            f"{iso(a.at)} (set by {safe(a.set_by)} at {iso(a.set_at)}: {safe(a.reason)})",
        )
    else:
        table.add_row("aware at", "not recorded")
    for label, value in (("contained at", s.contained_at), ("closed at", s.closed_at)):
        if value is not None:
            table.add_row(label, iso(value) or "")
    table.add_row("alerts", safe(", ".join(case.alert_ids) or "none"))
    for key, count in case.counts.items():
        table.add_row(key.replace("_", " "), str(count))
    table.add_row("version", str(s.version))
    console.print(table)
    if case.history:
        history = Table("when (UTC)", "who", "field", "from", "to", "why", title="history")
        for h in case.history:
            history.add_row(
                iso(h.at) or "",
                safe(h.actor),
                h.field,
                safe(h.old or ""),
                safe(h.new or ""),
                safe(h.reason),
            )
        console.print(history)


def _print_counts(case: IncidentCase) -> None:
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in case.counts.items())
    console.print(f"  {len(case.alert_ids)} alert(s); {counts}")


def _clock_cell(deadline: Deadline | None) -> str:
    from breachdesk.incident.times import duration_text

    if deadline is None:
        return ""
    span = duration_text(deadline.seconds_left)
    state = f"[bold red]OVERDUE {span}[/]" if deadline.overdue else f"{span} left"
    return f"{state} ({safe(deadline.jurisdiction)} {safe(deadline.recipient)})"
