"""Where a scan reads from: a database URL or a data file or folder, opened read-only.

``open_source`` decides which; both kinds yield ``TableSample``s one table at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from breachdesk.errors import SourceUnavailable
from breachdesk.inventory.file_source import FileSource
from breachdesk.inventory.sample import TableSample
from breachdesk.inventory.sql_source import SqlSource, looks_like_url

SQLITE_SUFFIXES = {".db", ".sqlite", ".sqlite3", ".db3"}


class Source(Protocol):
    """A place holding tables: lists them and samples each, never writing anything."""

    @property
    def display(self) -> str: ...

    def table_names(self) -> list[str]: ...

    def tables(self) -> Iterator[TableSample]: ...

    def close(self) -> None: ...


def open_source(spec: str, *, sample: int) -> Source:
    """The source named by ``spec``: an SQLAlchemy URL, a SQLite file, or a data file/folder."""
    if sample < 1:
        raise SourceUnavailable("the sample size must be at least 1 row")
    if looks_like_url(spec):
        return SqlSource(spec, sample)
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix.lower() in SQLITE_SUFFIXES:
        return SqlSource(f"sqlite:///{path.absolute()}", sample)
    return FileSource(path, sample)
