"""The data map's tables: which categories each scanned column holds, and segmentation
findings. Written by ``inventory scan``; read by scope and notify. No sampled value is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from breachdesk.store.tables import Base, UtcDateTime, utcnow


class DataMapColumn(Base):
    """One column of one scanned table and the data categories found in it."""

    __tablename__ = "data_map"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(500))
    table_name: Mapped[str] = mapped_column(String(300))
    column_name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    declared_type: Mapped[str] = mapped_column(String(120), default="")
    row_count: Mapped[int | None] = mapped_column(Integer)
    # [{"category": "contact.email", "confidence": 0.97}, ...], most confident first.
    categories: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    top_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    scanned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("source", "table_name", "column_name"),
        Index("ix_data_map_table_name", "table_name"),
    )


class SegmentationFinding(Base):
    """A segmentation break found by the latest scan of a source."""

    __tablename__ = "segmentation_findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(String(32), index=True)
    rule: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(500), index=True)
    table_name: Mapped[str] = mapped_column(String(300))
    columns: Mapped[list[str]] = mapped_column(JSON)
    detail: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(300))
    found_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
