"""Lines that did not become events, kept with file, line and reason.

Stored as JSON lines under ``.breachdesk/rejects/source=NAME/<file key>.jsonl``. The raw line
is escaped byte by byte (printable ASCII as is, anything else as ``\\xNN``): reversible, and
harmless to ``cat`` — no terminal escape, no newline survives. Over-long lines keep their
first 64 KiB (the log file itself keeps the rest; ``length`` says how long the line was).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from breachdesk.ingest.blocks import REJECT_HEAD, LongLine
from breachdesk.ingest.text import TextBlock, escape_bytes

REASON_TRUNCATED = "line cut short by the end of a damaged file"


@dataclass(frozen=True)
class Reject:
    """One line that is not an event."""

    file: str
    line: int
    reason: str
    raw: str
    length: int
    truncated: bool

    def to_json(self) -> str:
        return json.dumps(
            {
                "file": self.file,
                "line": self.line,
                "reason": self.reason,
                "raw": self.raw,
                "length": self.length,
                "truncated": self.truncated,
            },
            ensure_ascii=True,
        )


def make_reject(file: str, line: int, reason: str, raw: bytes, length: int | None = None) -> Reject:
    head = raw[:REJECT_HEAD]
    return Reject(
        file=file,
        line=line,
        reason=reason,
        raw=escape_bytes(head),
        length=len(raw) if length is None else length,
        truncated=len(head) < (len(raw) if length is None else length),
    )


def block_rejects(
    file: str, block: TextBlock, groups: list[tuple[np.ndarray, str]]
) -> list[Reject]:
    """Reject records for lines of ``block`` (a Python step per rejected line only)."""
    out: list[Reject] = []
    for lines, reason in groups:
        for index in lines.tolist():
            raw = block.raw_line(index)
            out.append(make_reject(file, block.first_line + index, reason, raw))
    out.sort(key=lambda r: r.line)
    return out


def long_line_reject(file: str, item: LongLine) -> Reject:
    return make_reject(file, item.line, item.reason, item.head, item.length)


def read_rejects(path: Path) -> Iterator[Reject]:
    """The rejects stored in one file (for reports and tests)."""
    with open(path, encoding="ascii") as handle:
        for text in handle:
            data = json.loads(text)
            yield Reject(
                file=data["file"],
                line=data["line"],
                reason=data["reason"],
                raw=data["raw"],
                length=data["length"],
                truncated=data["truncated"],
            )
