"""What the global options put in the Typer context, shared by every verb."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from breachdesk.workspace import Workspace


@dataclass
class CliState:
    workspace_dir: Path
    debug: bool = False
    _workspace: Workspace | None = field(default=None, repr=False)

    def workspace(self) -> Workspace:
        if self._workspace is None:
            from breachdesk.workspace import open_workspace

            self._workspace = open_workspace(self.workspace_dir)
        return self._workspace

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()


def state_of(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj
