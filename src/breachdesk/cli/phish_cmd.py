"""``breachdesk phish``: lookalike domains, feed matching, and scoring of reported emails."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from breachdesk.cli.output import console, emit_json, err_console, safe
from breachdesk.cli.state import state_of

app = typer.Typer(
    help="Lookalike domains of the brand and scoring of reported emails.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print the results as JSON.")]
EXAMPLES = 3


@app.command("lookalikes")
def lookalikes(
    ctx: typer.Context,
    domains: Annotated[list[str], typer.Argument(help="The brand's domains.", show_default=False)],
    dictionary: Annotated[
        Path | None,
        typer.Option(help="Words for combosquats, one a line (default: the bundled list)."),
    ] = None,
    tlds: Annotated[
        Path | None,
        typer.Option(help="Top-level domains to swap in, one a line (default: bundled)."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Generate lookalike domains offline (dnstwist) and store them as the watch list."""
    from breachdesk.phishing import record_lookalikes

    workspace = state_of(ctx).workspace()
    results = record_lookalikes(workspace, domains, dictionary=dictionary, tlds=tlds)
    if json_out:
        documents = [r.to_dict() for r in results]
        emit_json(documents[0] if len(documents) == 1 else documents)
        return
    for result in results:
        table = Table("fuzzer", "count", "examples", title=f"Lookalikes of {safe(result.domain)}")
        for fuzzer, count in result.by_fuzzer().items():
            examples = [p.domain for p in result.permutations if p.fuzzer == fuzzer][:EXAMPLES]
            shown = ", ".join(_both(d) for d in examples)
            table.add_row(safe(fuzzer), f"{count:,}", safe(shown, limit=300))
        console.print(table)
        console.print(
            f"{len(result.permutations):,} lookalikes of {safe(result.domain)} "
            "stored as the workspace's watch list"
        )


def _both(domain: str) -> str:
    from breachdesk.phishing import to_unicode

    shown = to_unicode(domain)
    return domain if shown == domain else f"{shown} ({domain})"


@app.command("match")
def match(
    ctx: typer.Context,
    feed: Annotated[Path, typer.Argument(help="Observed domains: one a line, or CSV.")],
    json_out: JsonOption = False,
) -> None:
    """Check a feed of observed domains against the watch list and the brand's terms."""
    from breachdesk.phishing import match_workspace_feed

    report = match_workspace_feed(state_of(ctx).workspace(), feed)
    if json_out:
        emit_json(report.to_dict())
        return
    table = Table("line", "domain", "kind", "imitates", title=f"Matches in {safe(feed)}")
    for found in report.matches:
        table.add_row(
            str(found.line),
            safe(_both(found.match.domain)),
            safe(found.match.kind + (f" ({found.match.fuzzer})" if found.match.fuzzer else "")),
            safe(found.match.brand_domain),
        )
    console.print(table)
    console.print(
        f"{len(report.matches):,} matches among {report.domains:,} domains "
        f"({len(report.rejected):,} lines not a domain)"
    )


@app.command("score")
def score(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help=".eml files, folders, mbox files or maildirs.")
    ],
    json_out: JsonOption = False,
) -> None:
    """Judge reported emails: phishing, suspicious or clean, with a score and reasons."""
    from breachdesk.phishing import email_scorer

    scorer = email_scorer(state_of(ctx).workspace())
    pending = scorer.score_paths(paths)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("scoring: {task.completed:,} emails"),
        console=err_console,
        transient=True,
        disable=json_out,
    )
    verdicts = []
    with progress:
        task = progress.add_task("score", total=None)
        for verdict in pending:
            verdicts.append(verdict)
            progress.advance(task)
    if json_out:
        emit_json([v.to_dict() for v in verdicts])
        return
    table = Table("file", "verdict", "score", "reasons", title="Reported emails")
    for verdict in verdicts:
        reasons = "\n".join(
            f"{r.weight:+d} {safe(r.signal)}: {safe(r.evidence, limit=160)}"
            for r in verdict.reasons
        )
        style = {"phishing": "bold red", "suspicious": "yellow"}.get(verdict.verdict, "green")
        table.add_row(
            safe(verdict.file, limit=80),
            f"[{style}]{verdict.verdict}[/]",
            str(verdict.score),
            reasons or "-",
        )
    console.print(table)
