"""Options and printing shared by the ``breachdesk incident`` verb modules."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated

import typer

from breachdesk.cli.output import console, safe

if TYPE_CHECKING:
    from breachdesk.model.incident import Deadline

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ActorOption = Annotated[
    str | None,
    typer.Option("--actor", help="Who does this, for the audit log.", show_default="OS user"),
]
IdArgument = Annotated[str, typer.Argument(help="The incident id, e.g. INC-2026-0001.")]


def actor_name(value: str | None) -> str:
    """``--actor``, else the OS user name."""
    if value:
        return value
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def print_clock(deadline: Deadline | None) -> None:
    """The regulatory clock line; nothing while the incident has no obligation deadline."""
    from breachdesk.incident import clock_text

    if deadline is not None:
        urgent = deadline.overdue or deadline.seconds_left < 12 * 3600
        style = "bold red" if urgent else "bold"
        console.print(f"[{style}]Regulatory clock: {safe(clock_text(deadline), limit=400)}[/]")
