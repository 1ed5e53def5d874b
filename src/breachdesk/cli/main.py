"""The ``breachdesk`` command: global options, verb groups, and errors as one line.

Click's usage errors and Breachdesk's own errors become a single line on stderr with exit
code 2 (bad usage or input) or 1 (failure); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from breachdesk import __version__
from breachdesk.cli import (
    audit_cmd,
    config_cmd,
    demo_cmd,
    detect_cmd,
    incident_cmd,
    ingest_cmd,
    init_cmd,
    inventory_cmd,
    law_cmd,
    notify_cmd,
    phish_cmd,
    scope_cmd,
    serve_cmd,
    status_cmd,
    user_cmd,
)
from breachdesk.cli.output import error_line
from breachdesk.cli.state import CliState
from breachdesk.errors import BreachdeskError

app = typer.Typer(
    name="breachdesk",
    help="A workbench for the day a retailer's customer data leaks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(config_cmd.app, name="config")
app.add_typer(demo_cmd.app, name="demo")
app.add_typer(law_cmd.app, name="law")
app.add_typer(incident_cmd.app, name="incident")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(phish_cmd.app, name="phish")
app.add_typer(inventory_cmd.app, name="inventory")
app.add_typer(notify_cmd.app, name="notify")
app.add_typer(user_cmd.app, name="user")
app.command("init")(init_cmd.init)
app.command("status")(status_cmd.status)
app.command("ingest")(ingest_cmd.ingest)
app.command("detect")(detect_cmd.detect)
app.command("alerts")(detect_cmd.alerts)
app.command("scope")(scope_cmd.scope)
app.command("serve")(serve_cmd.serve)


def _version(value: bool) -> None:
    if value:
        print(f"breachdesk {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workspace: Annotated[
        Path, typer.Option("--workspace", "-w", help="The workspace folder.", show_default=".")
    ] = Path("."),
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Global options; the verbs do the work."""
    state = CliState(workspace_dir=workspace, debug=debug)
    ctx.obj = state
    ctx.call_on_close(state.close)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="breachdesk", standalone_mode=False)
    except BreachdeskError as exc:
        if debug:
            raise
        error_line(str(exc))
        return exc.exit_code
    except typer.TyperException as exc:
        # Typer's (vendored Click's) usage and parameter errors.
        if debug:
            raise
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            typer.echo(ctx.get_help(), err=True)
            return 2
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        error_line(exc.format_message() + hint)
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        error_line("interrupted")
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script wrapper: exit with ``main``'s code."""
    sys.exit(main())
