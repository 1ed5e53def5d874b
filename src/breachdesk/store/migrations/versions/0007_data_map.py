"""data map: scanned columns and their categories; segmentation findings

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "data_map",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scan_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("table_name", sa.String(length=300), nullable=False),
        sa.Column("column_name", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("declared_type", sa.String(length=120), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("top_confidence", sa.Float(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_map")),
        sa.UniqueConstraint("source", "table_name", "column_name", name=op.f("uq_data_map_source")),
    )
    with op.batch_alter_table("data_map", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_map_scan_id"), ["scan_id"], unique=False)
        batch_op.create_index("ix_data_map_table_name", ["table_name"], unique=False)
    op.create_table(
        "segmentation_findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scan_id", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("table_name", sa.String(length=300), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=300), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segmentation_findings")),
    )
    with op.batch_alter_table("segmentation_findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_segmentation_findings_scan_id"), ["scan_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_segmentation_findings_source"), ["source"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("segmentation_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_segmentation_findings_source"))
        batch_op.drop_index(batch_op.f("ix_segmentation_findings_scan_id"))
    op.drop_table("segmentation_findings")
    with op.batch_alter_table("data_map", schema=None) as batch_op:
        batch_op.drop_index("ix_data_map_table_name")
        batch_op.drop_index(batch_op.f("ix_data_map_scan_id"))
    op.drop_table("data_map")
