"""What a scan finds: per column categories with evidence, per table, findings, the report.

Frozen dataclasses; ``to_json`` gives the documented ``--json`` shape (docs/inventory.md).
No sampled value is ever held here except masked examples, and only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from breachdesk.model.categories import Category

EvidenceKind = Literal["name", "values", "validator", "type", "context"]
Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")
JSON_SCHEMA_ID = "breachdesk.inventory.scan/1"


@dataclass(frozen=True)
class Evidence:
    """One reason to believe a column holds a category; ``score`` is 0..1."""

    kind: EvidenceKind
    detail: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "detail": self.detail, "score": round(self.score, 3)}


@dataclass(frozen=True)
class CategoryMatch:
    """A category found in a column, how sure we are (0..1) and why."""

    category: Category
    confidence: float
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "confidence": round(self.confidence, 3),
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class HashObservation:
    """How many sampled values of a column have a password-hash format, and its work factor."""

    format: str
    count: int
    min_param: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"format": self.format, "count": self.count, "min_work": self.min_param}


@dataclass(frozen=True)
class ColumnReport:
    """One column: type, fill rate, categories and (masked, on request) examples."""

    name: str
    declared_type: str
    non_empty: int
    sampled: int
    categories: tuple[CategoryMatch, ...] = ()
    hashes: tuple[HashObservation, ...] = ()
    plain_share: float = 0.0
    examples: tuple[str, ...] = ()

    def has(self, category: Category, *, minimum: float = 0.5) -> bool:
        return any(m.category == category and m.confidence >= minimum for m in self.categories)

    def match(self, category: Category) -> CategoryMatch | None:
        return next((m for m in self.categories if m.category == category), None)

    def to_json(self, *, examples: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.declared_type,
            "sampled": self.sampled,
            "non_empty": self.non_empty,
            "categories": [m.to_json() for m in self.categories],
            "password_hashes": [h.to_json() for h in self.hashes],
        }
        if examples:
            data["examples"] = list(self.examples)
        return data


@dataclass(frozen=True)
class TableReport:
    """One table or file of a source, and its classified columns."""

    source: str
    table: str
    kind: str
    row_count: int | None
    row_count_exact: bool
    sampled_rows: int
    columns: tuple[ColumnReport, ...]
    notes: tuple[str, ...] = ()

    @property
    def location(self) -> str:
        return f"{self.source} {self.table}"

    def categories(self, *, minimum: float = 0.5) -> set[Category]:
        return {m.category for c in self.columns for m in c.categories if m.confidence >= minimum}

    def columns_with(self, *categories: Category, minimum: float = 0.5) -> list[str]:
        return [c.name for c in self.columns if any(c.has(k, minimum=minimum) for k in categories)]

    def to_json(self, *, examples: bool = False) -> dict[str, Any]:
        return {
            "source": self.source,
            "table": self.table,
            "kind": self.kind,
            "row_count": self.row_count,
            "row_count_exact": self.row_count_exact,
            "sampled_rows": self.sampled_rows,
            "notes": list(self.notes),
            "columns": [c.to_json(examples=examples) for c in self.columns],
        }


@dataclass(frozen=True)
class Finding:
    """A segmentation break: which rule, where, how bad, what it rests on and the fix."""

    rule: str
    severity: Severity
    title: str
    source: str
    table: str
    columns: tuple[str, ...]
    detail: str
    reference: str
    url: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "title": self.title,
            "source": self.source,
            "table": self.table,
            "columns": list(self.columns),
            "detail": self.detail,
            "reference": self.reference,
            "url": self.url,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class ScanReport:
    """Everything one ``inventory scan`` found."""

    scan_id: str
    started_at: datetime
    seconds: float
    sample_size: int
    sources: tuple[str, ...]
    tables: tuple[TableReport, ...]
    findings: tuple[Finding, ...]
    cells_sampled: int
    show_examples: bool = False
    errors: tuple[str, ...] = field(default=())

    def summary(self) -> dict[str, Any]:
        categories: dict[str, int] = {}
        personal = 0
        columns = 0
        for table in self.tables:
            for column in table.columns:
                columns += 1
                found = [m.category.value for m in column.categories if m.confidence >= 0.5]
                if found:
                    personal += 1
                for name in found:
                    categories[name] = categories.get(name, 0) + 1
        severities = {s: 0 for s in SEVERITIES}
        for finding in self.findings:
            severities[finding.severity] += 1
        return {
            "tables": len(self.tables),
            "columns": columns,
            "personal_columns": personal,
            "categories": dict(sorted(categories.items())),
            "findings": severities,
            "cells_sampled": self.cells_sampled,
            "seconds": round(self.seconds, 3),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": JSON_SCHEMA_ID,
            "scan_id": self.scan_id,
            "started_at": self.started_at.isoformat(),
            "sample_size": self.sample_size,
            "sources": list(self.sources),
            "summary": self.summary(),
            "tables": [t.to_json(examples=self.show_examples) for t in self.tables],
            "findings": [f.to_json() for f in self.findings],
            "errors": list(self.errors),
        }
