"""``breachdesk init``: create a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from breachdesk.cli.output import console, emit_json, safe
from breachdesk.cli.state import state_of


def init(
    ctx: typer.Context,
    directory: Annotated[
        Path | None,
        typer.Argument(help="Folder to make a workspace of (default: --workspace, or here)."),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print what was created as JSON.")
    ] = False,
) -> None:
    """Write a commented breachdesk.toml and the .breachdesk/ folder with its key and store."""
    from breachdesk.workspace import init_workspace

    root = directory if directory is not None else state_of(ctx).workspace_dir
    workspace = init_workspace(root)
    try:
        info = {
            "workspace": str(workspace.root),
            "settings": str(workspace.config_path),
            "store": workspace.store.url_for_display,
            "key": workspace.store.cipher.origin,
        }
    finally:
        workspace.close()
    if json_out:
        emit_json(info)
        return
    console.print(f"Workspace ready at [bold]{safe(info['workspace'])}[/]")
    console.print(f"  settings  {safe(info['settings'])}")
    console.print(f"  store     {safe(info['store'])}")
    console.print(f"  key       {safe(info['key'])} (keep it safe: it decrypts personal data)")
