"""A scan: open each source read-only, sample and classify each table, audit segmentation.

``scan_sources`` is what the CLI, the demo and the benchmarks call; it stores nothing
(``datamap.store_scan`` does, when a workspace is at hand).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from breachdesk.inventory.classify import classify_table
from breachdesk.inventory.names import Lexicon, default_lexicon
from breachdesk.inventory.results import ScanReport, TableReport
from breachdesk.inventory.sample import DEFAULT_SAMPLE
from breachdesk.inventory.segmentation import RuleSet, default_rules, evaluate
from breachdesk.inventory.sources import open_source

Progress = Callable[[str, int, int], None]
"""Called as ``progress(table, done, total)`` while a source is scanned."""


def scan_sources(
    specs: Sequence[str],
    *,
    sample: int = DEFAULT_SAMPLE,
    examples: bool = False,
    progress: Progress | None = None,
    lexicon: Lexicon | None = None,
    rules: RuleSet | None = None,
    primary_tables: Sequence[str] = (),
) -> ScanReport:
    """Scan every source in ``specs``; SourceUnavailable when one cannot be opened.

    ``primary_tables`` names tables that are sources of record (e.g. the person source), so
    copies of their data elsewhere are the ones reported.
    """
    started = datetime.now(UTC)
    clock = time.perf_counter()
    lexicon = lexicon or default_lexicon()
    tables: list[TableReport] = []
    displays: list[str] = []
    cells = 0
    for spec in specs:
        source = open_source(spec, sample=sample)
        try:
            displays.append(source.display)
            names = source.table_names()
            for done, table_sample in enumerate(source.tables()):
                if progress is not None:
                    progress(table_sample.table, done, len(names))
                report = classify_table(table_sample, lexicon=lexicon, examples=examples)
                cells += report.sampled_rows * len(report.columns)
                tables.append(report)
            if progress is not None:
                progress("", len(names), len(names))
        finally:
            source.close()
    findings = evaluate(tables, rules or default_rules(), primary_tables=primary_tables)
    return ScanReport(
        scan_id=uuid.uuid4().hex[:16],
        started_at=started,
        seconds=time.perf_counter() - clock,
        sample_size=sample,
        sources=tuple(displays),
        tables=tuple(tables),
        findings=tuple(findings),
        cells_sampled=cells,
        show_examples=examples,
    )
