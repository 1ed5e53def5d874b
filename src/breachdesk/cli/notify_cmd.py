"""``breachdesk notify``: plan, preview, send and track the notices to affected people."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from breachdesk.cli.output import console, emit_json, safe
from breachdesk.cli.state import state_of
from breachdesk.errors import ConfigError, UserInputError

if TYPE_CHECKING:
    from breachdesk.notify.worker import WorkReport

app = typer.Typer(help="One verifiable notice per affected person, delivered exactly once.")

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ActorOption = Annotated[str, typer.Option("--actor", help="Who runs it (audit log).")]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers", min=1, max=64, help="Concurrent SMTP connections (notify.connections)."
    ),
]
TlsOption = Annotated[
    str | None, typer.Option("--tls", help="none|starttls|tls (default: notify.smtp_tls).")
]
UserOption = Annotated[
    str | None, typer.Option("--smtp-user", help="SMTP user (password: BREACHDESK_SMTP_PASSWORD).")
]
PasswordFileOption = Annotated[
    Path | None, typer.Option("--smtp-password-file", help="File holding the SMTP password.")
]


def _tls(value: str | None) -> Literal["none", "starttls", "tls"] | None:
    if value is None:
        return None
    if value == "none":
        return "none"
    if value == "starttls":
        return "starttls"
    if value == "tls":
        return "tls"
    raise UserInputError(f"--tls {value[:20]!r}: use none, starttls or tls")


@app.command("plan")
def plan_cmd(
    ctx: typer.Context,
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    campaign: Annotated[
        str | None, typer.Option("--campaign", help="Campaign name (default INCIDENT-C1).")
    ] = None,
    voluntary: Annotated[
        bool, typer.Option("--voluntary", help="Notify every affected person, required or not.")
    ] = False,
    actor: ActorOption = "cli",
    json_out: JsonOption = False,
) -> None:
    """Plan one notice per affected person covering every obligation to tell them."""
    from breachdesk.notify import plan_campaign

    plan = plan_campaign(
        state_of(ctx).workspace(), incident, campaign=campaign, voluntary=voluntary, actor=actor
    )
    if json_out:
        emit_json(plan.to_json())
        return
    console.print(
        f"Campaign [bold]{safe(plan.campaign)}[/]: {plan.planned:,} notices "
        f"({plan.added:,} new); {plan.not_required:,} affected persons with no obligation"
        + (" (voluntary campaign)" if plan.voluntary else "")
    )
    console.print("Obligations: " + (safe(", ".join(plan.obligations)) or "none"))
    for title, counts in (
        ("language", plan.by_language),
        ("jurisdiction", plan.by_jurisdiction),
        ("channel", plan.by_channel),
        ("other channel", plan.other_channel_reasons),
    ):
        if counts:
            console.print(
                f"By {title}: "
                + safe(", ".join(f"{k} {v:,}" for k, v in counts.items()), limit=2000)
            )


@app.command("preview")
def preview_cmd(
    ctx: typer.Context,
    notice: Annotated[str, typer.Argument(help="Notice id.")],
    html: Annotated[bool, typer.Option("--html", help="Print the HTML part.")] = False,
    actor: ActorOption = "cli",
    json_out: JsonOption = False,
) -> None:
    """Show a notice as it will be sent (its verification code masked)."""
    from breachdesk.notify import preview_notice

    preview = preview_notice(state_of(ctx).workspace(), notice, actor=actor)
    if json_out:
        emit_json(preview.to_json())
        return
    body = preview.html if html else preview.text
    console.print(f"Subject: {safe(preview.subject)}", soft_wrap=True)
    console.print(f"Language: {preview.language}  State: {preview.state}\n")
    _print_lines(body)


def _print_lines(text: str) -> None:
    console.print("\n".join(safe(line, limit=10_000) for line in text.splitlines()), soft_wrap=True)


def _deliver(
    ctx: typer.Context,
    *,
    campaign: str | None,
    target: str | None,
    workers: int | None,
    tls: str | None,
    smtp_user: str | None,
    password_file: Path | None,
    json_out: bool,
) -> WorkReport:
    from breachdesk.notify import campaign_status, run_worker, smtp_config

    workspace = state_of(ctx).workspace()
    config = smtp_config(
        workspace.settings.notify,
        base=workspace.root,
        target=target,
        tls=_tls(tls),
        username=smtp_user,
        password_file=password_file,
    )
    if json_out:
        return run_worker(
            workspace.store,
            workspace.settings,
            workspace.root,
            config,
            campaign=campaign,
            connections=workers,
        )
    total = campaign_status(workspace, campaign).by_state["pending"] if campaign else None
    with Progress(
        TextColumn("sending"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
    ) as progress:
        task = progress.add_task("send", total=total)
        report = run_worker(
            workspace.store,
            workspace.settings,
            workspace.root,
            config,
            campaign=campaign,
            connections=workers,
            progress=lambda n: progress.advance(task, n),
        )
    return report


def _show(report: WorkReport, json_out: bool) -> None:
    if json_out:
        emit_json(report.to_json())
    else:
        _print_report(report)
    if report.halted:
        raise ConfigError(
            f"delivery stopped: {report.halted}; {report.released:,} messages went back to "
            "pending (no attempt used, none marked failed): fix the SMTP settings and rerun"
        )


def _print_report(report: WorkReport) -> None:
    console.print(
        f"Sent {report.sent:,} notices and {report.answers_sent:,} portal answers via "
        f"{safe(report.smtp)} in {report.seconds:,.1f} s ({report.per_second:,.0f}/s); "
        f"{report.retry_scheduled:,} retries scheduled, {report.failed:,} failed"
    )
    if report.uncertain:
        console.print(
            f"[yellow]{len(report.uncertain):,} notices were in flight when a worker died "
            f"({safe(', '.join(report.dead_workers))}): uncertain, settled by policy "
            f"'{report.uncertain_policy}'[/]"
        )
    for error, count in report.errors.items():
        console.print(f"  {count:,} × {safe(error)}")


@app.command("send")
def send_cmd(
    ctx: typer.Context,
    campaign: Annotated[str, typer.Argument(help="Campaign name (see 'notify plan').")],
    smtp: Annotated[str, typer.Option("--smtp", help="SMTP server HOST:PORT.")],
    workers: WorkersOption = None,
    tls: TlsOption = None,
    smtp_user: UserOption = None,
    smtp_password_file: PasswordFileOption = None,
    json_out: JsonOption = False,
) -> None:
    """Deliver a campaign's pending notices through SMTP until none is due."""
    report = _deliver(
        ctx,
        campaign=campaign,
        target=smtp,
        workers=workers,
        tls=tls,
        smtp_user=smtp_user,
        password_file=smtp_password_file,
        json_out=json_out,
    )
    _show(report, json_out)


@app.command("work")
def work_cmd(
    ctx: typer.Context,
    smtp: Annotated[
        str | None, typer.Option("--smtp", help="HOST:PORT (default notify.smtp_host/port).")
    ] = None,
    workers: WorkersOption = None,
    tls: TlsOption = None,
    smtp_user: UserOption = None,
    smtp_password_file: PasswordFileOption = None,
    json_out: JsonOption = False,
) -> None:
    """Work the whole outbox (every campaign and the portal's answers) until none is due."""
    report = _deliver(
        ctx,
        campaign=None,
        target=smtp,
        workers=workers,
        tls=tls,
        smtp_user=smtp_user,
        password_file=smtp_password_file,
        json_out=json_out,
    )
    _show(report, json_out)


@app.command("status")
def status_cmd(
    ctx: typer.Context,
    campaign: Annotated[str, typer.Argument(help="Campaign name.")],
    json_out: JsonOption = False,
) -> None:
    """Where a campaign stands: counts by state, language and jurisdiction; uncertain ones."""
    from breachdesk.notify import campaign_status

    status = campaign_status(state_of(ctx).workspace(), campaign)
    if json_out:
        emit_json(status.to_json())
        return
    console.print(
        f"Campaign [bold]{safe(status.campaign)}[/] ({safe(status.incident_id)}): "
        f"{status.total:,} notices, {'done' if status.done else 'in progress'}"
    )
    console.print("By state: " + ", ".join(f"{k} {v:,}" for k, v in status.by_state.items() if v))
    console.print("By language: " + ", ".join(f"{k} {v:,}" for k, v in status.by_language.items()))
    console.print(
        "By jurisdiction: "
        + safe(", ".join(f"{k} {v:,}" for k, v in status.by_jurisdiction.items()), limit=2000)
    )
    if status.uncertain:
        console.print(
            f"Uncertain after a crash: {status.uncertain:,} "
            f"({', '.join(f'{k} {v:,}' for k, v in status.settlements.items())})"
        )
    console.print(f"Need another channel: {status.needs_other_channel:,}")


@app.command("bounces")
def bounces_cmd(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help=".eml files, maildirs or folders.")],
    actor: ActorOption = "cli",
    json_out: JsonOption = False,
) -> None:
    """Read delivery status notifications (RFC 3464); mark notices bounced; list who needs
    another channel."""
    from breachdesk.notify import needs_other_channel, process_bounces

    workspace = state_of(ctx).workspace()
    report = process_bounces(workspace, paths, actor=actor)
    others = needs_other_channel(workspace, actor=actor)
    if json_out:
        data = report.to_json()
        data["other_channel"] = [o.to_json() for o in others]
        emit_json(data)
        return
    console.print(
        f"{report.files:,} files, {report.dsns:,} DSNs: {report.bounced:,} notices bounced, "
        f"{report.already:,} already, {report.delayed:,} delayed, {report.unmatched:,} unmatched, "
        f"{report.not_dsn:,} not DSNs"
    )
    for error in report.errors[:20]:
        console.print(f"  [red]{safe(error['file'])}[/]: {safe(error['error'])}")
    if others:
        console.print(f"{len(others):,} people need another channel (post or substitute notice):")
        for item in others[:50]:
            console.print(
                f"  {item.notice_id}  person {safe(item.person_key)}  "
                f"{item.country or '--'}  {safe(item.reason)}"
            )


@app.command("public-notice")
def public_notice_cmd(
    ctx: typer.Context,
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the notice to this file.")
    ] = None,
    language: Annotated[str, typer.Option("--language", help="en, fr, de, it, es or ja.")] = "en",
    actor: ActorOption = "cli",
) -> None:
    """The substitute notice (Markdown) for people the direct notice cannot reach."""
    from breachdesk.notify import public_notice

    text = public_notice(state_of(ctx).workspace(), incident, language=language, actor=actor)
    if out is None:
        _print_lines(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot write {out}: {exc.strerror}") from None
    console.print(f"Wrote {safe(out)}")
