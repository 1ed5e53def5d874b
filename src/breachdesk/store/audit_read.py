"""Reading the audit log: the chain check with its counts, and the newest entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from breachdesk.store.audit import verify_audit_chain
from breachdesk.store.database import Store
from breachdesk.store.tables import AuditEntry


@dataclass(frozen=True)
class AuditCheck:
    ok: bool
    entries: int
    first_broken: int | None


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    hash: str


def check_audit_log(store: Store) -> AuditCheck:
    """Whether the chain holds, how many entries there are, and the first broken one."""
    with store.session() as session:
        broken = verify_audit_chain(session)
        count = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    return AuditCheck(broken is None, count, broken)


def audit_entries(
    store: Store, *, target: str | None = None, limit: int = 100, before: int | None = None
) -> list[AuditRecord]:
    """The newest ``limit`` entries (narrowed by target prefix, and to ids below ``before``
    when given, for paging), oldest first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if target:
        query = query.where(AuditEntry.target.startswith(target, autoescape=True))
    with store.session() as session:
        rows = list(session.scalars(query))
    return [
        AuditRecord(r.id, r.at, r.actor, r.action, r.target, dict(r.detail), r.hash)
        for r in reversed(rows)
    ]
