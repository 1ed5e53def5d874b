from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from breachdesk.store import open_store, record_audit, verify_audit_chain
from breachdesk.store.tables import AuditEntry


def test_audit_chain_verifies_and_detects_tampering(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url, tmp_path / "key", create_key=True)
    with store.session() as session:
        for n in range(5):
            record_audit(
                session,
                actor="analyst",
                action="export",
                target=f"report-{n}",
                detail={"rows": n, "note": "é"},
            )
    with store.session() as session:
        assert verify_audit_chain(session) is None
        third = session.query(AuditEntry).order_by(AuditEntry.id).all()[2]
        session.execute(update(AuditEntry).where(AuditEntry.id == third.id).values(target="edited"))
    with store.session() as session:
        assert verify_audit_chain(session) == third.id
    store.close()


def test_audit_chain_links_each_entry_to_the_previous(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url, tmp_path / "key", create_key=True)
    with store.session() as session:
        first = record_audit(session, actor="a", action="login", target="web")
        second = record_audit(session, actor="a", action="logout", target="web")
        assert second.prev_hash == first.hash
    store.close()
