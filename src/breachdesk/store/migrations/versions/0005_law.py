"""law: obligation details, assessments and lawyers' overrides

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-27 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("regime", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("name", sa.String(length=60), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("authority", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("deadline_rule", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("residents", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "confidence",
                sa.String(length=20),
                nullable=False,
                server_default="secondary-source",
            )
        )
        batch_op.add_column(
            sa.Column("needs_review", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("overridden", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "law_assessments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("case", sa.JSON(), nullable=False),
        sa.Column("risk", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_law_assessments_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_law_assessments")),
    )
    with op.batch_alter_table("law_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_law_assessments_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "law_overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_law_overrides_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_law_overrides")),
    )
    with op.batch_alter_table("law_overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_law_overrides_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("law_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_law_overrides_incident_id"))
    op.drop_table("law_overrides")
    with op.batch_alter_table("law_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_law_assessments_incident_id"))
    op.drop_table("law_assessments")
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        for column in (
            "assessed_at",
            "overridden",
            "needs_review",
            "confidence",
            "residents",
            "deadline_rule",
            "authority",
            "name",
            "regime",
        ):
            batch_op.drop_column(column)
