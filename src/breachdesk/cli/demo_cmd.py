"""``breachdesk demo``: the synthetic retailer and a walk along the breach path."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from breachdesk.cli.output import console, emit_json, safe

if TYPE_CHECKING:
    from breachdesk.demo.generate import GenerateReport
    from breachdesk.demo.run import DemoRun

app = typer.Typer(
    help="Build a synthetic retailer and walk the breach path on it.",
    invoke_without_command=True,
)

OutOption = Annotated[
    Path | None,
    typer.Option("--out", help="Folder for the demo workspace.", show_default="./breachdesk-demo"),
]
CustomersOption = Annotated[int, typer.Option("--customers", min=100, help="Customers to create.")]
DaysOption = Annotated[int, typer.Option("--days", min=14, help="Days of logs (at least 14).")]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same data).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the results as JSON.")]


@app.callback()
def demo(
    ctx: typer.Context,
    out: OutOption = None,
    customers: CustomersOption = 5000,
    days: DaysOption = 14,
    seed: SeedOption = 7,
    json_out: JsonOption = False,
) -> None:
    """Generate the demo retailer and run every stage that exists on it."""
    if ctx.invoked_subcommand is not None:
        return
    # Imported here: the generator pulls in Faker and numpy, which no other verb needs.
    from breachdesk.demo.generate import GenerateOptions
    from breachdesk.demo.run import demo_folder, run_demo

    options = GenerateOptions(out=demo_folder(out), customers=customers, days=days, seed=seed)
    if json_out:
        result = run_demo(options)
        emit_json(_run_json(result))
    else:
        with _progress() as bar:
            task = bar.add_task("generating", total=None)
            result = run_demo(
                options,
                progress=lambda step, done, total: _advance(bar, task, step, done, total),
                on_stage=lambda stage: bar.update(task, description=f"stage {stage.name}"),
            )
        _print_run(result)
    if result.failed:
        raise typer.Exit(1)


@app.command("generate")
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the retailer into.")],
    customers: CustomersOption = 5000,
    days: DaysOption = 14,
    seed: SeedOption = 7,
    json_out: JsonOption = False,
) -> None:
    """Write a synthetic retailer: shop database, logs, emails, settings and truth.json."""
    from breachdesk.demo.generate import GenerateOptions, generate_retailer

    options = GenerateOptions(out=out, customers=customers, days=days, seed=seed)
    if json_out:
        emit_json(_report_json(generate_retailer(options)))
        return
    with _progress() as bar:
        task = bar.add_task("generating", total=None)
        report = generate_retailer(
            options, progress=lambda step, done, total: _advance(bar, task, step, done, total)
        )
    _print_report(report)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=True
    )


def _advance(bar: Progress, task: TaskID, step: str, done: int, total: int) -> None:
    bar.update(task, description=safe(step), completed=done, total=total or None)


def _report_json(report: GenerateReport) -> dict[str, object]:
    data = asdict(report)
    data["out"] = str(report.out)
    data["truth"] = str(report.truth)
    return data


def _run_json(run: DemoRun) -> dict[str, object]:
    return {
        "generated": _report_json(run.generated),
        "stages": [
            {
                "name": stage.name,
                "title": stage.title,
                "status": outcome.status,
                "lines": outcome.lines,
                "figures": outcome.figures,
            }
            for stage, outcome in run.stages
        ],
    }


def _print_report(report: GenerateReport) -> None:
    mb = report.bytes / 1e6
    console.print(
        f"[bold]Synthetic retailer[/] in {safe(report.out)}: {report.customers:,} customers, "
        f"{report.days} days, seed {report.seed}"
    )
    lines = ", ".join(f"{safe(k)} {v:,}" for k, v in sorted(report.log_lines.items()))
    console.print(f"  log lines: {lines}")
    console.print(
        f"  {report.files:,} files, {mb:,.1f} MB, {report.rows:,} rows in {report.seconds:.1f} s"
    )
    console.print(f"  answer key: {safe(report.truth)}")


def _print_run(run: DemoRun) -> None:
    _print_report(run.generated)
    table = Table("stage", "status", "what it found", title="The breach path", show_lines=True)
    styles = {"done": "green", "not available": "dim", "failed": "red"}
    for stage, outcome in run.stages:
        detail = "\n".join(safe(line, limit=300) for line in outcome.lines) or safe(stage.title)
        status = f"[{styles[outcome.status]}]{outcome.status}[/]"
        table.add_row(safe(stage.name), status, detail)
    console.print(table)
    _print_workbench(run)


def _print_workbench(run: DemoRun) -> None:
    """The last words: how to open the workbench, unwrapped so the command can be copied."""
    for stage, outcome in run.stages:
        password = outcome.figures.get("admin_password")
        if stage.name != "web" or outcome.status != "done" or not isinstance(password, str):
            continue
        folder = safe(str(outcome.figures.get("workspace", run.generated.out)))
        console.print("\n[bold]Open the workbench on the demo:[/]", soft_wrap=True)
        console.print(f"  breachdesk -w {folder} serve", soft_wrap=True, highlight=False)
        console.print(
            f"  then http://127.0.0.1:8000/ — user [bold]admin[/], one-time password "
            f"[bold]{safe(password)}[/]",
            soft_wrap=True,
            highlight=False,
        )
