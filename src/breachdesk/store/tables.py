"""The workspace's tables (SQLAlchemy 2): one definition for SQLite and PostgreSQL.

Columns ending in ``_enc`` hold AES-GCM ciphertext of personal data (see ``crypto``); the
matching ``_index`` columns hold blind indexes for lookups. Times are UTC, timezone-aware.
Changing a table here needs an Alembic migration in ``migrations/versions``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Meta(Base):
    """Workspace facts: schema owner, the key check value."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class Incident(Base):
    __tablename__ = "incidents"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="open")
    csf_function: Mapped[str] = mapped_column(String(20), default="detect")
    summary: Mapped[str] = mapped_column(Text, default="")
    aware_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    contained_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic concurrency: every UPDATE checks and bumps it, so two writers working from
    # the same read cannot both succeed (the second gets StaleDataError and retries).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's own declaration)


class Alert(Base):
    __tablename__ = "alerts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    detectors: Mapped[list[str]] = mapped_column(JSON)
    principals: Mapped[list[str]] = mapped_column(JSON)
    src_ips: Mapped[list[str]] = mapped_column(JSON)
    start: Mapped[datetime] = mapped_column(UtcDateTime)
    end: Mapped[datetime] = mapped_column(UtcDateTime)
    events: Mapped[int] = mapped_column(Integer)
    objects: Mapped[int] = mapped_column(Integer)
    evidence_query: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class TimelineEntry(Base):
    __tablename__ = "timeline_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    source_ref: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="open")
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Where the task came from when a playbook created it (None for tasks added by hand).
    playbook: Mapped[str | None] = mapped_column(String(120))
    step: Mapped[str | None] = mapped_column(String(120))
    phase: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    __table_args__ = (
        Index("ix_tasks_incident_playbook_step", "incident_id", "playbook", "step", unique=True),
    )


class Evidence(Base):
    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(500))
    # 64-bit: evidence files of several GB (SQLite's INTEGER is 64-bit already).
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    media_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    description: Mapped[str] = mapped_column(Text, default="")
    collected_by: Mapped[str] = mapped_column(String(120))
    collected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("incident_id", "sha256"),)


class CustodyEvent(Base):
    """One hand-over or handling of a piece of evidence (chain of custody)."""

    __tablename__ = "custody_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    # The hash computed when this event checked the content, and whether it matched.
    sha256: Mapped[str | None] = mapped_column(String(64))
    hash_ok: Mapped[bool | None] = mapped_column(Boolean)


class AffectedPerson(Base):
    """One person in an incident's scope; identifying fields are encrypted."""

    __tablename__ = "affected_persons"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    person_key_index: Mapped[str] = mapped_column(String(64))
    person_key_enc: Mapped[bytes] = mapped_column(LargeBinary)
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    email_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    postal_code_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Coarse, needed in clear to group people by law and language; not identifying alone.
    language: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(64))
    categories: Mapped[list[str]] = mapped_column(JSON)
    first_access: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_access: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("incident_id", "person_key_index"),)


class Obligation(Base):
    __tablename__ = "obligations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(40))
    required: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    deadline_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deadline_text: Mapped[str] = mapped_column(String(300), default="")
    citation: Mapped[str] = mapped_column(String(300))
    content: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="open")
    # Added by migration 0005 (law): the regime and duty a conclusion comes from, and its review.
    regime: Mapped[str] = mapped_column(String(40), default="")
    name: Mapped[str] = mapped_column(String(60), default="")
    authority: Mapped[str | None] = mapped_column(String(300))
    deadline_rule: Mapped[str] = mapped_column(Text, default="")
    residents: Mapped[int] = mapped_column(Integer, default=0)
    confidence: Mapped[str] = mapped_column(String(20), default="secondary-source")
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    assessed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Notice(Base):
    """One notice to one person in one campaign; every state change is stored before the next."""

    __tablename__ = "notices"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    campaign: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("affected_persons.id"))
    channel: Mapped[str] = mapped_column(String(20), default="email")
    language: Mapped[str] = mapped_column(String(16), default="en")
    verification_index: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Added by migration 0007 (notify): which jurisdictions the notice satisfies, who holds it
    # while sending, when a retry is due, and how a notice found in flight after a crash was
    # settled (``uncertain_at`` stays set so the report can list it).
    jurisdictions: Mapped[list[str]] = mapped_column(JSON, default=list)
    worker: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    uncertain_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    settlement: Mapped[str | None] = mapped_column(String(20))
    __table_args__ = (
        UniqueConstraint("campaign", "person_id"),
        Index("ix_notices_state_campaign", "state", "campaign"),
    )


class AuditEntry(Base):
    """Append-only, hash-chained record of logins, exports and changes."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(500))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class WatchedDomain(Base):
    """A lookalike of one of the brand's domains: phishing defence's watch list."""

    __tablename__ = "phishing_watchlist"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    brand_domain: Mapped[str] = mapped_column(String(253))
    domain: Mapped[str] = mapped_column(String(253), index=True)
    fuzzer: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("brand_domain", "domain"),)
