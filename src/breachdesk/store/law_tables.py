"""Tables of the law stage: each assessment of an incident, and lawyers' overrides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from breachdesk.store.tables import Base, UtcDateTime


class LawAssessment(Base):
    """One assessment of an incident: the case and the risk it was made from."""

    __tablename__ = "law_assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    assessed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    case: Mapped[dict[str, Any]] = mapped_column(JSON)
    risk: Mapped[dict[str, Any]] = mapped_column(JSON)


class LawOverride(Base):
    """A lawyer's decision on the risk level (``target == "risk"``) or on one conclusion."""

    __tablename__ = "law_overrides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    target: Mapped[str] = mapped_column(String(120))
    required: Mapped[bool | None] = mapped_column(Boolean)
    level: Mapped[str | None] = mapped_column(String(20))
    justification: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
