"""incident: version column, status history, playbook tasks, custody hash checks

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-27 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column(
        "incidents", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.create_table(
        "incident_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_changes_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_changes")),
    )
    op.create_index(
        op.f("ix_incident_changes_incident_id"), "incident_changes", ["incident_id"], unique=False
    )
    op.add_column("tasks", sa.Column("playbook", sa.String(length=120), nullable=True))
    op.add_column("tasks", sa.Column("step", sa.String(length=120), nullable=True))
    op.add_column("tasks", sa.Column("phase", sa.String(length=40), nullable=True))
    op.add_column("tasks", sa.Column("description", sa.Text(), server_default="", nullable=False))
    op.add_column("tasks", sa.Column("position", sa.Integer(), server_default="0", nullable=False))
    op.create_index(
        "ix_tasks_incident_playbook_step",
        "tasks",
        ["incident_id", "playbook", "step"],
        unique=True,
    )
    op.add_column("custody_events", sa.Column("sha256", sa.String(length=64), nullable=True))
    op.add_column("custody_events", sa.Column("hash_ok", sa.Boolean(), nullable=True))
    # SQLite's INTEGER already holds 64 bits; only PostgreSQL needs the wider type.
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("evidence", "size", existing_type=sa.Integer(), type_=sa.BigInteger())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("evidence", "size", existing_type=sa.BigInteger(), type_=sa.Integer())
    with op.batch_alter_table("custody_events") as batch:
        batch.drop_column("hash_ok")
        batch.drop_column("sha256")
    op.drop_index("ix_tasks_incident_playbook_step", table_name="tasks")
    with op.batch_alter_table("tasks") as batch:
        for column in ("position", "description", "phase", "step", "playbook"):
            batch.drop_column(column)
    op.drop_index(op.f("ix_incident_changes_incident_id"), table_name="incident_changes")
    op.drop_table("incident_changes")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("version")
