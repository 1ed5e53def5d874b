"""MySQL general query log (the file form): ``Connect``, ``Query`` and ``Execute`` records.

A record starts with a timestamp (ISO 8601 since MySQL 5.7, ``yymmdd hh:mm:ss`` before) or,
in the old format, with two tabs when the second has not changed; other lines continue the
previous statement. A query's principal is the user of its connection's ``Connect`` record:
found within the block by an as-of fill over the connection id, and across blocks from the
state the pipeline carries in file order (``resolve``). The log has no row counts.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.ingest.access import REASON_TOO_LONG
from breachdesk.ingest.arrowtext import NULL_STRING, as_of, blank_to_null, match_groups, matched
from breachdesk.ingest.blocks import RecordStart
from breachdesk.ingest.events import Parsed
from breachdesk.ingest.pgaudit import REASON_ORPHAN
from breachdesk.ingest.sql import statement_actions, statement_tables
from breachdesk.ingest.text import TextBlock
from breachdesk.ingest.timeparse import parse_times
from breachdesk.model import Action, EventClass

_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"
_LEGACY = r"\d{6}\s+\d{1,2}:\d\d:\d\d"
_HEADER = r"(?:\S.*, Version: .*started with:|Tcp port: .*|Time\s+Id\s+Command\s+Argument)"
_START = rf"^(?:(?:{_TIME}|{_LEGACY})?\t\s*\d+ [A-Za-z][A-Za-z ]*?(?:\t|$)|{_HEADER}$)"
_RECORD = (
    rf"(?s)^(?P<time>{_TIME}|{_LEGACY})?\t\s*(?P<id>\d+) (?P<command>[A-Za-z][A-Za-z ]*?)"
    r"(?:\t(?P<argument>.*))?$"
)
_CONNECT = r"^(?P<user>[^@\s]+)@(?P<host>\S*)"
_DENIED = r"^Access denied for user '(?P<user>[^']*)'@'(?P<host>[^']*)'"
_QUERIES = ("Query", "Execute")


class MysqlGeneralParser:
    whole_file = False

    def __init__(self, timezone: str, *, max_line: int) -> None:
        self.timezone = timezone
        self.max_line = max_line
        start = re.compile(_START.encode())
        self.record_start: RecordStart | None = lambda head: start.match(head) is not None

    def parse(self, block: TextBlock) -> Parsed:
        lines = block.lines
        n = len(lines)
        rejects: list[tuple[np.ndarray, str]] = []
        starts = matched(lines, _START).to_numpy(zero_copy_only=False)
        first = int(np.argmax(starts)) if starts.any() else n
        if first:
            rejects.append((np.arange(first), REASON_ORPHAN))
        record_lines = np.flatnonzero(starts)
        if len(record_lines) == 0:
            return Parsed({}, np.zeros(0, dtype=np.int64), "datastore", rejects=rejects)
        offsets = np.append(record_lines - first, n - first).astype(np.int32)
        records = pc.binary_join(
            pa.ListArray.from_arrays(pa.array(offsets), lines.slice(first)), "\n"
        )
        sizes = np.diff(np.append(block.starts[record_lines], block.ends[-1]))
        too_long = sizes > self.max_line
        if too_long.any():
            rejects.append((record_lines[too_long], REASON_TOO_LONG))
            records = records.filter(pa.array(~too_long))
            record_lines = record_lines[~too_long]
        parts, _ = match_groups(records, _RECORD)
        command = pc.fill_null(parts["command"], "")
        query = pc.is_in(command, value_set=pa.array(_QUERIES))
        connect = pc.equal(command, "Connect")
        argument = pc.fill_null(parts["argument"], "")
        user_ok, ok = match_groups(argument, _CONNECT)
        denied, is_denied = match_groups(argument, _DENIED)
        login = pc.and_(connect, pc.and_(ok, pc.invert(is_denied)))
        login_failed = pc.and_(connect, is_denied)
        wanted = pc.or_(query, pc.or_(login, login_failed))
        wanted_np = wanted.to_numpy(zero_copy_only=False)
        skipped = int(len(records) - wanted_np.sum())
        time = self._time(parts["time"])
        user = pc.coalesce(user_ok["user"], denied["user"])
        host = pc.coalesce(user_ok["host"], denied["host"])
        thread = parts["id"]
        principal = as_of(thread, pc.if_else(login, user, NULL_STRING))
        action = pc.if_else(
            login,
            Action.LOGIN.value,
            pc.if_else(
                login_failed,
                Action.LOGIN_FAILED.value,
                statement_actions(pa.nulls(len(records), pa.string()), argument),
            ),
        )
        statement = pc.if_else(query, argument, NULL_STRING)
        event_class = pc.if_else(query, EventClass.DATASTORE.value, EventClass.AUTH.value)
        keep = wanted
        fields = {
            "time": time.filter(keep),
            "principal": pc.if_else(pc.or_(login, login_failed), user, principal).filter(keep),
            "src_ip": pc.if_else(connect, blank_to_null(host), NULL_STRING).filter(keep),
            "action": action.filter(keep),
            "method": pc.if_else(query, pc.utf8_upper(_first_word(argument)), NULL_STRING).filter(
                keep
            ),
            "statement": blank_to_null(statement.filter(keep)),
            "class": event_class.filter(keep),
        }
        rows = record_lines[wanted_np]
        carry = {"thread": thread.filter(keep)}
        fields, rows, carry = _one_event_per_table(fields, rows, carry)
        return Parsed(fields, rows, "datastore", rejects=rejects, skipped=skipped, carry=carry)

    def _time(self, values: pa.Array) -> pa.Array:
        iso = parse_times(values, "iso8601", self.timezone)
        legacy = parse_times(values, "mysql_legacy", self.timezone)
        # The old format leaves the time out while the second is unchanged.
        return pc.fill_null_forward(pc.coalesce(iso, legacy))

    def resolve(
        self, events: pa.Table, carry: dict[str, pa.Array], state: dict[str, Any]
    ) -> pa.Table:
        """Principals of queries whose connection opened in an earlier block; then remember
        this block's connections for the blocks after it (called in file order)."""
        known: pa.Table | None = state.get("users")
        thread = carry["thread"]
        principal = _decoded(events.column("principal"))
        if known is not None and events.num_rows:
            position = pc.index_in(thread, value_set=known.column("t"))
            earlier = pc.take(known.column("u"), position)
            filled = pc.coalesce(principal, earlier)
            index = events.schema.get_field_index("principal")
            events = events.set_column(index, "principal", pc.dictionary_encode(filled))
        logins = pc.fill_null(
            pc.equal(_decoded(events.column("action")), Action.LOGIN.value), False
        )
        if pc.any(logins).as_py():
            new = pa.table({"t": thread.filter(logins), "u": principal.filter(logins)})
            merged = new if known is None else pa.concat_tables([known, new])
            last = merged.group_by("t", use_threads=False).aggregate([("u", "last")])
            state["users"] = last.rename_columns(["t", "u"])
        return events


def _decoded(values: pa.Array) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.dictionary_decode() if pa.types.is_dictionary(values.type) else values


def _first_word(values: pa.Array) -> pa.Array:
    from breachdesk.ingest.arrowtext import groups

    return groups(values, r"^\s*(?P<w>[A-Za-z]+)")["w"]


def _one_event_per_table(
    fields: dict[str, pa.Array], rows: np.ndarray, carry: dict[str, pa.Array]
) -> tuple[dict[str, pa.Array], np.ndarray, dict[str, pa.Array]]:
    statements = fields["statement"]
    owner, tables = statement_tables(statements)
    m = len(rows)
    covered = np.zeros(m, dtype=bool)
    covered[owner] = True
    solo = np.flatnonzero(~covered)
    index = np.concatenate([solo, owner])
    names = pa.concat_arrays([pa.nulls(len(solo), pa.string()), tables])
    order = np.argsort(index, kind="stable")
    pick = pa.array(index[order])
    out = {k: v.take(pick) for k, v in fields.items()}
    out["table_name"] = names.take(pa.array(order))
    return out, rows[index[order]], {k: v.take(pick) for k, v in carry.items()}
