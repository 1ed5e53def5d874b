"""Server-side sessions: a random id in an HttpOnly cookie, only its SHA-256 in the store.

A session ends after ``IDLE`` without requests, ``LIFETIME`` after login, at logout, or when
its account is disabled or its password changes. Its CSRF token is an HMAC of the id, so
the token is bound to the session and needs no storage of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from breachdesk.store import Store, record_audit
from breachdesk.store.web_tables import WebSession, WebUser
from breachdesk.web.roles import Role

IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=12)
# last_seen_at is written at most this often, so browsing costs no write per request.
_TOUCH = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionUser:
    """The logged-in account behind a request."""

    user_id: int
    name: str
    role: Role
    csrf: str
    id_hash: str

    @property
    def actor(self) -> str:
        """How this user appears in the audit log and in incident records."""
        return f"web:{self.name}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def csrf_for(token: str) -> str:
    return hmac.new(token.encode("ascii", "replace"), b"breachdesk csrf v1", "sha256").hexdigest()


def start_session(store: Store, user_id: int, *, now: datetime | None = None) -> str:
    """A new session of ``user_id``; returns the id for the cookie (never stored)."""
    when = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    with store.session() as session:
        # Sessions that can no longer be used are dropped here rather than by a cron job.
        session.execute(delete(WebSession).where(WebSession.expires_at < when - LIFETIME))
        session.add(
            WebSession(
                id_hash=_digest(token),
                user_id=user_id,
                created_at=when,
                last_seen_at=when,
                expires_at=when + LIFETIME,
            )
        )
    return token


def load_session(store: Store, token: str, *, now: datetime | None = None) -> SessionUser | None:
    """The user of a live session, or None when the id is unknown, expired or revoked."""
    if not token or len(token) > 128:
        return None
    when = now or datetime.now(UTC)
    key = _digest(token)
    with store.session() as session:
        found = session.execute(
            select(
                WebSession.last_seen_at,
                WebSession.expires_at,
                WebUser.id,
                WebUser.name,
                WebUser.role,
                WebUser.disabled,
            )
            .join(WebUser, WebUser.id == WebSession.user_id)
            .where(WebSession.id_hash == key, WebSession.revoked_at.is_(None))
        ).first()
        if found is None:
            return None
        last_seen, expires, user_id, name, role, disabled = found
        if when >= expires or when - last_seen >= IDLE or disabled:
            return None
        if when - last_seen >= _TOUCH:
            session.execute(
                update(WebSession).where(WebSession.id_hash == key).values(last_seen_at=when)
            )
        return SessionUser(user_id, name, Role(role), csrf_for(token), key)


def end_session(store: Store, user: SessionUser) -> None:
    """Revoke the session (logout); audited."""
    now = datetime.now(UTC)
    with store.session() as session:
        session.execute(
            update(WebSession).where(WebSession.id_hash == user.id_hash).values(revoked_at=now)
        )
        record_audit(session, actor=user.actor, action="web.logout", target=f"user:{user.name}")
