"""notify: delivery columns on notices, campaigns, workers, attempts, portal inquiries

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

_NOTICE_COLUMNS = (
    "settlement",
    "uncertain_at",
    "next_attempt_at",
    "claimed_at",
    "worker",
    "jurisdictions",
)


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("jurisdictions", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("worker", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("uncertain_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("settlement", sa.String(length=20), nullable=True))

    op.create_table(
        "notify_campaigns",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("secret_enc", sa.LargeBinary(), nullable=False),
        sa.Column("official_domain", sa.String(length=253), nullable=False),
        sa.Column("voluntary", sa.Boolean(), nullable=False),
        sa.Column("obligations", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_notify_campaigns_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_campaigns")),
    )
    with op.batch_alter_table("notify_campaigns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notify_campaigns_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "notify_workers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_workers")),
    )

    op.create_table(
        "notice_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notice_id", sa.String(length=64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("smtp_code", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_attempts")),
    )
    with op.batch_alter_table("notice_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_attempts_notice_id"), ["notice_id"], unique=False
        )

    op.create_table(
        "portal_inquiries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("address_index", sa.String(length=64), nullable=False),
        sa.Column("address_enc", sa.LargeBinary(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_inquiries")),
    )
    with op.batch_alter_table("portal_inquiries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_inquiries_address_index"), ["address_index"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_portal_inquiries_state"), ["state"], unique=False)

    op.create_table(
        "portal_rate_limits",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window", name=op.f("pk_portal_rate_limits")),
    )


def downgrade() -> None:
    op.drop_table("portal_rate_limits")
    with op.batch_alter_table("portal_inquiries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_inquiries_state"))
        batch_op.drop_index(batch_op.f("ix_portal_inquiries_address_index"))
    op.drop_table("portal_inquiries")
    with op.batch_alter_table("notice_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_attempts_notice_id"))
    op.drop_table("notice_attempts")
    op.drop_table("notify_workers")
    with op.batch_alter_table("notify_campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_campaigns_incident_id"))
    op.drop_table("notify_campaigns")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        for column in _NOTICE_COLUMNS:
            batch_op.drop_column(column)
