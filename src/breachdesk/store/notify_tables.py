"""Tables the notify service adds to the store: campaigns, workers, delivery attempts, the
portal's inquiries (an outbox of answers) and its rate-limit counters.

Shares ``Base`` with ``tables.py`` so one metadata (and one Alembic history) covers all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from breachdesk.store.tables import Base, UtcDateTime, utcnow


class Campaign(Base):
    """One notification campaign of an incident: its notices share a secret and a domain.

    ``secret_enc`` (encrypted) keys the derivation of every notice's verification code, so a
    code never needs storing: the store keeps only its blind index on the notice.
    """

    __tablename__ = "notify_campaigns"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    official_domain: Mapped[str] = mapped_column(String(253))
    voluntary: Mapped[bool] = mapped_column(Boolean, default=False)
    # Conclusion keys (``FR:individuals``) the campaign's notices satisfy.
    obligations: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class NotifyWorker(Base):
    """A running (or dead) outbox worker: its notices in ``sending`` belong to it."""

    __tablename__ = "notify_workers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class NoticeAttempt(Base):
    """One delivery attempt of a notice (or a portal answer) and what the server said."""

    __tablename__ = "notice_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(String(64), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20))
    smtp_code: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PortalInquiry(Base):
    """A "Was I affected?" request: the answer is composed and mailed by the outbox worker.

    Nothing about the answer is stored at request time, so handling an affected and an
    unaffected address is the same work.
    """

    __tablename__ = "portal_inquiries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    address_index: Mapped[str] = mapped_column(String(64), index=True)
    address_enc: Mapped[bytes] = mapped_column(LargeBinary)
    language: Mapped[str] = mapped_column(String(16), default="en")
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PortalRateLimit(Base):
    """Hits of one key (keyed hash of an IP address or email address) in one time window."""

    __tablename__ = "portal_rate_limits"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
