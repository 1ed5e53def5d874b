"""The audit log: an append-only, hash-chained record of logins, exports and changes.

Each entry's hash covers its content and the previous entry's hash, so deleting or editing
an entry breaks the chain at that point; ``verify_audit_chain`` finds where. The newest
entry's id and hash are also kept in ``meta`` (the head), so cutting entries off the end of
the chain is found too.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from breachdesk.store.tables import AuditEntry, Meta

GENESIS = "0" * 64
# Any constant serialises writers of the chain on PostgreSQL (pg_advisory_xact_lock).
_PG_LOCK_ID = 0x42D5_A0D1
_HEAD_KEY = "audit_head"


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
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
    elif dialect == "sqlite":
        # pysqlite runs a SELECT before the transaction's first write outside any lock, so
        # two writers could read the same head and fork the chain. A write statement (even
        # one matching no row) takes SQLite's single write lock first.
        session.execute(text("UPDATE meta SET key = key WHERE 0 = 1"))
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
    head = session.get(Meta, _HEAD_KEY)
    value = f"{entry.id}:{entry.hash}".encode("ascii")
    if head is None:
        session.add(Meta(key=_HEAD_KEY, value=value))
    else:
        head.value = value
    session.flush()
    return entry


def verify_audit_chain(session: Session) -> int | None:
    """The id of the first entry whose hash or link is wrong, or None when all hold.

    When the chain holds but ends before the recorded head (entries cut off the end), the
    answer is the id of the head entry, which is missing or no longer the last.
    """
    prev = GENESIS
    last_id: int | None = None
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        expected = _entry_hash(
            prev, entry.at, entry.actor, entry.action, entry.target, entry.detail
        )
        if entry.prev_hash != prev or entry.hash != expected:
            return entry.id
        prev = entry.hash
        last_id = entry.id
    head = session.scalar(select(Meta.value).where(Meta.key == _HEAD_KEY))
    if head is not None:
        head_id, _, head_hash = head.decode("ascii", "replace").partition(":")
        if head_hash != prev or str(last_id) != head_id:
            return int(head_id) if head_id.isdigit() else -1
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
