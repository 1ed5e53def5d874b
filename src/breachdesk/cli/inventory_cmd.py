"""``breachdesk inventory``: find customer personal data and audit its segmentation."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from breachdesk.cli.output import console, emit_json, err_console, safe
from breachdesk.cli.state import state_of
from breachdesk.errors import WorkspaceError

if TYPE_CHECKING:
    from breachdesk.inventory import ScanReport

# breachdesk.inventory.DEFAULT_SAMPLE, written out because importing the inventory loads its
# scanners (SQLAlchemy, pyarrow); tests/cli checks that the two agree.
DEFAULT_SAMPLE = 1000

app = typer.Typer(
    help="Find customer personal data and audit its segmentation.", no_args_is_help=True
)


@app.command("scan")
def scan(
    ctx: typer.Context,
    sources: Annotated[
        list[str],
        typer.Argument(
            help="SQLAlchemy URLs (sqlite:///shop.db, postgresql://...), SQLite files, or "
            "CSV/TSV/Parquet/JSON-lines files or folders.",
            show_default=False,
            metavar="SOURCE",
        ),
    ],
    sample: Annotated[
        int, typer.Option("--sample", min=1, max=1_000_000, help="Rows sampled per table.")
    ] = DEFAULT_SAMPLE,
    json_out: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write an HTML report to this file.")
    ] = None,
    show_examples: Annotated[
        bool, typer.Option("--show-examples", help="Show masked example values.")
    ] = False,
    store: Annotated[
        bool,
        typer.Option(
            "--store/--no-store", help="Keep the data map in the workspace (needs a workspace)."
        ),
    ] = True,
) -> None:
    """Sample each table or file read-only, classify its columns, report segmentation breaks."""
    from breachdesk.inventory import scan_sources, store_scan, write_html

    workspace = None
    if store:
        try:
            workspace = state_of(ctx).workspace()
        except WorkspaceError as exc:
            raise WorkspaceError(f"{exc.message}; or scan without storing: --no-store") from None
    if json_out:
        report = scan_sources(sources, sample=sample, examples=show_examples)
    else:
        report = _scan_with_progress(sources, sample, show_examples)
    if workspace is not None:
        store_scan(workspace.store, report, actor=_actor())
    if html is not None:
        write_html(report, html)
    if json_out:
        emit_json(report.to_json())
        return
    _print_report(report)
    if html is not None:
        console.print(f"HTML report: {safe(html)}")
    if workspace is not None:
        console.print(f"Data map stored in {safe(workspace.root)} (scan {report.scan_id}).")


@app.command("show")
def show(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="Print the data map as JSON.")] = False,
) -> None:
    """Print the data map and findings stored by the latest scan of each source."""
    from breachdesk.inventory import read_data_map, read_findings

    workspace = state_of(ctx).workspace()
    data_map = read_data_map(workspace.store)
    findings = read_findings(workspace.store)
    if json_out:
        emit_json(
            {
                "schema": "breachdesk.inventory.datamap/1",
                "columns": [e.to_json() for e in data_map.entries],
                "findings": [f.to_json() for f in findings],
            }
        )
        return
    if not data_map.entries:
        console.print("The data map is empty: run 'breachdesk inventory scan SOURCE' first.")
        return
    table = Table("source", "table", "column", "categories", title="Data map")
    for entry in data_map.entries:
        if not entry.categories:
            continue
        cats = ", ".join(f"{c.value} {p:.2f}" for c, p in entry.categories)
        table.add_row(safe(entry.source, limit=60), safe(entry.table), safe(entry.column), cats)
    console.print(table)
    _print_findings(
        [(f.severity, f.rule, f.table, f.columns, f.detail, f.reference) for f in findings]
    )


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _scan_with_progress(sources: list[str], sample: int, examples: bool) -> ScanReport:
    from breachdesk.inventory import scan_sources

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("scanning", total=None)

        def progress(table: str, done: int, total: int) -> None:
            bar.update(
                task, completed=done, total=total, description=safe(table or "done", limit=40)
            )

        return scan_sources(sources, sample=sample, examples=examples, progress=progress)


def _print_report(report: ScanReport) -> None:
    summary = report.summary()
    for t in report.tables:
        rows = "?" if t.row_count is None else f"{'' if t.row_count_exact else '≈'}{t.row_count:,}"
        grid = Table(
            "column",
            "type",
            "filled",
            "categories",
            *(["examples"] if report.show_examples else []),
            title=f"{safe(t.table)}  ({rows} rows, {t.sampled_rows} sampled)",
            title_justify="left",
        )
        for c in t.columns:
            cats = ", ".join(f"{m.category.value} {m.confidence:.2f}" for m in c.categories) or "-"
            cells = [
                safe(c.name),
                safe(c.declared_type, limit=30),
                f"{c.non_empty}/{c.sampled}",
                cats,
            ]
            if report.show_examples:
                cells.append(safe(" · ".join(c.examples)))
            grid.add_row(*cells)
        console.print(grid)
        for note in t.notes:
            console.print(f"  note: {safe(note)}")
    _print_findings(
        [(f.severity, f.rule, f.table, f.columns, f.detail, f.reference) for f in report.findings]
    )
    console.print(
        f"{summary['tables']} tables, {summary['columns']} columns, "
        f"{summary['personal_columns']} with personal data; {len(report.findings)} findings; "
        f"{summary['cells_sampled']:,} cells in {report.seconds:.2f} s."
    )


def _print_findings(rows: list[tuple[str, str, str, tuple[str, ...], str, str]]) -> None:
    if not rows:
        console.print("No segmentation break found.")
        return
    grid = Table("severity", "rule", "where", "detail", "reference", title="Segmentation findings")
    for severity, rule, table, columns, detail, reference in rows:
        grid.add_row(
            severity,
            rule,
            safe(f"{table}: {', '.join(columns)}"),
            safe(detail, limit=300),
            reference,
        )
    console.print(grid)
