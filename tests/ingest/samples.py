"""Shared by the ingest tests: an exposure map and a one-block parse helper."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

import pyarrow as pa

from breachdesk.config import Settings
from breachdesk.ingest.blocks import Block
from breachdesk.ingest.events import FinishContext, finish
from breachdesk.ingest.parsers import BlockParser
from breachdesk.ingest.rejects import Reject, block_rejects
from breachdesk.ingest.routes import ExposureMap
from breachdesk.ingest.text import TextBlock

EXPOSURE = """
[[exposure]]
route = "/api/v1/customers/{id}"
table = "customers"
key = "id"
kind = "object"
columns = ["id", "full_name", "email", "city"]

[[exposure]]
route = "/api/v1/customers"
table = "customers"
kind = "list"
order_by = "id"
columns = ["id", "full_name", "email", "city"]

[[exposure]]
route = "/api/v1/customers/search"
table = "customers"
kind = "search"
columns = ["id", "full_name", "email"]

[[exposure]]
route = "/api/v1/orders/{id}"
table = "orders"
key = "id"
columns = ["id", "customer_id", "total_cents"]

[[exposure]]
table = "customers"
kind = "table"
columns = ["id", "full_name", "email", "city"]
"""

LATE = 2**62  # no row counts as "in the future" unless a test says so


@dataclass
class Parse:
    events: pa.Table
    rejects: list[Reject]
    skipped: int

    def rows(self) -> list[dict[str, object]]:
        return self.events.to_pylist()

    def column(self, name: str) -> list[object]:
        return self.events.column(name).to_pylist()


def exposure_map(text: str = EXPOSURE) -> ExposureMap:
    return ExposureMap(Settings(**tomllib.loads(text)).exposure)


def parse_block(
    parser: BlockParser,
    data: bytes,
    *,
    first_line: int = 1,
    latest: int = LATE,
    exposure: ExposureMap | None = None,
) -> Parse:
    """Parse ``data`` as one block the way the pipeline does, without touching disk."""
    block = Block(0, data, first_line, data.count(b"\n"))
    text = TextBlock.from_block(block)
    parsed = parser.parse(text)
    ctx = FinishContext("test", "test.log", first_line, exposure or exposure_map(), latest)
    done = finish(parsed, ctx)
    rejects = block_rejects("test.log", parsed.source_lines or text, done.rejects)
    return Parse(done.events, rejects, done.skipped)
