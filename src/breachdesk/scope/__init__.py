"""Scope: exactly whose records an incident's events took, and which data of each.

Object reads are exact, list pages and searches are rebuilt (inferred), logged SQL is
checked and replayed read-only (exact), anything else is a conservative superset with its
reason. Results are stored as scope runs of the incident, identities encrypted.
"""

from breachdesk.model.engines import ENGINES
from breachdesk.model.scope import (
    PERSONS_SCHEMA,
    Confidence,
    ScopeNote,
    ScopeReport,
    ScopeSelection,
)
from breachdesk.scope.engines import open_engine, stop_spark
from breachdesk.scope.export import neutralise, write_export
from breachdesk.scope.resolve import resolve_scope
from breachdesk.scope.runs import StoredRun, list_runs, store_run
from breachdesk.scope.select import build_selection, parse_window
from breachdesk.scope.service import scope_incident
from breachdesk.scope.sqlcheck import NotAnExposure, StatementRefused, check_statement

__all__ = [
    "ENGINES",
    "PERSONS_SCHEMA",
    "Confidence",
    "NotAnExposure",
    "ScopeNote",
    "ScopeReport",
    "ScopeSelection",
    "StatementRefused",
    "StoredRun",
    "build_selection",
    "check_statement",
    "list_runs",
    "neutralise",
    "open_engine",
    "parse_window",
    "resolve_scope",
    "scope_incident",
    "stop_spark",
    "store_run",
    "write_export",
]
