"""File sources: CSV/TSV, Parquet and JSON lines, a file or a folder of them.

Only the first rows are read, through streaming readers, with a byte budget: a 10 GB file
costs what its first megabytes cost. Bad bytes are decoded with replacement, never fatal.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from breachdesk.errors import SourceUnavailable
from breachdesk.inventory.sample import (
    ColumnSample,
    TableSample,
    python_text,
    rows_for,
    text_column,
)

BYTE_BUDGET = 256 * 1024 * 1024
"""Bytes read from one file at most, whatever the sample size asks for."""
MAX_LINE = 16 * 1024 * 1024
MAX_COLUMNS = 5000
MAX_FILES = 10_000
_BLOCKS = (1 << 20, 8 << 20, 64 << 20)

CSV_SUFFIXES = {".csv": ",", ".tsv": "\t", ".tab": "\t", ".psv": "|"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}


def file_kind(path: Path) -> str | None:
    """``csv``, ``tsv``, ``parquet`` or ``jsonl`` by suffix (``.gz`` allowed), else None."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes:
        return None
    last = suffixes[-1]
    if last in CSV_SUFFIXES:
        return "tsv" if CSV_SUFFIXES[last] == "\t" else "csv"
    if last in PARQUET_SUFFIXES:
        return "parquet"
    if last in JSONL_SUFFIXES:
        return "jsonl"
    return None


@dataclass
class FileSource:
    """A file or a folder of data files; each file is one table named by its path."""

    path: Path
    sample: int

    def __post_init__(self) -> None:
        self.path = self.path.expanduser().absolute()
        if not self.path.exists():
            raise SourceUnavailable(f"no such file or folder: {self.path}")
        if self.path.is_file() and file_kind(self.path) is None:
            raise SourceUnavailable(
                f"{self.path}: not a CSV/TSV, Parquet or JSON-lines file (by its suffix)"
            )

    @property
    def display(self) -> str:
        return str(self.path)

    def files(self) -> list[Path]:
        if self.path.is_file():
            return [self.path]
        found: list[Path] = []
        for candidate in sorted(self.path.rglob("*")):
            if any(part.startswith(".") for part in candidate.relative_to(self.path).parts):
                continue
            if candidate.is_file() and file_kind(candidate) is not None:
                found.append(candidate)
                if len(found) >= MAX_FILES:
                    break
        return found

    def table_names(self) -> list[str]:
        return [self._name(p) for p in self.files()]

    def _name(self, path: Path) -> str:
        return path.name if self.path.is_file() else str(path.relative_to(self.path))

    def tables(self) -> Iterator[TableSample]:
        for path in self.files():
            try:
                yield sample_file(path, self._name(path), self.sample, source=self.display)
            except SourceUnavailable as exc:
                if self.path.is_file():
                    raise
                # In a folder, one unreadable file is a note, not the end of the scan.
                yield TableSample(
                    self.display, self._name(path), "file", None, False, (), (str(exc),)
                )

    def close(self) -> None:
        return None


def sample_file(path: Path, name: str, sample: int, *, source: str) -> TableSample:
    """The first ``sample`` rows of one file; problems become notes, not exceptions."""
    kind = file_kind(path) or "csv"
    try:
        if kind == "parquet":
            return _parquet(path, name, sample, source)
        if kind == "jsonl":
            return _jsonl(path, name, sample, source)
        return _csv(path, name, sample, source, kind)
    except OSError as exc:
        raise SourceUnavailable(f"cannot read {path}: {exc.strerror or exc}") from None


def _table(
    source: str,
    name: str,
    kind: str,
    columns: list[tuple[str, str, pa.Array]],
    row_count: int | None,
    exact: bool,
    notes: list[str],
) -> TableSample:
    return TableSample(
        source=source,
        table=name,
        kind=kind,
        row_count=row_count,
        row_count_exact=exact,
        columns=tuple(ColumnSample(n, t, text_column(v)) for n, t, v in columns),
        notes=tuple(notes),
    )


# -- Parquet ---------------------------------------------------------------------------


def _parquet(path: Path, name: str, sample: int, source: str) -> TableSample:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        return _table(source, name, "parquet", [], None, False, [f"not readable as Parquet: {exc}"])
    schema = parquet.schema_arrow
    rows = rows_for(len(schema.names), sample)
    notes: list[str] = []
    try:
        batch = next(parquet.iter_batches(batch_size=rows), None)
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        batch = None
        notes.append(f"could not read rows: {exc}")
    columns: list[tuple[str, str, pa.Array]] = []
    for index, field in enumerate(schema):
        values = (
            batch.column(index).slice(0, rows) if batch is not None else pa.array([], pa.string())
        )
        columns.append((field.name, str(field.type), values))
    return _table(source, name, "parquet", columns, parquet.metadata.num_rows, True, notes)


# -- CSV / TSV -------------------------------------------------------------------------


def _open_bytes(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _sniff_delimiter(head: bytes, kind: str) -> str:
    if kind == "tsv":
        return "\t"
    text = head.decode("utf-8", "replace")
    lines = text.splitlines()[:20]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _csv(path: Path, name: str, sample: int, source: str, kind: str) -> TableSample:
    with _open_bytes(path) as handle:
        head = handle.read(64 * 1024)
    notes: list[str] = []
    # Text before the first NUL byte must hold at least a header and one row; a file that
    # turns to NULs later (a hole, a truncated copy) is read up to there.
    if b"\x00" in head and head.split(b"\x00", 1)[0].count(b"\n") < 2:
        notes.append("binary content (NUL bytes): not a delimited text file")
        return _table(source, name, kind, [], None, False, notes)
    encoding = "utf8"
    try:
        # A multi-byte character cut at the end of the head is not an error.
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            encoding = "latin1"
            notes.append("not UTF-8: read as Latin-1")
    delimiter = _sniff_delimiter(head, kind)
    batches: list[pa.RecordBatch] = []
    for attempt, block in enumerate(_BLOCKS):
        try:
            batches, names, stopped = _read_csv(path, delimiter, sample, block, encoding)
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "UTF8" in message and encoding == "utf8":
                encoding = "latin1"
                notes.append("not UTF-8: read as Latin-1")
                try:
                    batches, names, stopped = _read_csv(path, delimiter, sample, block, encoding)
                except pa.ArrowInvalid as again:
                    message = str(again)
                else:
                    break
            if "straddl" in message and attempt + 1 < len(_BLOCKS):
                continue
            notes.append(f"could not parse: {message.splitlines()[0][:200]}")
            return _table(source, name, kind, [], None, False, notes)
        else:
            break
    if stopped:
        notes.append(stopped)
    if batches:
        table = pa.Table.from_batches(batches)
    else:
        table = pa.table({n: pa.array([], pa.string()) for n in dict.fromkeys(names)})
    rows = rows_for(table.num_columns, sample)
    table = table.slice(0, rows)
    columns = [(n, "text", table.column(i)) for i, n in enumerate(table.column_names)]
    estimate = _estimate_rows(path, table) if path.suffix.lower() != ".gz" else None
    return _table(source, name, kind, columns, estimate, False, notes)


def _read_csv(
    path: Path, delimiter: str, sample: int, block: int, encoding: str
) -> tuple[list[pa.RecordBatch], list[str], str]:
    """Batches up to ``sample`` rows, the column names, and why reading stopped early."""
    read_options = pacsv.ReadOptions(block_size=block, use_threads=False, encoding=encoding)
    parse_options = pacsv.ParseOptions(
        delimiter=delimiter, newlines_in_values=True, invalid_row_handler=lambda _row: "skip"
    )
    with pa.input_stream(str(path), compression="detect") as stream:
        # First pass: the header only, to ask for every column as raw bytes (no inference).
        reader = pacsv.open_csv(stream, read_options=read_options, parse_options=parse_options)
        names = list(reader.schema.names)
    rows = rows_for(len(names), sample)
    convert = pacsv.ConvertOptions(
        column_types={n: pa.binary() for n in names}, strings_can_be_null=False
    )
    batches: list[pa.RecordBatch] = []
    count = 0
    read = 0
    stopped = ""
    with pa.input_stream(str(path), compression="detect") as stream:
        reader = pacsv.open_csv(
            stream, read_options=read_options, parse_options=parse_options, convert_options=convert
        )
        while count < rows:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                if not batches:
                    raise
                stopped = f"stopped after {count} rows: {str(exc).splitlines()[0][:160]}"
                break
            batches.append(batch)
            count += batch.num_rows
            read += block
            if read >= BYTE_BUDGET:
                stopped = f"stopped after {count} rows: read budget of {BYTE_BUDGET >> 20} MB"
                break
    return batches, names, stopped


def _estimate_rows(path: Path, table: pa.Table) -> int | None:
    if table.num_rows == 0:
        return 0
    size = path.stat().st_size
    total = 0
    for column in table.columns:
        lengths = pc.binary_length(column)
        total += int(pc.sum(lengths).as_py() or 0) + table.num_rows
    per_row = max(1.0, total / table.num_rows)
    return max(int(table.num_rows), int(size / per_row))


# -- JSON lines ------------------------------------------------------------------------


def _jsonl(path: Path, name: str, sample: int, source: str) -> TableSample:
    notes: list[str] = []
    records: list[dict[str, Any]] = []
    bad = 0
    read = 0
    with _open_bytes(path) as handle:
        while len(records) < sample:
            line = handle.readline(MAX_LINE)
            if not line:
                break
            read += len(line)
            if len(line) >= MAX_LINE and not line.endswith(b"\n"):
                notes.append(f"stopped at a line longer than {MAX_LINE >> 20} MB")
                break
            if read >= BYTE_BUDGET:
                notes.append(f"stopped: read budget of {BYTE_BUDGET >> 20} MB")
                break
            stripped = line.strip()
            if not stripped:
                continue
            try:
                value = json.loads(stripped.decode("utf-8", "replace"))
            except (ValueError, RecursionError):
                bad += 1
                continue
            if isinstance(value, dict):
                records.append(_flatten(value))
            else:
                bad += 1
    if bad:
        notes.append(f"{bad} lines were not JSON objects")
    keys: dict[str, None] = {}
    for record in records:
        for key in record:
            if len(keys) >= MAX_COLUMNS:
                break
            keys.setdefault(key, None)
    if len(keys) >= MAX_COLUMNS:
        notes.append(f"more than {MAX_COLUMNS} keys: the first {MAX_COLUMNS} kept")
    rows = rows_for(len(keys), sample)
    records = records[:rows]
    columns = [
        (key, _json_type(records, key), python_text([r.get(key) for r in records])) for key in keys
    ]
    estimate = None
    if records and path.suffix.lower() != ".gz":
        estimate = max(len(records), int(path.stat().st_size / max(1, read / max(1, len(records)))))
    return _table(source, name, "jsonl", columns, estimate, False, notes)


def _flatten(record: dict[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth < 2:
            flat.update(_flatten(value, f"{name}.", depth + 1))
        else:
            flat[name] = value
    return flat


def _json_type(records: list[dict[str, Any]], key: str) -> str:
    kinds = {type(r[key]).__name__ for r in records if r.get(key) is not None}
    if not kinds:
        return "null"
    return kinds.pop() if len(kinds) == 1 else "mixed"
