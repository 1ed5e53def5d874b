"""The audit log: an append-only, hash-chained record of logins, exports and changes.

Each entry's hash covers its content and the previous entry's hash, so deleting or editing
an entry breaks the chain at that point; ``verify_audit_chain`` finds where.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from breachdesk.store.tables import AuditEntry

GENESIS = "0" * 64
# Any constant serialises writers of the chain on PostgreSQL (pg_advisory_xact_lock).
_PG_LOCK_ID = 0x42D5_A0D1


def record_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry to the chain inside ``session``'s transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
    last = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    prev = last or GENESIS
    when = (at or datetime.now(UTC)).astimezone(UTC)
    body = detail or {}
    entry = AuditEntry(
        at=when,
        actor=actor,
        action=action,
        target=target,
        detail=body,
        prev_hash=prev,
        hash=_entry_hash(prev, when, actor, action, target, body),
    )
    session.add(entry)
    session.flush()
    return entry


def verify_audit_chain(session: Session) -> int | None:
    """The id of the first entry whose hash or link is wrong, or None when all hold."""
    prev = GENESIS
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        expected = _entry_hash(
            prev, entry.at, entry.actor, entry.action, entry.target, entry.detail
        )
        if entry.prev_hash != prev or entry.hash != expected:
            return entry.id
        prev = entry.hash
    return None


def _entry_hash(
    prev: str, at: datetime, actor: str, action: str, target: str, detail: dict[str, Any]
) -> str:
    # Microsecond UTC text is stable across SQLite and PostgreSQL round trips.
    payload = json.dumps(
        [prev, at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), actor, action, target, detail],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(payload.encode("ascii")).hexdigest()
