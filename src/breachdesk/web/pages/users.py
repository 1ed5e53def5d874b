"""Accounts (admin): list, add, reset a password, disable. New passwords are shown once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from breachdesk.errors import UserInputError
from breachdesk.web.accounts import (
    add_user,
    disable_user,
    generate_password,
    list_users,
    set_password,
)
from breachdesk.web.pagekit import Page, Require
from breachdesk.web.roles import Permission, Role, matrix_rows

router = APIRouter()
Admin = Annotated[Page, Depends(Require(Permission.USERS_MANAGE))]


async def _show(
    page: Admin, *, status: int = 200, message: str = "", error: str = "", password: str = ""
) -> Response:
    users = await run_in_threadpool(list_users, page.workspace.store)
    return page.render(
        "users.html.j2",
        status=status,
        users=users,
        roles=[r.value for r in Role],
        matrix=matrix_rows(),
        message=message,
        error=error,
        password=password,
    )


@router.get("/users")
async def users(page: Admin) -> Response:
    return await _show(page)


@router.post("/users")
async def add(
    page: Admin,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=40)],
) -> Response:
    password = generate_password()
    try:
        account = await run_in_threadpool(
            lambda: add_user(page.workspace.store, name, role, password, actor=page.user.actor)
        )
    except UserInputError as exc:
        return await _show(page, status=400, error=str(exc))
    return await _show(
        page, message=f"Account {account.name} ({account.role}) added.", password=password
    )


@router.post("/users/{name}/password")
async def reset_password(name: str, page: Admin) -> Response:
    password = generate_password()
    try:
        account = await run_in_threadpool(
            lambda: set_password(page.workspace.store, name, password, actor=page.user.actor)
        )
    except UserInputError as exc:
        return await _show(page, status=400, error=str(exc))
    return await _show(page, message=f"New password for {account.name}.", password=password)


@router.post("/users/{name}/disable")
async def disable(name: str, page: Admin) -> Response:
    if name.strip().lower() == page.user.name:
        return await _show(page, status=400, error="You cannot disable your own account.")
    try:
        account = await run_in_threadpool(
            lambda: disable_user(page.workspace.store, name, actor=page.user.actor)
        )
    except UserInputError as exc:
        return await _show(page, status=400, error=str(exc))
    return await _show(page, message=f"Account {account.name} disabled; its sessions ended.")
