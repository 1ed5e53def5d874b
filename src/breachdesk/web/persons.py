"""Affected persons of an incident for the web: one page of the list, and the CSV export.

Both are personal data leaving the store, so the routes that call these audit each use.
CSV cells a spreadsheet would run as formulas are neutralised.
"""

from __future__ import annotations

import csv
import hashlib
import io

from breachdesk.model import AffectedPerson
from breachdesk.scope import neutralise
from breachdesk.store import read_affected_persons
from breachdesk.workspace import Workspace

EXPORT_COLUMNS = (
    "key",
    "email",
    "name",
    "language",
    "country",
    "region",
    "postal_code",
    "categories",
    "first_access",
    "last_access",
)


def persons_page(
    workspace: Workspace, incident_id: str, *, offset: int, limit: int
) -> tuple[list[AffectedPerson], bool]:
    """``limit`` persons from ``offset`` and whether more follow."""
    store = workspace.store
    with store.session() as session:
        found = list(
            read_affected_persons(
                session, store.cipher, incident_id, offset=offset, limit=limit + 1
            )
        )
    return found[:limit], len(found) > limit


def persons_csv(workspace: Workspace, incident_id: str) -> tuple[bytes, int, str]:
    """The incident's persons as CSV bytes, the number of rows and the SHA-256."""
    store = workspace.store
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    rows = 0
    with store.session() as session:
        for person in read_affected_persons(session, store.cipher, incident_id):
            writer.writerow([neutralise(cell) for cell in _cells(person)])
            rows += 1
    data = out.getvalue().encode("utf-8")
    return data, rows, hashlib.sha256(data).hexdigest()


def _cells(person: AffectedPerson) -> list[str]:
    return [
        person.key,
        person.email or "",
        person.name or "",
        person.language or "",
        person.country or "",
        person.region or "",
        person.postal_code or "",
        ";".join(sorted(c.value for c in person.categories)),
        person.first_access.isoformat() if person.first_access else "",
        person.last_access.isoformat() if person.last_access else "",
    ]
