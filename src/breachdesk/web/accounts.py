"""Workbench accounts: names, roles and argon2id password hashes in the workspace store.

The CLI (``breachdesk user``), the users page and the demo call these. Changing a password
or disabling an account ends that account's sessions. Every change is audit-logged.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update

from breachdesk.errors import UserInputError
from breachdesk.store import Store, record_audit
from breachdesk.store.web_tables import WebSession, WebUser
from breachdesk.web.roles import Role
from breachdesk.workspace import Workspace

# OWASP's argon2id setting (19 MiB, 2 passes, 1 lane): strong, and 50 logins at once stay
# within memory; the semaphore keeps a burst of logins from starving page requests.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
_HASHING = threading.BoundedSemaphore(4)
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
# Verified when the account does not exist, so unknown names cost the same time.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class UserAccount:
    id: int
    name: str
    role: Role
    disabled: bool
    created_at: datetime
    password_changed_at: datetime
    last_login_at: datetime | None

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "role": self.role.value,
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(),
            "password_changed_at": self.password_changed_at.isoformat(),
            "last_login_at": self.last_login_at.isoformat() if self.last_login_at else None,
        }


def check_name(name: str) -> str:
    """The account name, lower-cased; UserInputError unless it is 1–64 of ``a-z 0-9 . _ -``."""
    value = name.strip().lower()
    if not _NAME.fullmatch(value):
        raise UserInputError(
            f"account name {name[:80]!r} is not allowed: use 1-64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return value


def check_role(role: str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise UserInputError(f"no role {role[:40]!r}; roles are {names}") from None


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserInputError(f"the password is shorter than {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserInputError(f"the password is longer than {MAX_PASSWORD} characters")
    return password


def generate_password() -> str:
    """A random password of 24 URL-safe characters (about 143 bits)."""
    return secrets.token_urlsafe(18)


def hash_password(password: str) -> str:
    with _HASHING:
        return _HASHER.hash(password)


def add_user(store: Store, name: str, role: str, password: str, *, actor: str) -> UserAccount:
    """Create an account; UserInputError when the name is taken or anything is invalid."""
    name = check_name(name)
    chosen = check_role(role)
    digest = hash_password(check_password(password))
    now = datetime.now(UTC)
    with store.session() as session:
        if session.scalar(select(WebUser.id).where(WebUser.name == name)) is not None:
            raise UserInputError(f"account {name!r} exists; 'breachdesk user passwd' changes it")
        row = WebUser(
            name=name,
            role=chosen.value,
            password_hash=digest,
            disabled=False,
            created_at=now,
            password_changed_at=now,
        )
        session.add(row)
        session.flush()
        record_audit(
            session,
            actor=actor,
            action="web.user.add",
            target=f"user:{name}",
            detail={"role": chosen.value},
            at=now,
        )
        return _account(row)


def list_users(store: Store) -> list[UserAccount]:
    with store.session() as session:
        return [_account(r) for r in session.scalars(select(WebUser).order_by(WebUser.name))]


def set_password(store: Store, name: str, password: str, *, actor: str) -> UserAccount:
    """Replace the password (and re-enable nothing); ends every session of the account."""
    digest = hash_password(check_password(password))
    return _change(store, name, actor, "web.user.passwd", password_hash=digest)


def disable_user(store: Store, name: str, *, actor: str) -> UserAccount:
    """Disable the account: it can no longer log in and its sessions end now."""
    return _change(store, name, actor, "web.user.disable", disabled=True)


def set_role(store: Store, name: str, role: str, *, actor: str) -> UserAccount:
    return _change(store, name, actor, "web.user.role", role=check_role(role).value)


def verify_login(store: Store, name: str, password: str) -> UserAccount | None:
    """The account when ``name`` exists, is enabled and ``password`` matches; else None."""
    try:
        wanted = check_name(name)
    except UserInputError:
        wanted = ""
    with store.session() as session:
        row = session.scalar(select(WebUser).where(WebUser.name == wanted)) if wanted else None
        digest = row.password_hash if row is not None else _DUMMY_HASH
        if not _matches(digest, password[:MAX_PASSWORD]) or row is None or row.disabled:
            return None
        if _HASHER.check_needs_rehash(digest):
            row.password_hash = hash_password(password)
        row.last_login_at = datetime.now(UTC)
        return _account(row)


def create_admin_once(workspace: Workspace, *, actor: str = "breachdesk demo") -> str:
    """Give the account ``admin`` (created when missing) a new random password; return it.

    The password is shown once by the caller and stored only as its hash; every earlier
    session of ``admin`` ends.
    """
    store = workspace.store
    password = generate_password()
    with store.session() as session:
        exists = session.scalar(select(WebUser.id).where(WebUser.name == "admin")) is not None
    if exists:
        digest = hash_password(password)
        _change(
            store,
            "admin",
            actor,
            "web.user.passwd",
            password_hash=digest,
            role=Role.ADMIN.value,
            disabled=False,
        )
    else:
        add_user(store, "admin", Role.ADMIN.value, password, actor=actor)
    return password


def _matches(digest: str, password: str) -> bool:
    try:
        with _HASHING:
            return _HASHER.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _change(store: Store, name: str, actor: str, action: str, **values: str | bool) -> UserAccount:
    name = check_name(name)
    now = datetime.now(UTC)
    with store.session() as session:
        row = session.scalar(select(WebUser).where(WebUser.name == name))
        if row is None:
            raise UserInputError(f"no account {name!r}; 'breachdesk user list' shows them")
        for key, value in values.items():
            setattr(row, key, value)
        if "password_hash" in values:
            row.password_changed_at = now
        session.execute(
            update(WebSession)
            .where(WebSession.user_id == row.id, WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        detail = {k: v for k, v in values.items() if k != "password_hash"}
        record_audit(
            session, actor=actor, action=action, target=f"user:{name}", detail=detail, at=now
        )
        session.flush()
        return _account(row)


def _account(row: WebUser) -> UserAccount:
    return UserAccount(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        disabled=row.disabled,
        created_at=row.created_at,
        password_changed_at=row.password_changed_at,
        last_login_at=row.last_login_at,
    )
