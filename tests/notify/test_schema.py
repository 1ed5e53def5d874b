"""The notify tables and migration 0007 agree, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from breachdesk.store import Base, open_store
from breachdesk.store import notify_tables as _notify_tables


def test_models_match_migrations(database_url: str, tmp_path: Path) -> None:
    import breachdesk.law.records  # noqa: F401  (registers the law tables)
    from breachdesk.store import incident_tables  # noqa: F401

    assert _notify_tables.Campaign.__tablename__ in Base.metadata.tables
    store = open_store(database_url, tmp_path / "key", create_key=True)
    try:
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        store.close()
