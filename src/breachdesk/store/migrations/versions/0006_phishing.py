"""phishing watch list

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-27 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "phishing_watchlist",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("brand_domain", sa.String(length=253), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("fuzzer", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phishing_watchlist")),
        sa.UniqueConstraint(
            "brand_domain", "domain", name=op.f("uq_phishing_watchlist_brand_domain")
        ),
    )
    with op.batch_alter_table("phishing_watchlist", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phishing_watchlist_domain"), ["domain"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("phishing_watchlist", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phishing_watchlist_domain"))
    op.drop_table("phishing_watchlist")
