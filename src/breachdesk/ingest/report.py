"""What an ingest run did: per file and in total, with the options that shaped it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from breachdesk.errors import InputFileError
from breachdesk.ingest.blocks import BLOCK_SIZE
from breachdesk.ingest.parsers import MAX_LINE

Progress = Callable[[int], None]
"""Called with the number of stored bytes just read."""


@dataclass(frozen=True)
class FileProblem:
    """An input file that could not be read to its end (its readable part was kept)."""

    file: str
    line: int
    message: str


@dataclass
class FileResult:
    file: str
    source: str
    sha256: str
    status: str  # "ingested", "already ingested", "continued", "ingested again"
    events: int = 0
    rejected: int = 0
    skipped: int = 0
    lines: int = 0
    bytes: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    problems: list[FileProblem] = field(default_factory=list)


@dataclass
class IngestReport:
    """What one ingest run did; ``as_json`` is the CLI's ``--json`` output."""

    files: int = 0
    events: int = 0
    rejected: int = 0
    bytes: int = 0
    seconds: float = 0.0
    skipped_lines: int = 0
    already_ingested: int = 0
    ingested_again: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    results: list[FileResult] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "events": self.events,
            "rejected": self.rejected,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
        }

    def add(self, result: FileResult) -> None:
        self.results.append(result)
        self.problems.extend(result.problems)
        for reason, count in result.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + count
        self.files += 1
        self.events += result.events
        self.rejected += result.rejected
        self.skipped_lines += result.skipped
        self.bytes += result.bytes
        if result.status == "already ingested":
            self.already_ingested += 1
        elif result.status == "ingested again":
            self.ingested_again += 1

    def raise_for_problems(self) -> None:
        """One line naming the first unreadable file and line (exit code 2)."""
        if self.problems:
            first = self.problems[0]
            more = len(self.problems) - 1
            tail = f" (and {more} more file{'s' if more > 1 else ''})" if more else ""
            raise InputFileError(first.message + tail, path=first.file, line=first.line)


@dataclass(frozen=True)
class IngestOptions:
    """Tuning knobs; the defaults suit a laptop and the tests override them."""

    workers: int = max(1, min(4, os.cpu_count() or 1))
    block_size: int = BLOCK_SIZE
    max_line: int = MAX_LINE
    now: datetime | None = None
    stdin: BinaryIO | None = None
    force: bool = False
    """Ingest again files whose content was ingested before (``ingest --force``): their
    earlier events and rejects, and those of the earlier files they continued, are replaced."""
    tune_memory: bool = False
    """Keep freed memory for reuse during the run (process-wide glibc and Arrow settings,
    undone afterwards; see ``breachdesk.ingest.memory``). For processes that exist to
    ingest, such as the CLI; off by default so a host's allocator is left alone."""
