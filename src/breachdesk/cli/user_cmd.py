"""``breachdesk user``: workbench accounts (add, list, passwd, disable)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from breachdesk.cli.incident_common import actor_name
from breachdesk.cli.output import console, emit_json, safe
from breachdesk.cli.state import state_of
from breachdesk.errors import UserInputError

app = typer.Typer(help="Accounts of the web workbench.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
NameArgument = Annotated[str, typer.Argument(help="The account name.", show_default=False)]
StdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]
GenerateOption = Annotated[
    bool, typer.Option("--generate", help="Generate a random password and print it once.")
]


def _password(from_stdin: bool, generate: bool) -> tuple[str, bool]:
    """The password and whether it was generated (and so must be printed)."""
    from breachdesk.web.accounts import generate_password

    if from_stdin and generate:
        raise UserInputError("give --password-stdin or --generate, not both")
    if generate:
        return generate_password(), True
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    if not sys.stdin.isatty():
        raise UserInputError(
            "no terminal to ask for the password: use --password-stdin or --generate"
        )
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True), False


@app.command("add")
def add(
    ctx: typer.Context,
    name: NameArgument,
    role: Annotated[
        str, typer.Option("--role", help="admin, responder, legal or viewer.", show_default=False)
    ],
    password_stdin: StdinOption = False,
    generate: GenerateOption = False,
    json_out: JsonOption = False,
) -> None:
    """Add an account (argon2id hash stored); the password is asked, read or generated."""
    from breachdesk.web.accounts import add_user, check_role

    check_role(role)
    secret, generated = _password(password_stdin, generate)
    account = add_user(state_of(ctx).workspace().store, name, role, secret, actor=actor_name(None))
    _print_one(account.to_json(), secret if generated else None, json_out, "added")


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """List the accounts with their roles and last login."""
    from breachdesk.web.accounts import list_users

    accounts = list_users(state_of(ctx).workspace().store)
    if json_out:
        emit_json({"users": [a.to_json() for a in accounts]})
        return
    if not accounts:
        console.print("No accounts. 'breachdesk user add NAME --role admin' adds one.")
        return
    table = Table("name", "role", "state", "last login (UTC)", "password changed (UTC)")
    for a in accounts:
        data = a.to_json()
        table.add_row(
            safe(a.name),
            a.role.value,
            "disabled" if a.disabled else "active",
            str(data["last_login_at"] or "—")[:19],
            str(data["password_changed_at"])[:19],
        )
    console.print(table)


@app.command("passwd")
def passwd(
    ctx: typer.Context,
    name: NameArgument,
    password_stdin: StdinOption = False,
    generate: GenerateOption = False,
    json_out: JsonOption = False,
) -> None:
    """Set a new password; the account's sessions end."""
    from breachdesk.web.accounts import set_password

    secret, generated = _password(password_stdin, generate)
    account = set_password(state_of(ctx).workspace().store, name, secret, actor=actor_name(None))
    _print_one(account.to_json(), secret if generated else None, json_out, "password changed")


@app.command("disable")
def disable(ctx: typer.Context, name: NameArgument, json_out: JsonOption = False) -> None:
    """Disable an account: it cannot log in, and its sessions end now."""
    from breachdesk.web.accounts import disable_user

    account = disable_user(state_of(ctx).workspace().store, name, actor=actor_name(None))
    _print_one(account.to_json(), None, json_out, "disabled")


def _print_one(data: dict[str, object], password: str | None, json_out: bool, what: str) -> None:
    if json_out:
        emit_json({**data, "password": password} if password else data)
        return
    console.print(f"Account [bold]{safe(data['name'])}[/] ({safe(data['role'])}) {what}.")
    if password:
        console.print(f"Password (shown only now): [bold]{safe(password)}[/]")
