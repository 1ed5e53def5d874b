"""nginx and Apache access logs (combined or any custom ``log_format``), parsed per block.

Fast path: pyarrow's CSV tokenizer splits the block on spaces and quotes. Each row it returns
is then checked against the line it came from — same length once separators and quotes are
counted, no quote inside a value, literal parts where the format puts them — and any row that
fails, or any block the tokenizer could misalign (a lone carriage return), goes through the
format's RE2 pattern instead. Lines the pattern does not match are rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from breachdesk.ingest.arrowtext import (
    NULL_STRING,
    blank_to_null,
    bool_array,
    dash_to_null,
    groups,
    match_groups,
    share,
    to_int,
)
from breachdesk.ingest.blocks import Bytes, RecordStart
from breachdesk.ingest.events import REQUEST_KEY, Parsed, as_dictionary
from breachdesk.ingest.logformat import AccessLayout, CsvColumn, CsvLayout, LogFormatError
from breachdesk.ingest.text import TextBlock
from breachdesk.ingest.timeparse import parse_clf_parts, parse_times

REASON_NO_MATCH = "does not match the log format"
REASON_EMPTY = "empty line"
REASON_TOO_LONG = "line too long"
REASON_STATUS = "bad status"
REASON_BYTES = "bad byte count"

_TIME_VARS = ("time_local", "time_iso8601", "msec", "epoch_msec", "epoch_usec", "time_custom")
_QUOTE = ord('"')
_CSV_CHUNK = 1 << 20
"""The tokenizer's chunk: small enough to stay in cache (a longer line is retried whole)."""
_TARGET = r"^(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?"
_REPEATED = ("time_local",)
_PAST_END = 1 << 31
"""A slice start beyond any value of a string array (offsets are 32-bit)."""


class AccessParser:
    """Parser for one access-log layout."""

    record_start: RecordStart | None = None
    whole_file = False

    def __init__(
        self, layout: AccessLayout, timezone: str, *, max_line: int, use_csv: bool = True
    ) -> None:
        if not layout.variables & set(_TIME_VARS):
            raise LogFormatError(
                f"the log format {layout.format!r} has no time "
                "($time_local, $time_iso8601, $msec, or Apache %t)"
            )
        self.layout = layout
        self.timezone = timezone
        self.max_line = max_line
        self.use_csv = use_csv and layout.csv is not None
        self._names = [f"c{i}" for i in range(len(layout.csv.columns))] if layout.csv else []
        # Tokens that repeat line after line (the two halves of $time_local: one value per
        # second) are dictionary-encoded as soon as they are split, so that checking and
        # parsing them is done once per distinct value.
        self._repeated = (
            [c.var is not None and c.var.name in _REPEATED for c in layout.csv.columns]
            if layout.csv
            else []
        )

    # -- splitting -------------------------------------------------------------------------

    def parse(self, block: TextBlock) -> Parsed:
        n = block.n_lines
        lengths = block.lengths
        too_long = lengths > self.max_line
        rejects: list[tuple[np.ndarray, str]] = []
        if too_long.any():
            rejects.append((np.flatnonzero(too_long), REASON_TOO_LONG))
        values: dict[str, pa.Array]
        if self.use_csv and self.layout.csv is not None:
            values, rows, retry = self._split_csv(block, self.layout.csv)
        else:
            values, rows, retry = {}, np.zeros(0, dtype=np.int64), np.arange(n, dtype=np.int64)
        retry = retry[~too_long[retry]]
        if len(retry):
            more, more_rows, unmatched = self._split_regex(block, retry)
            if len(unmatched):
                empty = lengths[unmatched] == 0
                if empty.any():
                    rejects.append((unmatched[empty], REASON_EMPTY))
                if (~empty).any():
                    rejects.append((unmatched[~empty], REASON_NO_MATCH))
            if values:
                values = {k: pa.concat_arrays([_plain(values[k]), more[k]]) for k in values}
                rows = np.concatenate([rows, more_rows])
            else:
                values, rows = more, more_rows
        if len(rows) and too_long.any():
            keep = ~too_long[rows]
            if not keep.all():
                mask = bool_array(keep)
                values = {k: v.filter(mask) for k, v in values.items()}
                rows = rows[keep]
        return self._to_fields(values, rows, rejects)

    def _split_csv(
        self, block: TextBlock, layout: CsvLayout
    ) -> tuple[dict[str, pa.Array], np.ndarray, np.ndarray]:
        """Values of the rows the CSV tokenizer split faithfully, their lines, and the lines
        left for the regex."""
        n = block.n_lines
        everything = np.arange(n, dtype=np.int64)
        text = block.text
        if n == 0:
            return {}, everything, everything
        if block.lone_carriage_returns:
            return {}, np.zeros(0, dtype=np.int64), everything
        invalid: list[int] = []

        def skip(row: Any) -> str:
            invalid.append(int(row.number))
            return "skip"

        try:
            table = self._read_csv(text, skip, _CSV_CHUNK)
        except pa.ArrowInvalid:
            invalid.clear()
            try:  # a line longer than the tokenizer's chunk: one chunk for the whole block
                table = self._read_csv(text, skip, min(len(text) + 1, (1 << 31) - 1))
            except pa.ArrowInvalid:
                return {}, np.zeros(0, dtype=np.int64), everything
        if table.num_rows + len(invalid) != n:
            # A quote left open swallowed a line end: rows no longer line up with lines.
            return {}, np.zeros(0, dtype=np.int64), everything
        rows = np.delete(everything, np.asarray(invalid, dtype=np.int64) - 1)
        columns = [
            _single(table.column(i), encode=self._repeated[i]) for i in range(table.num_columns)
        ]
        good = self._faithful(columns, layout, block, rows)
        good = self._quotes_accounted(block, columns, layout, rows, good)
        good_np = good.to_numpy(zero_copy_only=False)
        retry = np.sort(
            np.concatenate([everything[np.asarray(invalid, dtype=np.int64) - 1], rows[~good_np]])
        )
        if not good_np.all():
            columns = [c.filter(good) for c in columns]
            rows = rows[good_np]
        return self._csv_values(columns, layout), rows, retry

    def _read_csv(self, text: Bytes, skip: Any, chunk: int) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(text)),
            read_options=pacsv.ReadOptions(
                column_names=self._names, use_threads=False, block_size=chunk
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=" ",
                quote_char='"',
                escape_char=False,
                double_quote=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
                invalid_row_handler=skip,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in self._names},
                check_utf8=False,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    def _faithful(
        self, columns: list[pa.Array], layout: CsvLayout, block: TextBlock, rows: np.ndarray
    ) -> pa.Array:
        """Rows whose line is exactly the format's skeleton around the values: same length,
        quotes where the format has them, literal text where it has some."""
        view = np.frombuffer(block.text, dtype=np.uint8)
        # ``position`` adds up the values' widths only; the separators and quotes before a
        # column are the same on every line, so they are counted once in ``skeleton`` (an
        # int) rather than added to every row: one array pass per column instead of three.
        # Gathers use mode="clip": a row the tokenizer misread can point past the block's
        # end, and clipping reads the last byte, as np.minimum did before (the row then
        # fails the length test).
        position = block.starts[rows]
        skeleton = 0
        quoted_ok = np.ones(len(rows), dtype=bool)
        checks: list[pa.Array] = []
        for column, spec in zip(columns, layout.columns, strict=True):
            width = _widths(column)
            if spec.quoted:
                quoted_ok &= np.take(view, position + skeleton, mode="clip") == _QUOTE
                position += width
                quoted_ok &= np.take(view, position + (skeleton + 1), mode="clip") == _QUOTE
                skeleton += 2
            else:
                position += width
            skeleton += 1
            check = _column_check(spec, self.layout.dialect)
            if check is not None:
                checks.append(_distinct(column, check))
        # After the last column and its separator, ``position + skeleton`` is one past the
        # line's end.
        good = bool_array(quoted_ok & (position + (skeleton - 1) == block.ends[rows]))
        for check in checks:
            good = pc.and_(good, check)
        return good

    def _quotes_accounted(
        self,
        block: TextBlock,
        columns: list[pa.Array],
        layout: CsvLayout,
        rows: np.ndarray,
        good: pa.Array,
    ) -> pa.Array:
        """Rows whose lines hold exactly the format's quotes, no more (checked per block)."""
        good_np = good.to_numpy(zero_copy_only=False)
        expected = 2 * layout.quoted * int(good_np.sum())
        others = np.ones(block.n_lines, dtype=bool)
        others[rows[good_np]] = False
        if found_quotes(block, np.flatnonzero(others)) == block.quotes - expected:
            return good
        for column in columns:
            quoted = _distinct(column, lambda v: pc.match_substring(v, '"'))
            good = pc.and_(good, pc.invert(quoted))
        return good

    def _csv_values(self, columns: list[pa.Array], layout: CsvLayout) -> dict[str, pa.Array]:
        values: dict[str, pa.Array] = {}
        pending: dict[str, list[pa.Array]] = {}
        for column, spec in zip(columns, layout.columns, strict=True):
            if spec.var is None:
                continue
            if spec.var.name == "time_local" and spec.parts == 2:
                # Kept in its two tokens (brackets included): parse_clf_parts reads them so.
                values[f"time_local#{spec.part}"] = column
                continue
            column = _plain(column)
            start = len(spec.prefix)
            stop = -len(spec.suffix) if spec.suffix else None
            if start or stop is not None:
                column = pc.utf8_slice_codeunits(column, start, stop if stop is not None else 2**31)
            if spec.parts == 1:
                values[spec.var.name] = column
            else:
                pending.setdefault(spec.var.name, []).append(column)
                if len(pending[spec.var.name]) == spec.parts:
                    values[spec.var.name] = pc.binary_join_element_wise(
                        *pending.pop(spec.var.name), " "
                    )
        return values

    def _split_regex(
        self, block: TextBlock, index: np.ndarray
    ) -> tuple[dict[str, pa.Array], np.ndarray, np.ndarray]:
        lines = block.lines.take(pa.array(index))
        found, hit = match_groups(lines, self.layout.pattern)
        hit_np = hit.to_numpy(zero_copy_only=False)
        values: dict[str, pa.Array] = {}
        for name, var in self.layout.groups:
            column = pc.fill_null(found[name], "").filter(hit)
            values.setdefault(var.name, column)
        if "time_local" in values:
            # Same shape as the CSV path gives: the two tokens of $time_local.
            pieces = pc.split_pattern(_append(values.pop("time_local"), " "), " ", max_splits=1)
            values["time_local#0"] = pc.list_element(pieces, 0)
            values["time_local#1"] = pc.utf8_slice_codeunits(pc.list_element(pieces, 1), 0, -1)
        return values, index[hit_np], index[~hit_np]

    # -- fields ------------------------------------------------------------------------------

    def _to_fields(
        self, values: dict[str, pa.Array], rows: np.ndarray, rejects: list[tuple[np.ndarray, str]]
    ) -> Parsed:
        n = len(rows)
        if n == 0:
            return Parsed({}, rows, "http_or_api", rejects=rejects)
        fields: dict[str, pa.Array] = {"time": self._time(values)}
        problems = pa.nulls(n, pa.string())
        for var, name in (
            ("remote_addr", "src_ip"),
            ("remote_user", "principal"),
            ("http_user_agent", "user_agent"),
        ):
            if var in values:
                encoded = pc.dictionary_encode(values[var])
                cleaned = dash_to_null(encoded.dictionary)
                # When no entry is "-" (addresses, user agents, as a rule) the dictionary is
                # kept as it is: ``share`` would hash its tens of thousands of distinct
                # addresses again only to find them distinct.
                fields[name] = (
                    encoded if cleaned is encoded.dictionary else _share(encoded, cleaned)
                )
        fields.update(self._request(values, n))
        if "status" in values:
            status, bad = _numbers(values["status"], pa.int32())
            fields["status"] = status
            problems = pc.if_else(bad, REASON_STATUS, problems)
        for name in ("body_bytes_sent", "bytes_sent"):
            if name in values:
                count, bad = _numbers(values[name], pa.int64())
                fields["bytes"] = count
                problems = pc.if_else(bad, pc.coalesce(problems, REASON_BYTES), problems)
                break
        return Parsed(fields, rows, "http_or_api", problems=problems, rejects=rejects)

    def _time(self, values: dict[str, pa.Array]) -> pa.Array:
        if "time_local#0" in values:
            return parse_clf_parts(values["time_local#0"], values["time_local#1"])
        if "time_local" in values:
            return parse_times(values["time_local"], "clf", self.timezone)
        if "time_iso8601" in values:
            return parse_times(values["time_iso8601"], "iso8601", self.timezone)
        if "msec" in values:
            return parse_times(values["msec"], "epoch")
        if "epoch_msec" in values:
            return parse_times(values["epoch_msec"], "epoch_ms")
        if "epoch_usec" in values:
            micros = to_int(values["epoch_usec"], pa.int64())
            return pc.cast(micros, pa.timestamp("us", tz="UTC"))
        var = next(v for _, v in self.layout.groups if v.name == "time_custom")
        return parse_times(values["time_custom"], "strptime", self.timezone, fmt=var.time_format)

    def _request(self, values: dict[str, pa.Array], n: int) -> dict[str, pa.Array]:
        """Method, path and query, derived once per distinct request text."""
        if "request" in values:
            encoded = pc.dictionary_encode(values["request"])
            method, path, query = split_requests(encoded.dictionary)
            return {REQUEST_KEY: encoded.indices, "method": method, "path": path, "query": query}
        out: dict[str, pa.Array] = {}
        if "request_method" in values:
            out["method"] = dash_to_null(values["request_method"])
        uri = values.get("request_uri", values.get("uri"))
        if uri is not None:
            split = groups(dash_to_null(uri), _TARGET)
            out["path"] = pc.coalesce(split["path"], uri)
            out["query"] = split["query"]
        if "args" in values or "query_string" in values:
            args = dash_to_null(values.get("args", values.get("query_string")))
            args = blank_to_null(pc.utf8_ltrim(args, "?"))
            out["query"] = pc.coalesce(out.get("query", pa.nulls(n, pa.string())), args)
        return out


def split_requests(requests: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Method, path and query of request lines (``GET /a?b=1 HTTP/1.1``).

    A request that is not ``METHOD TARGET [PROTOCOL]`` (a TLS handshake sent to the HTTP port,
    ``-``, garbage) keeps its text as the path, as logged, with no method.
    """
    # Padding guarantees enough pieces, so no row needs a special case.
    parts = pc.split_pattern(_append(requests, "  "), " ", max_splits=2)
    method = pc.list_element(parts, 0)
    target = pc.list_element(parts, 1)
    shaped = pc.and_(
        pc.fill_null(pc.utf8_is_alpha(method), False),
        pc.fill_null(pc.greater(pc.binary_length(target), 0), False),
    )
    method = pc.if_else(shaped, method, NULL_STRING)
    target = pc.if_else(shaped, target, dash_to_null(requests))
    pieces = pc.split_pattern(_append(target, "?"), "?", max_splits=1)
    path = pc.list_element(pieces, 0)
    query = pc.utf8_slice_codeunits(pc.list_element(pieces, 1), 0, -1)
    return method, path, blank_to_null(query)


def _append(values: pa.Array, suffix: str) -> pa.Array:
    # Replacing the empty slice past a value's end appends to it: a plain copy per value,
    # about five times cheaper than binary_join_element_wise (a kernel for any number of
    # columns) doing the same; a null stays null either way.
    return pc.binary_replace_slice(values, start=_PAST_END, stop=_PAST_END, replacement=suffix)


def found_quotes(block: TextBlock, lines: np.ndarray) -> int:
    """Quote characters in the given lines of the block."""
    if len(lines) < 4096:
        text = block.text
        return sum(text[int(block.starts[i]) : int(block.ends[i])].count(b'"') for i in lines)
    view = np.frombuffer(block.text, dtype=np.uint8)
    positions = np.flatnonzero(view == ord('"'))
    owner = np.searchsorted(block.starts, positions, side="right") - 1
    inside = positions < block.ends[owner]
    counts = np.bincount(owner[inside], minlength=block.n_lines)
    return int(counts[lines].sum())


def _single(column: pa.ChunkedArray, *, encode: bool = False) -> pa.Array:
    if encode:
        return as_dictionary(column)
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def _plain(values: pa.Array) -> pa.Array:
    if isinstance(values, pa.DictionaryArray):
        return values.dictionary_decode()
    return values


def _distinct(column: pa.Array, function: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``function`` of each value, computed once per distinct value of a dictionary column."""
    if isinstance(column, pa.DictionaryArray):
        return pc.take(function(column.dictionary), column.indices)
    return function(column)


def _widths(column: pa.Array) -> np.ndarray:
    """Byte length of each value, read off the offsets buffer (no Arrow kernel, no int64
    copy); a dictionary column's lengths are taken per distinct value and spread back."""
    if isinstance(column, pa.DictionaryArray):
        if column.indices.null_count == 0:
            indices = column.indices.to_numpy(zero_copy_only=False)
            widths: np.ndarray = _widths(column.dictionary)[indices]
            return widths
    elif column.type == pa.string() and column.null_count == 0:
        offsets = np.frombuffer(
            column.buffers()[1], dtype=np.int32, count=len(column) + 1, offset=4 * column.offset
        )
        return np.diff(offsets)
    lengths = _distinct(column, pc.binary_length).to_numpy(zero_copy_only=False)
    fallback: np.ndarray = lengths.astype(np.int64)
    return fallback


def _column_check(spec: CsvColumn, dialect: str) -> Callable[[pa.Array], pa.Array] | None:
    """The test a split value must pass to be what the format's regex would read there
    (its literal text, its prefix and suffix, no stop character inside); None if none."""
    tests: list[Callable[[pa.Array], pa.Array]] = []
    if spec.literal is not None:
        literal = spec.literal
        tests.append(lambda v: pc.equal(v, literal))
    if spec.stop is not None and spec.stop not in ' "':
        # The regex reads the variable up to this character: so must the split.
        stop = spec.stop
        expected = spec.prefix.count(stop) + spec.suffix.count(stop)
        tests.append(lambda v: pc.equal(pc.count_substring(v, stop), expected))
    if spec.prefix:
        prefix = spec.prefix
        tests.append(lambda v: pc.starts_with(v, prefix))
    if spec.suffix:
        suffix = spec.suffix
        tests.append(lambda v: pc.ends_with(v, suffix))
    if spec.quoted and dialect == "apache":
        # Apache escapes quotes as \" : a backslash means the regex must decide.
        tests.append(lambda v: pc.invert(pc.match_substring(v, "\\")))
    if not tests:
        return None

    def check(values: pa.Array) -> pa.Array:
        result = tests[0](values)
        for test in tests[1:]:
            result = pc.and_(result, test(values))
        return result

    return check


def _share(encoded: pa.DictionaryArray, derived: pa.Array) -> pa.DictionaryArray:
    """A value derived per distinct entry, spread back with the same indices."""
    return share(encoded.indices, derived)


def _numbers(values: pa.Array, kind: pa.DataType) -> tuple[pa.Array, pa.Array]:
    """Integers from text (``-`` is no value) and where the text was not a number."""
    given = dash_to_null(values)
    try:
        return pc.cast(given, kind), pa.nulls(len(values), pa.bool_()).fill_null(False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        result = to_int(given, kind)
        return result, pc.fill_null(pc.and_(pc.is_valid(given), pc.is_null(result)), False)


__all__ = ["AccessParser", "split_requests"]
