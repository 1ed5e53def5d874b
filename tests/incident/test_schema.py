"""The incident tables and migration 0004 agree, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from breachdesk.store import Base, open_store
from breachdesk.store import incident_tables as _incident_tables  # registers its tables


def test_models_match_migrations(database_url: str, tmp_path: Path) -> None:
    assert _incident_tables.IncidentChange.__tablename__ in Base.metadata.tables
    store = open_store(database_url, tmp_path / "key", create_key=True)
    try:
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        store.close()
