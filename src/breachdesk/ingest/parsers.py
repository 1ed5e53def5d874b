"""The parser of each log format, behind one small interface used by the pipeline."""

from __future__ import annotations

from typing import Any, Protocol

import pyarrow as pa

from breachdesk.config import LogFormat
from breachdesk.ingest.blocks import RecordStart
from breachdesk.ingest.events import Parsed
from breachdesk.ingest.text import TextBlock

MAX_LINE = 64 << 10
"""Lines longer than this are rejected as 'line too long' (legitimate access-log lines stay
far below: nginx's default header buffers cap a request line at 8 KiB)."""


class BlockParser(Protocol):
    """Turns one block of a log into fields; implementations keep no state between blocks."""

    @property
    def record_start(self) -> RecordStart | None:
        """For formats whose records span lines: does a line start a record?"""

    @property
    def whole_file(self) -> bool:
        """The format is one document (CloudTrail): the file is parsed as a single block."""

    def parse(self, block: TextBlock) -> Parsed: ...


class SequentialParser(BlockParser, Protocol):
    """A parser that must see its blocks' events in file order once parsed (MySQL: the user
    of a connection opened in an earlier block)."""

    def resolve(
        self, events: pa.Table, carry: dict[str, pa.Array], state: dict[str, Any]
    ) -> pa.Table: ...


def make_parser(
    fmt: LogFormat,
    *,
    log_format: str | None = None,
    timezone: str = "UTC",
    fields: dict[str, str] | None = None,
    max_line: int = MAX_LINE,
) -> BlockParser:
    """The parser for ``fmt`` with the source's settings."""
    if fmt in ("nginx", "apache"):
        from breachdesk.ingest.access import AccessParser
        from breachdesk.ingest.logformat import compile_format

        return AccessParser(compile_format(log_format, fmt), timezone, max_line=max_line)
    if fmt == "jsonl":
        from breachdesk.ingest.jsonl import JsonLinesParser

        return JsonLinesParser(fields or {}, timezone, max_line=max_line)
    if fmt == "pgaudit":
        from breachdesk.ingest.pgaudit import PgAuditParser

        return PgAuditParser(log_format, timezone, max_line=max_line)
    if fmt == "mysql-general":
        from breachdesk.ingest.mysql import MysqlGeneralParser

        return MysqlGeneralParser(timezone, max_line=max_line)
    from breachdesk.ingest.cloudtrail import CloudTrailParser

    return CloudTrailParser()
