"""``--out``: one row per affected person, as CSV or Parquet — an export of personal data.

Columns: ``key, categories`` (semicolon-separated), ``country, subdivision, language,
confidence, first_access, last_access``. CSV cells that a spreadsheet would read as a
formula (starting with ``= + - @``, tab or carriage return) get a leading apostrophe. The
file is written next to its final name and moved into place; the export (path, rows,
SHA-256) goes to the audit log.
"""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from breachdesk.errors import UserInputError
from breachdesk.model.scope import ScopeReport
from breachdesk.store import record_audit
from breachdesk.workspace import Workspace

COLUMNS = (
    "key",
    "categories",
    "country",
    "subdivision",
    "language",
    "confidence",
    "first_access",
    "last_access",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """``cell`` made inert for spreadsheets (OWASP CSV injection advice)."""
    return "'" + cell if cell.startswith(_FORMULA) else cell


def export_table(report: ScopeReport) -> pa.Table:
    """The exported columns of ``report``'s persons."""
    persons = report.persons
    categories = pc.binary_join(persons.column("categories"), ";")
    return pa.table(
        {
            "key": persons.column("key"),
            "categories": categories,
            "country": persons.column("country"),
            "subdivision": persons.column("subdivision"),
            "language": persons.column("language"),
            "confidence": persons.column("confidence"),
            "first_access": persons.column("first_access"),
            "last_access": persons.column("last_access"),
        }
    )


def write_export(workspace: Workspace, report: ScopeReport, path: Path, *, actor: str) -> str:
    """Write ``--out`` (format from the suffix) and audit it; returns the file's SHA-256."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise UserInputError(f"--out {path.name!r}: give a .csv or .parquet file name")
    table = export_table(report)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserInputError(f"--out {path}: folder {folder} does not exist")
    partial = folder / f".{path.name}.partial"
    try:
        if suffix == ".csv":
            _write_csv(table, partial)
        else:
            pq.write_table(table, partial)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UserInputError(f"cannot write {path}: {exc.strerror or exc}") from None
    digest = _sha256(path)
    with workspace.store.session() as session:
        record_audit(
            session,
            actor=actor,
            action="scope.export",
            target=f"incident:{report.incident_id}",
            detail={
                "path": str(path.resolve()),
                "format": suffix.lstrip("."),
                "rows": table.num_rows,
                "columns": list(COLUMNS),
                "sha256": digest,
                "run": report.run_id,
            },
        )
    return digest


def _write_csv(table: pa.Table, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for batch in table.to_batches(50_000):
            columns = [_texts(batch.column(i)) for i in range(batch.num_columns)]
            writer.writerows(zip(*columns, strict=True))


def _texts(values: pa.Array) -> list[str]:
    if pa.types.is_timestamp(values.type):
        return [
            "" if v is None else v.isoformat().replace("+00:00", "Z") for v in values.to_pylist()
        ]
    return ["" if v is None else neutralise(str(v)) for v in values.to_pylist()]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
