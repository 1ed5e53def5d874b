"""Login rate limiting: failed logins counted per client address and per account name.

Failures are rows in the store (keyed hashes, not the address or name), so every worker
process sees the same counts; a successful login clears the account's failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from breachdesk.store import Store
from breachdesk.store.web_tables import WebLoginAttempt


@dataclass(frozen=True)
class LoginLimits:
    per_address: int = 20
    per_account: int = 5
    window: timedelta = timedelta(minutes=15)


def _keys(store: Store, address: str, name: str) -> tuple[str, str]:
    cipher = store.cipher
    return (
        "ip:" + cipher.blind_index(address, "web.login.address")[:60],
        "ac:" + cipher.blind_index(name.strip().lower()[:64], "web.login.account")[:60],
    )


def login_blocked(
    store: Store, address: str, name: str, limits: LoginLimits, *, now: datetime | None = None
) -> bool:
    """Whether the address or the account has used up its failed attempts in the window."""
    when = now or datetime.now(UTC)
    by_address, by_account = _keys(store, address, name)
    since = when - limits.window
    with store.session() as session:
        counts = dict(
            session.execute(
                select(WebLoginAttempt.key, func.count())
                .where(WebLoginAttempt.key.in_([by_address, by_account]))
                .where(WebLoginAttempt.at > since)
                .group_by(WebLoginAttempt.key)
            ).all()
        )
    return (
        int(counts.get(by_address, 0)) >= limits.per_address
        or int(counts.get(by_account, 0)) >= limits.per_account
    )


def record_failure(
    store: Store, address: str, name: str, limits: LoginLimits, *, now: datetime | None = None
) -> None:
    when = now or datetime.now(UTC)
    keys = _keys(store, address, name)
    with store.session() as session:
        session.execute(delete(WebLoginAttempt).where(WebLoginAttempt.at <= when - limits.window))
        session.add_all(WebLoginAttempt(key=k, at=when) for k in keys)


def clear_account(store: Store, address: str, name: str) -> None:
    _, by_account = _keys(store, address, name)
    with store.session() as session:
        session.execute(delete(WebLoginAttempt).where(WebLoginAttempt.key == by_account))
