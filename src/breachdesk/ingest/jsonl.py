"""JSON lines (an API gateway's log): one object per line, fields mapped per source.

``[sources.fields]`` maps each event field to the JSON key holding it (dotted for nested
objects); without a mapping the event field names themselves are looked up. Each block goes
through DuckDB's JSON functions in one query: every key extracted in a single parse per line.
Numbers arrive as text and are converted like any other log's; strings keep every character
(an escape sequence in a user agent stays data, never terminal output).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.errors import ConfigError
from breachdesk.ingest.access import REASON_TOO_LONG
from breachdesk.ingest.arrowtext import blank_to_null, matched, to_int
from breachdesk.ingest.blocks import RecordStart
from breachdesk.ingest.duck import json_path, query, sql_string
from breachdesk.ingest.events import Parsed
from breachdesk.ingest.text import TextBlock
from breachdesk.ingest.timeparse import parse_times
from breachdesk.model import EVENT_FIELDS

REASON_NOT_JSON = "not a JSON object"
MAPPABLE = tuple(f for f in EVENT_FIELDS if f not in ("source", "class", "raw_ref"))
_INTEGERS = {"status": pa.int32(), "bytes": pa.int64(), "rows": pa.int64()}


class JsonLinesParser:
    record_start: RecordStart | None = None
    whole_file = False

    def __init__(self, fields: dict[str, str], timezone: str, *, max_line: int) -> None:
        unknown = sorted(set(fields) - set(MAPPABLE))
        if unknown:
            raise ConfigError(
                f"unknown event field(s) in [sources.fields]: {', '.join(unknown)}; "
                f"known: {', '.join(MAPPABLE)}"
            )
        self.mapping = dict(fields) if fields else {f: f for f in MAPPABLE}
        self.timezone = timezone
        self.max_line = max_line
        self._names = list(self.mapping)
        paths = ", ".join(sql_string(json_path(self.mapping[n])) for n in self._names)
        self._sql = (
            "SELECT n, CASE WHEN json_valid(line) THEN json_type(line) END AS kind, "
            f"CASE WHEN json_valid(line) AND json_type(line) = 'OBJECT' "
            f"THEN json_extract_string(line, [{paths}]) END AS v FROM lines"
        )

    def parse(self, block: TextBlock) -> Parsed:
        lines = block.lines
        lengths = block.lengths
        too_long = lengths > self.max_line
        blank = pc.equal(pc.utf8_trim_whitespace(lines), "").to_numpy(zero_copy_only=False)
        todo = np.flatnonzero(~too_long & ~blank)
        rejects: list[tuple[np.ndarray, str]] = []
        if too_long.any():
            rejects.append((np.flatnonzero(too_long), REASON_TOO_LONG))
        table = pa.table({"n": pa.array(todo), "line": lines.take(pa.array(todo))})
        result = query(self._sql, lines=table)
        objects = pc.fill_null(pc.equal(result.column("kind"), "OBJECT"), False)
        objects_np = objects.to_numpy(zero_copy_only=False)
        if not objects_np.all():
            rejects.append((todo[~objects_np], REASON_NOT_JSON))
        values = result.column("v").combine_chunks().filter(objects)
        rows = todo[objects_np]
        fields = {
            name: blank_to_null(pc.list_element(values, i)) for i, name in enumerate(self._names)
        }
        return self._to_fields(fields, rows, rejects, int(blank.sum()))

    def _to_fields(
        self,
        raw: dict[str, pa.Array],
        rows: np.ndarray,
        rejects: list[tuple[np.ndarray, str]],
        blank: int,
    ) -> Parsed:
        fields: dict[str, pa.Array] = {}
        problems = pa.nulls(len(rows), pa.string())
        for name, values in raw.items():
            if name == "time":
                fields[name] = self._time(values)
            elif name in _INTEGERS:
                number = to_int(_integer_text(values), _INTEGERS[name])
                bad = pc.fill_null(pc.and_(pc.is_valid(values), pc.is_null(number)), False)
                problems = pc.if_else(bad, pc.coalesce(problems, f"bad {name}"), problems)
                fields[name] = number
            else:
                fields[name] = values
        if "path" in fields and "query" not in raw:
            pieces = pc.split_pattern(
                pc.binary_join_element_wise(fields["path"], "?", ""), "?", max_splits=1
            )
            fields["path"] = pc.list_element(pieces, 0)
            fields["query"] = blank_to_null(
                pc.utf8_slice_codeunits(pc.list_element(pieces, 1), 0, -1)
            )
        return Parsed(fields, rows, "api", problems=problems, rejects=rejects, skipped=blank)

    def _time(self, values: pa.Array) -> pa.Array:
        iso = parse_times(values, "iso8601", self.timezone)
        numeric = matched(values, r"^\d{1,16}(\.\d+)?$")
        if not pc.any(numeric).as_py():
            return iso
        milliseconds = matched(values, r"^\d{12,}")
        seconds = parse_times(values, "epoch")
        millis = parse_times(values, "epoch_ms")
        epoch = pc.if_else(milliseconds, millis, seconds)
        return pc.if_else(numeric, epoch, iso)


def _integer_text(values: pa.Array) -> pa.Array:
    """JSON numbers as integer text: ``200`` and ``200.0`` both read as 200."""
    return pc.replace_substring_regex(values, r"^(-?\d+)\.0*$", r"\1")
