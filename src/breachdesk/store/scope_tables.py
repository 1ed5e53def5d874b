"""Tables the scope stage adds: each run of scope on an incident, and who it found.

Shares ``Base`` with ``tables.py`` (one metadata, one Alembic history); migration 0006.
Identities stay in ``affected_persons`` (encrypted); a run links to them with what it found.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from breachdesk.store.tables import Base, UtcDateTime, utcnow


class ScopeRun(Base):
    """One run of ``breachdesk scope`` on an incident: how events were chosen and the counts."""

    __tablename__ = "scope_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    engine: Mapped[str] = mapped_column(String(20))
    affected: Mapped[int] = mapped_column(Integer)
    # alerts, principals, networks, window and number of events selected
    selection: Mapped[dict[str, Any]] = mapped_column(JSON)
    # by_category, by_jurisdiction, by_country, by_confidence, notes, seconds
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class ScopeRunPerson(Base):
    """A person a run found, with what this run says about them (no identity in clear)."""

    __tablename__ = "scope_run_persons"
    run_id: Mapped[int] = mapped_column(ForeignKey("scope_runs.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("affected_persons.id"), primary_key=True, index=True
    )
    confidence: Mapped[str] = mapped_column(String(20))
    categories: Mapped[list[str]] = mapped_column(JSON)
    first_access: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_access: Mapped[datetime | None] = mapped_column(UtcDateTime)
    events: Mapped[int] = mapped_column(Integer)
    # Evidence references (``file:line`` of the events), the first few in sorted order.
    evidence: Mapped[list[str]] = mapped_column(JSON)
