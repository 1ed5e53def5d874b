"""What a workspace holds: the store's schema revision, row counts and audit-chain health."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text

from breachdesk.store import verify_audit_chain
from breachdesk.store.tables import (
    AffectedPerson,
    Alert,
    AuditEntry,
    Evidence,
    Incident,
    Notice,
    Obligation,
)
from breachdesk.workspace import Workspace

_COUNTED = {
    "incidents": Incident,
    "alerts": Alert,
    "evidence": Evidence,
    "affected_persons": AffectedPerson,
    "obligations": Obligation,
    "notices": Notice,
    "audit_log": AuditEntry,
}


@dataclass(frozen=True)
class WorkspaceStatus:
    workspace: str
    store: str
    key_origin: str
    schema_revision: str
    counts: dict[str, int]
    audit_chain_ok: bool
    audit_first_broken: int | None


def workspace_status(workspace: Workspace) -> WorkspaceStatus:
    """Open the store (checking the key) and summarise what it holds."""
    store = workspace.store
    with store.session() as session:
        revision = session.scalar(text("SELECT version_num FROM alembic_version")) or ""
        counts = {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in _COUNTED.items()
        }
        broken = verify_audit_chain(session)
    return WorkspaceStatus(
        workspace=str(workspace.root),
        store=store.url_for_display,
        key_origin=store.cipher.origin,
        schema_revision=str(revision),
        counts=counts,
        audit_chain_ok=broken is None,
        audit_first_broken=broken,
    )
