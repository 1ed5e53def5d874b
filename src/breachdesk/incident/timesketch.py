"""The timeline in Timesketch's import formats: JSON lines or CSV.

Each row has Timesketch's required ``message``, ``datetime`` (ISO 8601) and
``timestamp_desc``, plus ``timestamp`` (microseconds since the epoch) and Breachdesk's
own columns. CSV cells that a spreadsheet would run as a formula are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from breachdesk.incident.times import iso
from breachdesk.model.incident import TimelineItem, TimelineKind

COLUMNS = (
    "message",
    "datetime",
    "timestamp_desc",
    "timestamp",
    "kind",
    "actor",
    "source_ref",
    "incident_id",
    "entry_id",
)

TIMESTAMP_DESC = {
    TimelineKind.FIRST_EVENT: "First malicious event",
    TimelineKind.LAST_EVENT: "Last malicious event",
    TimelineKind.ANALYST: "Analyst note",
    TimelineKind.CONTAINMENT: "Containment action",
    TimelineKind.CASE: "Case change",
    TimelineKind.EVIDENCE: "Evidence collected",
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def timesketch_row(item: TimelineItem) -> dict[str, Any]:
    return {
        "message": item.text,
        "datetime": iso(item.at),
        "timestamp_desc": TIMESTAMP_DESC[item.kind],
        "timestamp": int(item.at.timestamp() * 1_000_000),
        "kind": item.kind.value,
        "actor": item.actor,
        "source_ref": item.source_ref or "",
        "incident_id": item.incident_id,
        "entry_id": item.id,
    }


def write_jsonl(items: Iterable[TimelineItem], out: Path) -> int:
    count = 0
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        for item in items:
            handle.write(json.dumps(timesketch_row(item), ensure_ascii=False) + "\n")
            count += 1
    return count


def write_csv(items: Iterable[TimelineItem], out: Path) -> int:
    count = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for item in items:
            row = timesketch_row(item)
            writer.writerow({k: _cell(v) for k, v in row.items()})
            count += 1
    return count


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
