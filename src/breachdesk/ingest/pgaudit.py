"""PostgreSQL logs with pgAudit records, read after the server's ``log_line_prefix``.

A record starts with the prefix; lines that do not are the rest of the previous record
(PostgreSQL starts them with a tab, which is removed). ``AUDIT:`` records become datastore
events — one per table the statement touches — with the CSV-quoted statement unquoted;
``connection authorized`` and failed password records become authentication events; other
records (checkpoints, ``STATEMENT:`` echoes…) are counted as skipped. Events without a client
address in the prefix take the one of their session's ``connection received`` record (same
``%c`` session id, else ``%p`` process id), also across blocks (``resolve``).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.ingest.access import REASON_TOO_LONG
from breachdesk.ingest.arrowtext import (
    NULL_STRING,
    as_of,
    blank_to_null,
    match_groups,
    matched,
    to_int,
)
from breachdesk.ingest.blocks import RecordStart
from breachdesk.ingest.events import Parsed
from breachdesk.ingest.logformat import LogFormatError
from breachdesk.ingest.sql import statement_actions, statement_tables
from breachdesk.ingest.text import TextBlock
from breachdesk.ingest.timeparse import parse_times
from breachdesk.model import Action, EventClass

DEFAULT_PREFIX = "%m [%p] "
REASON_ORPHAN = "continuation line without a record"
REASON_AUDIT = "malformed pgAudit record"

_TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
_ESCAPES = {
    "m": (rf"{_TIME}\.\d+(?: [A-Za-z0-9+:-]+)?", "time"),
    "t": (rf"{_TIME}(?: [A-Za-z0-9+:-]+)?", "time"),
    "n": (r"\d+(?:\.\d+)?", "epoch"),
    "s": (rf"{_TIME}(?: [A-Za-z0-9+:-]+)?", None),
    "p": (r"\d+", "pid"),
    "P": (r"\d*", None),
    "l": (r"\d+", None),
    "c": (r"[0-9a-f]+\.[0-9a-f]+", "session"),
    "x": (r"\d+", None),
    "v": (r"[0-9/]*", None),
    "e": (r"[0-9A-Z]{5}", None),
    "Q": (r"-?\d+", None),
    "q": ("", None),
}
_FREE = {"u": "user", "d": "database", "h": "host", "r": "remote", "a": None, "i": None, "b": None}
_AUDIT = (
    r"(?s)^AUDIT: (?P<audit_type>[A-Z]+),(?P<statement_id>\d+),(?P<substatement_id>\d+),"
    r"(?P<class>[A-Z_]*),(?P<command>[^,]*),(?P<object_type>[^,]*),"
    r'(?P<object_name>"(?:[^"]|"")*"|[^,]*),(?P<statement>"(?:[^"]|"")*"|[^,]*),'
    r'(?P<parameter>"(?:[^"]|"")*"|[^,]*)(?:,(?P<rows>\d+))?$'
)
_AUTHORIZED = r"^connection authorized: user=(?P<who>\S+)"
_RECEIVED = r"^connection received: host=(?P<host>\S+)"
_LOCAL = "[local]"
"""The host PostgreSQL logs for a Unix-socket connection: no address."""
_PENDING = "__session"
"""Field carrying, per event, the session key still to look up in earlier blocks."""
SESSIONS = "sessions"
"""``block_carry`` key: the sessions a block opened, ``(key, host)``, for the blocks after it."""
_FAILED = r"^password authentication failed for user \"(?P<who>[^\"]*)\""


def compile_prefix(prefix: str) -> tuple[str, dict[str, str]]:
    """RE2 pattern of a ``log_line_prefix`` and which of its groups hold time, user, host…"""
    parts: list[str] = []
    named: dict[str, str] = {}
    index = 0
    while index < len(prefix):
        char = prefix[index]
        if char != "%" or index + 1 >= len(prefix):
            parts.append(re.escape(char))
            index += 1
            continue
        code = prefix[index + 1]
        index += 2
        if code == "%":
            parts.append("%")
        elif code in _ESCAPES:
            pattern, role = _ESCAPES[code]
            parts.append(
                f"(?P<{role}>{pattern})"
                if role and role not in named.values()
                else f"(?:{pattern})"
            )
            if role and role not in named.values():
                named[role] = role
        elif code in _FREE:
            stop = prefix[index] if index < len(prefix) else None
            pattern = "[^" + re.escape(stop) + "\n]*" if stop and stop != "%" else r"\S*"
            role = _FREE[code]
            if role and role not in named:
                parts.append(f"(?P<{role}>{pattern})")
                named[role] = role
            else:
                parts.append(f"(?:{pattern})")
        else:
            raise LogFormatError(f"unsupported escape %{code} in log_line_prefix {prefix!r}")
    if "time" not in named and "epoch" not in named:
        raise LogFormatError(f"the log_line_prefix {prefix!r} has no time (%m, %t or %n)")
    return "".join(parts), named


class PgAuditParser:
    whole_file = False

    def __init__(self, prefix: str | None, timezone: str, *, max_line: int) -> None:
        self.prefix = prefix if prefix is not None else DEFAULT_PREFIX
        pattern, self.roles = compile_prefix(self.prefix)
        self.timezone = timezone
        self.max_line = max_line
        self._start = "^" + pattern + r"[A-Z]+:  "
        self._record = "(?s)^" + pattern + r"(?P<level>[A-Z]+):  (?P<message>.*)$"
        start = re.compile(self._start.encode())
        self.record_start: RecordStart | None = lambda head: start.match(head) is not None

    def parse(self, block: TextBlock) -> Parsed:
        lines = block.lines
        n = len(lines)
        rejects: list[tuple[np.ndarray, str]] = []
        starts = matched(lines, self._start).to_numpy(zero_copy_only=False)
        first = int(np.argmax(starts)) if starts.any() else n
        if first:
            rejects.append((np.arange(first), REASON_ORPHAN))
        record_lines = np.flatnonzero(starts)
        if len(record_lines) == 0:
            return Parsed({}, np.zeros(0, dtype=np.int64), "datastore", rejects=rejects)
        # Glue each record's lines together (continuation lines lose PostgreSQL's tab).
        body = lines.slice(first)
        is_start = pa.array(starts[first:])
        body = pc.if_else(is_start, body, pc.replace_substring_regex(body, r"^\t", ""))
        offsets = np.append(record_lines - first, n - first).astype(np.int32)
        records = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), body), "\n")
        sizes = np.diff(np.append(block.starts[record_lines], block.ends[-1]))
        too_long = sizes > self.max_line
        if too_long.any():
            rejects.append((record_lines[too_long], REASON_TOO_LONG))
            records = records.filter(pa.array(~too_long))
            record_lines = record_lines[~too_long]
        parts, _ = match_groups(records, self._record)
        return self._events(parts, record_lines, rejects)

    def _events(
        self, parts: dict[str, pa.Array], lines: np.ndarray, rejects: list[tuple[np.ndarray, str]]
    ) -> Parsed:
        message = parts["message"]
        audit, is_audit = match_groups(message, _AUDIT)
        claims_audit = matched(message, r"^AUDIT: ").to_numpy(zero_copy_only=False)
        is_audit_np = is_audit.to_numpy(zero_copy_only=False)
        broken = claims_audit & ~is_audit_np
        if broken.any():
            rejects.append((lines[broken], REASON_AUDIT))
        login, is_login = match_groups(message, _AUTHORIZED)
        failed, is_failed = match_groups(message, _FAILED)
        auth_np = is_login.to_numpy(zero_copy_only=False) | is_failed.to_numpy(zero_copy_only=False)
        skipped = int((~claims_audit & ~auth_np).sum())
        time = self._time(parts)
        principal = parts.get("user", pa.nulls(len(lines), pa.string()))
        src_ip = self._host(parts, len(lines))
        src_ip, pending, opened = self._sessions(parts, message, src_ip)
        events: list[tuple[dict[str, pa.Array], np.ndarray, str]] = []
        if is_audit_np.any():
            events.append(self._audit(audit, is_audit, time, principal, src_ip, pending, lines))
        if auth_np.any():
            mask = pa.array(auth_np)
            who = pc.coalesce(login["who"], failed["who"]).filter(mask)
            action = pc.if_else(
                is_login.filter(mask), Action.LOGIN.value, Action.LOGIN_FAILED.value
            )
            events.append(
                (
                    {
                        "time": time.filter(mask),
                        "principal": pc.coalesce(
                            blank_to_null(pc.utf8_trim(who, '"')), principal.filter(mask)
                        ),
                        "src_ip": src_ip.filter(mask),
                        _PENDING: pending.filter(mask),
                        "action": action,
                        "class": pa.array([EventClass.AUTH.value] * int(auth_np.sum())),
                    },
                    lines[auth_np],
                    "auth",
                )
            )
        parsed = _combine(events, rejects, skipped)
        parsed.carry = {"session": parsed.fields.pop(_PENDING, pa.nulls(len(parsed.rows)))}
        parsed.block_carry = {SESSIONS: opened}
        return parsed

    def _sessions(
        self, parts: dict[str, pa.Array], message: pa.Array, src_ip: pa.Array
    ) -> tuple[pa.Array, pa.Array, pa.Table]:
        """The client address of each record's session, from the ``connection received:
        host=…`` record that opened it (same session id ``%c``, else same process id ``%p``).

        Returns the addresses (the prefix's own ``%h``/``%r`` wins), the session key of the
        records whose session was not opened in this block (``resolve`` looks those up in
        the sessions earlier blocks opened), and the sessions this block opened.
        """
        key = parts.get("session", parts.get("pid"))
        received, is_received = match_groups(message, _RECEIVED)
        if key is None:
            n = len(message)
            none = pa.array([], pa.string())
            return src_ip, pa.nulls(n, pa.string()), _sessions_table(none, none)
        # "" marks a session opened without an address (a Unix socket), null "no opener".
        host = pc.fill_null(received["host"], "")
        host = pc.if_else(pc.equal(host, _LOCAL), "", host)
        opener = pc.if_else(is_received, host, NULL_STRING)
        session_host = as_of(key, opener)
        pending = pc.if_else(pc.is_valid(session_host), NULL_STRING, key)
        opened = _sessions_table(key.filter(is_received), opener.filter(is_received))
        return pc.coalesce(src_ip, blank_to_null(session_host)), pending, opened

    def resolve(self, events: pa.Table, carry: dict[str, Any], state: dict[str, Any]) -> pa.Table:
        """Addresses of events whose session was opened in an earlier block; then remember
        the sessions this block opened (called in file order)."""
        known: pa.Table | None = state.get(SESSIONS)
        pending: pa.Array = carry["session"]
        if known is not None and events.num_rows and pending.null_count < len(pending):
            position = pc.index_in(pending, value_set=known.column("key"))
            earlier = blank_to_null(pc.take(known.column("host"), position))
            index = events.schema.get_field_index("src_ip")
            current = events.column(index).combine_chunks()
            if isinstance(current, pa.DictionaryArray):
                current = current.dictionary_decode()
            filled = pc.dictionary_encode(pc.coalesce(current, earlier))
            events = events.set_column(index, events.schema.field(index), filled)
        opened: pa.Table = carry[SESSIONS]
        if opened.num_rows:
            merged = opened if known is None else pa.concat_tables([known, opened])
            last = merged.group_by("key", use_threads=False).aggregate([("host", "last")])
            state[SESSIONS] = last.rename_columns(["key", "host"])
        return events

    def _audit(
        self,
        audit: dict[str, pa.Array],
        is_audit: pa.Array,
        time: pa.Array,
        principal: pa.Array,
        src_ip: pa.Array,
        pending: pa.Array,
        lines: np.ndarray,
    ) -> tuple[dict[str, pa.Array], np.ndarray, str]:
        keep = is_audit
        statement = unquote_csv(audit["statement"].filter(keep))
        command = audit["command"].filter(keep)
        object_name = unquote_csv(audit["object_name"].filter(keep))
        owner, tables = statement_tables(statement)
        m = len(statement)
        # One event per table named: pgAudit's own OBJECT_NAME when it logged one, else every
        # table the statement names, else one event without a table.
        named = pc.is_valid(object_name).to_numpy(zero_copy_only=False)
        from_text = ~named[owner] if len(owner) else np.zeros(0, dtype=bool)
        owner, tables = owner[from_text], tables.filter(pa.array(from_text))
        covered = np.zeros(m, dtype=bool)
        covered[owner] = True
        solo = np.flatnonzero(~covered)
        index = np.concatenate([solo, owner])
        resource = pa.concat_arrays([object_name.take(pa.array(solo)), tables])
        order = np.argsort(index, kind="stable")
        index = index[order]
        resource = resource.take(pa.array(order))
        pick = pa.array(index)
        fields = {
            "time": time.filter(keep).take(pick),
            "principal": principal.filter(keep).take(pick),
            "src_ip": src_ip.filter(keep).take(pick),
            _PENDING: pending.filter(keep).take(pick),
            "method": blank_to_null(pc.utf8_upper(command)).take(pick),
            "statement": statement.take(pick),
            "action": statement_actions(command, statement).take(pick),
            "rows": to_int(audit["rows"].filter(keep), pa.int64()).take(pick),
            "table_name": resource,
        }
        return fields, lines[is_audit.to_numpy(zero_copy_only=False)][index], "datastore"

    def _time(self, parts: dict[str, pa.Array]) -> pa.Array:
        if "time" in parts:
            return parse_times(parts["time"], "iso8601", self.timezone)
        return parse_times(parts["epoch"], "epoch")

    def _host(self, parts: dict[str, pa.Array], n: int) -> pa.Array:
        if "host" in parts:
            return blank_to_null(parts["host"])
        if "remote" in parts:
            return blank_to_null(pc.replace_substring_regex(parts["remote"], r"\(\d+\)$", ""))
        return pa.nulls(n, pa.string())


def _sessions_table(keys: pa.Array, hosts: pa.Array) -> pa.Table:
    return pa.table({"key": pc.cast(keys, pa.string()), "host": pc.cast(hosts, pa.string())})


def unquote_csv(values: pa.Array) -> pa.Array:
    """A CSV field's text: surrounding quotes removed, doubled quotes halved."""
    quoted = pc.fill_null(pc.and_(pc.starts_with(values, '"'), pc.ends_with(values, '"')), False)
    inner = pc.replace_substring(pc.utf8_slice_codeunits(values, 1, -1), '""', '"')
    return blank_to_null(pc.if_else(quoted, inner, values))


def _combine(
    events: list[tuple[dict[str, pa.Array], np.ndarray, str]],
    rejects: list[tuple[np.ndarray, str]],
    skipped: int,
) -> Parsed:
    if not events:
        return Parsed(
            {}, np.zeros(0, dtype=np.int64), "datastore", rejects=rejects, skipped=skipped
        )
    names = sorted({name for fields, _, _ in events for name in fields})
    merged: dict[str, pa.Array] = {}
    for name in names:
        pieces = []
        for fields, rows, _ in events:
            default = EventClass.DATASTORE.value if name == "class" else None
            value = fields.get(name)
            if value is None:
                value = (
                    pa.array([default] * len(rows), pa.string())
                    if default
                    else (pa.nulls(len(rows), pa.string() if name != "rows" else pa.int64()))
                )
            pieces.append(value)
        merged[name] = pa.concat_arrays(pieces)
    rows = np.concatenate([r for _, r, _ in events])
    order = np.argsort(rows, kind="stable")  # events in line order
    if not np.array_equal(order, np.arange(len(rows))):
        pick = pa.array(order)
        merged = {name: values.take(pick) for name, values in merged.items()}
        rows = rows[order]
    return Parsed(merged, rows, "datastore", rejects=rejects, skipped=skipped)


__all__ = ["PgAuditParser", "compile_prefix", "unquote_csv"]
