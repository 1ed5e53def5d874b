"""scope: runs of scope on an incident and the persons each run found

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "scope_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("engine", sa.String(length=20), nullable=False),
        sa.Column("affected", sa.Integer(), nullable=False),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_scope_runs_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scope_runs")),
    )
    with op.batch_alter_table("scope_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scope_runs_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "scope_run_persons",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.String(length=20), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("first_access", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_access", sa.DateTime(timezone=True), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["affected_persons.id"],
            name=op.f("fk_scope_run_persons_person_id_affected_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["scope_runs.id"], name=op.f("fk_scope_run_persons_run_id_scope_runs")
        ),
        sa.PrimaryKeyConstraint("run_id", "person_id", name=op.f("pk_scope_run_persons")),
    )
    with op.batch_alter_table("scope_run_persons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scope_run_persons_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scope_run_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scope_run_persons_person_id"))
    op.drop_table("scope_run_persons")
    with op.batch_alter_table("scope_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scope_runs_incident_id"))
    op.drop_table("scope_runs")
