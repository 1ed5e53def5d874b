"""The audit log's head anchor and its SQLite write lock (changes made for the incident work)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import delete, func, select

from breachdesk.store import open_store, record_audit, verify_audit_chain
from breachdesk.store.tables import AuditEntry


def test_cutting_the_last_entry_is_detected(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url, tmp_path / "key", create_key=True)
    with store.session() as session:
        entries = [record_audit(session, actor="a", action="x", target=f"t{n}") for n in range(3)]
    last = entries[-1].id
    with store.session() as session:
        assert verify_audit_chain(session) is None
        session.execute(delete(AuditEntry).where(AuditEntry.id == last))
    with store.session() as session:
        assert verify_audit_chain(session) == last
    store.close()


def test_deleting_every_entry_is_detected(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url, tmp_path / "key", create_key=True)
    with store.session() as session:
        entry = record_audit(session, actor="a", action="x", target="t")
    with store.session() as session:
        session.execute(delete(AuditEntry))
    with store.session() as session:
        assert verify_audit_chain(session) == entry.id
    store.close()


WRITER = """
import sys
from pathlib import Path
from breachdesk.store import open_store, record_audit
store = open_store(sys.argv[1], Path(sys.argv[2]))
for n in range(int(sys.argv[3])):
    with store.session() as session:
        record_audit(session, actor=sys.argv[4], action="export", target=f"t{n}")
store.close()
"""


def test_concurrent_writers_do_not_fork_the_chain(database_url: str, tmp_path: Path) -> None:
    key = tmp_path / "key"
    open_store(database_url, key, create_key=True).close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, database_url, str(key), "20", name],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("w1", "w2")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    store = open_store(database_url, key)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 40
        assert verify_audit_chain(session) is None
    store.close()
