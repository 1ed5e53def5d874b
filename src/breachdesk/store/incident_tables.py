"""Tables the incident service adds to the store: the history of each incident's key facts.

Shares ``Base`` with ``tables.py`` so one metadata (and one Alembic history) covers both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from breachdesk.store.tables import Base, UtcDateTime, utcnow


class IncidentChange(Base):
    """One change of an incident's status, CSF function, awareness or containment time.

    ``reason`` says why (required for ``aware_at``, which starts the regulatory clocks).
    Values are stored as text: ISO 8601 UTC for times, the name for status and function.
    """

    __tablename__ = "incident_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
