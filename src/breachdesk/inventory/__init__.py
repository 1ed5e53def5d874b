"""Inventory: where customer personal data lives, and whether its segmentation holds.

Scan databases (read-only) and data files, classify each column into the taxonomy of
``breachdesk.model.Category``, audit segmentation, keep the data map in the workspace.
"""

from breachdesk.inventory.classify import classify_table
from breachdesk.inventory.datamap import (
    DataMap,
    DataMapEntry,
    StoredFinding,
    read_data_map,
    read_findings,
    store_scan,
)
from breachdesk.inventory.names import Lexicon, default_lexicon
from breachdesk.inventory.report import render_html, write_html
from breachdesk.inventory.results import (
    CategoryMatch,
    ColumnReport,
    Evidence,
    Finding,
    HashObservation,
    ScanReport,
    TableReport,
)
from breachdesk.inventory.rulefiles import RuleFileError
from breachdesk.inventory.sample import DEFAULT_SAMPLE, ColumnSample, TableSample, mask_value
from breachdesk.inventory.scan import scan_sources
from breachdesk.inventory.segmentation import RuleSet, default_rules, load_rules
from breachdesk.inventory.sources import Source, open_source

__all__ = [
    "DEFAULT_SAMPLE",
    "CategoryMatch",
    "ColumnReport",
    "ColumnSample",
    "DataMap",
    "DataMapEntry",
    "Evidence",
    "Finding",
    "HashObservation",
    "Lexicon",
    "RuleFileError",
    "RuleSet",
    "ScanReport",
    "Source",
    "StoredFinding",
    "TableReport",
    "TableSample",
    "classify_table",
    "default_lexicon",
    "default_rules",
    "load_rules",
    "mask_value",
    "open_source",
    "read_data_map",
    "read_findings",
    "render_html",
    "scan_sources",
    "store_scan",
    "write_html",
]
