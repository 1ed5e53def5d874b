"""``breachdesk ingest``: logs into the workspace's event table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from breachdesk.cli.output import console, emit_json, err_console, safe
from breachdesk.cli.state import state_of

if TYPE_CHECKING:
    from breachdesk.ingest import IngestReport

_FILES_LISTED = 8


class FormatChoice(StrEnum):
    NGINX = "nginx"
    APACHE = "apache"
    JSONL = "jsonl"
    PGAUDIT = "pgaudit"
    MYSQL_GENERAL = "mysql-general"
    CLOUDTRAIL = "cloudtrail"


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files, folders, globs, or - for stdin. None: every [[sources]] of the settings.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        FormatChoice | None,
        typer.Option(
            "--format", "-f", help="Log format (default: the named source's).", case_sensitive=False
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", "-s", help="Source name (its settings apply when configured)."),
    ] = None,
    log_format: Annotated[
        str | None,
        typer.Option(
            "--log-format",
            help="nginx log_format / Apache LogFormat string; pgaudit: the log_line_prefix.",
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="Time zone of times written without an offset."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Ingest again files ingested before (e.g. after an event file was damaged): "
            "their earlier events and rejects are replaced, not added to.",
        ),
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Parse logs into events (Parquet by source and date); rejected lines are kept aside."""
    from breachdesk.ingest import IngestOptions, ingest_configured, ingest_paths, planned_bytes

    # This process exists to run the ingest and ends after it: the allocator may be tuned.
    options = IngestOptions(tune_memory=True, force=force)
    workspace = state_of(ctx).workspace()
    chosen = fmt.value if fmt is not None else None
    total = planned_bytes(workspace, paths or None)
    with _progress(json_out, total) as advance:
        if paths:
            report = ingest_paths(
                workspace,
                paths,
                chosen,  # type: ignore[arg-type]
                source,
                log_format,
                timezone=timezone,
                options=options,
                progress=advance,
            )
        else:
            report = ingest_configured(workspace, options=options, progress=advance)
    if json_out:
        emit_json(report.as_json())
    else:
        _print(report, forced=force)
    report.raise_for_problems()


@contextmanager
def _progress(quiet: bool, total: int) -> Iterator[Callable[[int], None] | None]:
    """A Rich progress bar on stderr (bytes read), or nothing with --json."""
    if quiet:
        yield None
        return
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = bar.add_task("ingest", total=total or None)
    with bar:
        yield lambda done: bar.advance(task, done)


def _print(report: IngestReport, *, forced: bool) -> None:
    rate = report.bytes / report.seconds / 1e6 if report.seconds else 0.0
    console.print(
        f"[bold]{report.events:,}[/] events from {report.files} file(s), "
        f"{report.rejected:,} line(s) rejected, {report.bytes / 1e6:,.1f} MB "
        f"in {report.seconds:.1f} s ({rate:,.0f} MB/s)"
    )
    if report.already_ingested:
        # With --force, a file is only left as it was when it could not be read at all (the
        # error line that follows says why): suggesting --force again would mislead.
        hint = "" if forced else " (--force ingests them again)"
        console.print(f"  {report.already_ingested} file(s) already ingested: nothing added{hint}")
    if report.ingested_again:
        console.print(
            f"  {report.ingested_again} file(s) ingested again: their earlier events replaced"
        )
    if report.skipped_lines:
        console.print(f"  {report.skipped_lines:,} record(s) skipped (not accesses)")
    for reason, count in sorted(report.reasons.items(), key=lambda kv: -kv[1]):
        console.print(f"  rejected: {count:,} × {safe(reason)}")
    if report.rejected:
        console.print("  rejected lines are in .breachdesk/rejects/ (file, line, reason)")
    done = [r for r in report.results if r.status != "already ingested"]
    if len(done) <= _FILES_LISTED:
        for result in done:
            console.print(
                f"  {safe(result.file, limit=120)}: {result.events:,} events, "
                f"{result.rejected:,} rejected ({result.status})"
            )
        return
    totals: dict[str, list[int]] = {}
    for result in done:
        entry = totals.setdefault(result.source, [0, 0, 0])
        entry[0] += 1
        entry[1] += result.events
        entry[2] += result.rejected
    for name, (files, events, rejected) in sorted(totals.items()):
        console.print(f"  {safe(name)}: {files} file(s), {events:,} events, {rejected:,} rejected")
