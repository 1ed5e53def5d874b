"""Alembic environment: runs on the connection the store hands over (never from a URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

# Every module that declares tables on Base, so the metadata is complete.
from breachdesk.store import (  # noqa: F401
    datamap_tables,
    incident_tables,
    law_tables,
    notify_tables,
    scope_tables,
    web_tables,
)
from breachdesk.store.tables import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("breachdesk migrations run through breachdesk.store.open_store only")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
