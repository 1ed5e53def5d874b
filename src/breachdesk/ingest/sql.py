"""What a logged SQL statement touches and does, read from its text over whole arrays.

A heuristic, not a SQL parser: tables are the names after FROM, JOIN, INTO, UPDATE, TABLE and
COPY (subqueries and ``FROM a, b`` lists beyond the first name are not followed). Scope
replays the statement against the database when it needs the exact rows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.ingest.arrowtext import NULL_STRING, groups, matched
from breachdesk.model import Action

_TABLE_KEYWORD = r"(?i)\b(?:from|join|into|update|table|copy)\s+(?:only\s+)?"
_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_TABLE = rf"^(?P<name>{_IDENT}(?:\.{_IDENT}){{0,2}})"
_NOT_TABLES = pa.array(["outfile", "dumpfile", "stdout", "stdin", "program", "lateral", "select"])
_COMMANDS = {
    "SELECT": Action.READ.value,
    "INSERT": Action.CREATE.value,
    "UPDATE": Action.UPDATE.value,
    "MERGE": Action.UPDATE.value,
    "DELETE": Action.DELETE.value,
    "TRUNCATE": Action.DELETE.value,
    "REPLACE": Action.CREATE.value,
}


def statement_tables(statements: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """(index of the statement, table name) for every distinct table each statement names."""
    pieces = pc.split_pattern_regex(pc.fill_null(statements, ""), _TABLE_KEYWORD)
    owners = pc.list_parent_indices(pieces).to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(pieces)
    first = np.zeros(len(flat), dtype=bool)
    offsets = pieces.offsets.to_numpy(zero_copy_only=False)
    starts = offsets[:-1][offsets[:-1] < offsets[1:]]
    first[starts] = True  # the text before the first keyword names no table
    names = groups(flat, _TABLE)["name"]
    not_tables = pc.is_in(pc.utf8_lower(names), value_set=_NOT_TABLES)
    keep = pc.and_(
        pa.array(~first), pc.and_(pc.is_valid(names), pc.invert(pc.fill_null(not_tables, False)))
    )
    keep_np = keep.to_numpy(zero_copy_only=False)
    if not keep_np.any():
        return np.zeros(0, dtype=np.int64), pa.array([], pa.string())
    table = pa.table({"owner": owners[keep_np], "name": names.filter(keep)})
    unique = table.group_by(["owner", "name"], use_threads=False).aggregate([])
    unique = unique.sort_by([("owner", "ascending")])
    return unique.column("owner").to_numpy(), unique.column("name").combine_chunks()


def statement_actions(commands: pa.Array, statements: pa.Array) -> pa.Array:
    """Action of each statement from its command (``SELECT``…) and, for COPY, its direction."""
    upper = pc.utf8_upper(pc.utf8_trim_whitespace(pc.fill_null(commands, "")))
    first_word = pc.utf8_upper(
        pc.fill_null(groups(pc.fill_null(statements, ""), r"^\s*(?P<w>[A-Za-z]+)")["w"], "")
    )
    command = pc.if_else(pc.equal(upper, ""), first_word, upper)
    keys = pa.array(list(_COMMANDS))
    mapped = pc.take(pa.array(list(_COMMANDS.values())), pc.index_in(command, value_set=keys))
    copy = pc.equal(command, "COPY")
    to_outside = matched(statements, r"(?is)\bto\s+(?:stdout|program|'|\")")
    mapped = pc.if_else(
        copy, pc.if_else(to_outside, Action.EXPORT.value, Action.CREATE.value), mapped
    )
    copies = pc.or_(
        pc.is_in(command, value_set=pa.array(["CREATE TABLE AS", "SELECT INTO"])),
        pc.and_(
            pc.equal(command, "SELECT"),
            matched(statements, r"(?is)\binto\s+(?:outfile|dumpfile|[A-Za-z_\"])"),
        ),
    )
    mapped = pc.if_else(pc.fill_null(copies, False), Action.EXPORT.value, mapped)
    return pc.if_else(pc.is_null(mapped), NULL_STRING, mapped)
