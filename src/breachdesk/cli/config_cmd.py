"""``breachdesk config``: check and show the workspace settings."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from breachdesk.cli.output import console, emit_json, safe
from breachdesk.cli.state import state_of

app = typer.Typer(help="Check and show the workspace settings.", no_args_is_help=True)


@app.command("check")
def check(ctx: typer.Context) -> None:
    """Validate breachdesk.toml and BREACHDESK_* variables (exit 0 valid, 2 invalid)."""
    workspace = state_of(ctx).workspace()
    console.print(f"{safe(workspace.config_path)}: valid")


@app.command("show")
def show(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="Print the settings as JSON.")] = False,
) -> None:
    """Print the effective settings (file and environment combined)."""
    from breachdesk.config import settings_as_dict

    workspace = state_of(ctx).workspace()
    data = settings_as_dict(workspace.settings)
    if json_out:
        emit_json(data)
        return
    table = Table("setting", "value", title=safe(workspace.config_path))
    for key, value in _flatten(data):
        table.add_row(safe(key), safe(value))
    console.print(table)


def _flatten(data: object, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(data, dict):
        rows: list[tuple[str, object]] = []
        for key, value in data.items():
            rows += _flatten(value, f"{prefix}{key}.")
        return rows
    if isinstance(data, list) and data and isinstance(data[0], dict):
        rows = []
        for index, value in enumerate(data):
            rows += _flatten(value, f"{prefix[:-1]}[{index}].")
        return rows
    return [(prefix[:-1], data)]
