"""Ingest: logs of every format into one event table (Parquet by source and date).

One parser per format turns blocks of lines into the event schema without a Python loop per
line; the exposure map adds routes, resources and object ids; rejected lines are kept with
their file, line and reason; a manifest of content hashes makes every run idempotent.
"""

from breachdesk.ingest.logformat import LogFormatError
from breachdesk.ingest.pipeline import (
    FileProblem,
    FileResult,
    IngestOptions,
    IngestReport,
    ingest_configured,
    ingest_paths,
    planned_bytes,
)
from breachdesk.ingest.routes import ExposureMap

__all__ = [
    "ExposureMap",
    "FileProblem",
    "FileResult",
    "IngestOptions",
    "IngestReport",
    "LogFormatError",
    "ingest_configured",
    "ingest_paths",
    "planned_bytes",
]
