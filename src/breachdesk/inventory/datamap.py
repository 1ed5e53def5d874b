"""The data map in the workspace: column → categories, as the latest scan of each source
found them, plus its segmentation findings. Scope and notify read it through ``DataMap``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from breachdesk.inventory.results import SEVERITIES, ScanReport
from breachdesk.model.categories import Category
from breachdesk.store import Store, record_audit
from breachdesk.store.datamap_tables import DataMapColumn, SegmentationFinding

_SOURCE_MAX = 500
_NAME_MAX = 300


@dataclass(frozen=True)
class DataMapEntry:
    """One column of the data map and the categories (with confidence) it holds."""

    source: str
    table: str
    column: str
    declared_type: str
    row_count: int | None
    categories: tuple[tuple[Category, float], ...]
    scan_id: str
    scanned_at: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "table": self.table,
            "column": self.column,
            "type": self.declared_type,
            "row_count": self.row_count,
            "categories": [
                {"category": c.value, "confidence": round(p, 3)} for c, p in self.categories
            ],
            "scan_id": self.scan_id,
            "scanned_at": self.scanned_at.isoformat(),
        }


@dataclass(frozen=True)
class StoredFinding:
    """A segmentation finding as stored by the latest scan of its source."""

    rule: str
    severity: str
    source: str
    table: str
    columns: tuple[str, ...]
    detail: str
    reference: str
    scan_id: str

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "source": self.source,
            "table": self.table,
            "columns": list(self.columns),
            "detail": self.detail,
            "reference": self.reference,
            "scan_id": self.scan_id,
        }


@dataclass(frozen=True)
class DataMap:
    """The stored data map, with the questions later stages ask of it."""

    entries: tuple[DataMapEntry, ...]

    def categories_for(
        self,
        table: str,
        columns: Iterable[str] | None = None,
        *,
        source: str | None = None,
        minimum: float = 0.5,
    ) -> frozenset[Category]:
        """Categories held by ``columns`` of ``table`` (all its columns when None)."""
        wanted = None if columns is None else {c.lower() for c in columns}
        found: set[Category] = set()
        for entry in self.entries:
            if entry.table != table or (source is not None and entry.source != source):
                continue
            if wanted is not None and entry.column.lower() not in wanted:
                continue
            found.update(c for c, p in entry.categories if p >= minimum)
        return frozenset(found)

    def columns_with(self, category: Category, *, minimum: float = 0.5) -> list[DataMapEntry]:
        """Every column holding ``category``."""
        return [
            e for e in self.entries if any(c == category and p >= minimum for c, p in e.categories)
        ]


def store_scan(store: Store, report: ScanReport, *, actor: str) -> None:
    """Replace the data map and findings of each scanned source by ``report``'s; audit it."""
    sources = {t.source[:_SOURCE_MAX] for t in report.tables} | {
        s[:_SOURCE_MAX] for s in report.sources
    }
    with store.session() as session:
        for source in sources:
            session.execute(delete(DataMapColumn).where(DataMapColumn.source == source))
            session.execute(delete(SegmentationFinding).where(SegmentationFinding.source == source))
        seen: set[tuple[str, str, str]] = set()
        for table in report.tables:
            for position, column in enumerate(table.columns):
                key = (
                    table.source[:_SOURCE_MAX],
                    table.table[:_NAME_MAX],
                    column.name[:_NAME_MAX],
                )
                if key in seen:
                    continue  # duplicate header names: the first one is kept
                seen.add(key)
                categories = [
                    {"category": m.category.value, "confidence": round(m.confidence, 3)}
                    for m in column.categories
                ]
                session.add(
                    DataMapColumn(
                        scan_id=report.scan_id,
                        source=key[0],
                        table_name=key[1],
                        column_name=key[2],
                        position=position,
                        declared_type=column.declared_type[:120],
                        row_count=table.row_count,
                        categories=categories,
                        top_confidence=max((m.confidence for m in column.categories), default=0.0),
                        scanned_at=report.started_at,
                    )
                )
        for finding in report.findings:
            session.add(
                SegmentationFinding(
                    scan_id=report.scan_id,
                    rule=finding.rule,
                    severity=finding.severity,
                    source=finding.source[:_SOURCE_MAX],
                    table_name=finding.table[:_NAME_MAX],
                    columns=[c[:_NAME_MAX] for c in finding.columns],
                    detail=finding.detail,
                    reference=finding.reference[:300],
                    found_at=report.started_at,
                )
            )
        summary = report.summary()
        record_audit(
            session,
            actor=actor,
            action="inventory.scan",
            target=", ".join(sorted(sources))[:500],
            detail={
                "scan_id": report.scan_id,
                "tables": summary["tables"],
                "columns": summary["columns"],
                "personal_columns": summary["personal_columns"],
                "findings": summary["findings"],
                "sample_size": report.sample_size,
            },
        )


def read_data_map(store: Store) -> DataMap:
    """The stored data map (latest scan of every source)."""
    with store.session() as session:
        rows = session.scalars(
            select(DataMapColumn).order_by(
                DataMapColumn.source, DataMapColumn.table_name, DataMapColumn.position
            )
        ).all()
        entries = tuple(
            DataMapEntry(
                source=row.source,
                table=row.table_name,
                column=row.column_name,
                declared_type=row.declared_type,
                row_count=row.row_count,
                categories=tuple(
                    (Category(c["category"]), float(c["confidence"])) for c in row.categories
                ),
                scan_id=row.scan_id,
                scanned_at=row.scanned_at,
            )
            for row in rows
        )
    return DataMap(entries)


def read_findings(store: Store) -> list[StoredFinding]:
    """The stored segmentation findings, most severe first."""
    order: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
    with store.session() as session:
        rows = session.scalars(select(SegmentationFinding)).all()
        found = [
            StoredFinding(
                rule=row.rule,
                severity=row.severity,
                source=row.source,
                table=row.table_name,
                columns=tuple(row.columns),
                detail=row.detail,
                reference=row.reference,
                scan_id=row.scan_id,
            )
            for row in rows
        ]
    found.sort(key=lambda f: (order.get(f.severity, 9), f.rule, f.source, f.table))
    return found
