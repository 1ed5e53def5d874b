from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from breachdesk.inventory import read_data_map, read_findings, scan_sources, store_scan
from breachdesk.model.categories import Category as C
from breachdesk.store.tables import AuditEntry
from breachdesk.workspace import init_workspace


def test_store_scan_keeps_categories_not_values(tmp_path: Path, contract_db: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    try:
        report = scan_sources([str(contract_db)])
        store_scan(workspace.store, report, actor="test")
        data_map = read_data_map(workspace.store)
        assert data_map.categories_for("customers", ["email", "full_name"]) == {
            C.CONTACT_EMAIL,
            C.CONTACT_NAME,
        }
        assert C.FINANCIAL_CARD_NUMBER in data_map.categories_for("marketing_export_2019")
        assert {e.table for e in data_map.columns_with(C.CONTACT_EMAIL)} == {
            "customers",
            "marketing_export_2019",
        }
        findings = read_findings(workspace.store)
        assert findings[0].severity == "critical"
        assert {f.rule for f in findings} >= {"pan-readable", "personal-data-copied"}
        with workspace.store.session() as session:
            audit = session.scalars(select(AuditEntry)).all()
            assert [a.action for a in audit] == ["inventory.scan"]
            assert audit[0].detail["scan_id"] == report.scan_id
            dump = " ".join(
                str(row)
                for table in ("data_map", "segmentation_findings", "audit_log")
                for row in session.execute(text(f"SELECT * FROM {table}"))
            )
        import sqlite3

        emails = [r[0] for r in sqlite3.connect(contract_db).execute("SELECT email FROM customers")]
        assert not [e for e in emails if e in dump]
    finally:
        workspace.close()


def test_rescanning_a_source_replaces_its_data_map(tmp_path: Path, contract_db: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    try:
        for _ in range(2):
            store_scan(workspace.store, scan_sources([str(contract_db)], sample=20), actor="t")
        entries = read_data_map(workspace.store).entries
        keys = [(e.source, e.table, e.column) for e in entries]
        assert len(keys) == len(set(keys)) == 40
        assert len({e.scan_id for e in entries}) == 1
    finally:
        workspace.close()


def test_duplicate_and_overlong_names_are_stored_once(tmp_path: Path) -> None:
    csv = tmp_path / "dup.csv"
    long = "c" * 400
    csv.write_text(f"email,email,{long}\na@b.example,c@d.example,1\n" * 3)
    workspace = init_workspace(tmp_path / "ws")
    try:
        store_scan(workspace.store, scan_sources([str(csv)]), actor="t")
        columns = [e.column for e in read_data_map(workspace.store).entries]
        assert columns.count("email") == 1
        assert len(columns) == 2
    finally:
        workspace.close()
