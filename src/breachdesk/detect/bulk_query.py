"""Bulk query: datastore statements reading person tables without a selective predicate.

A statement is selective when its WHERE restricts a key column (``id = 7``, ``email IN (…)``)
or a time column (an incremental batch), and it does not page with OFFSET. Unfiltered reads,
range scans over keys, OFFSET paging and COPY/dump/export are hits. A statement shape the
principal already ran on an earlier day is routine (a weekly export) and only a weak signal;
a wholesale read (export, no WHERE, OFFSET paging, or many rows) outside office hours is strong
evidence, inside office hours it is only suspicious (staff export data for their work).
"""

from __future__ import annotations

import re

import ibis
import ibis.expr.types as ir

from breachdesk.detect.hits import STRONG, SUSPICIOUS, WEAK, as_text, hit_table
from breachdesk.detect.observations import Observations, in_office_hours

DETECTOR = "bulk_query"

_EXPORT = r"^\s*copy\b|\bpg_dump\b|\binto\s+outfile\b|\bexport\b|\bunload\b"
_READ = r"^\s*\(?\s*(with|select|table)\b"
_COUNT_ONLY = r"^\s*select\s+count\s*\([^)]*\)\s+from\b"
_WHERE = r"\bwhere\b"
_OFFSET = r"\boffset\s+[0-9]+|\blimit\s+[0-9]+\s*,\s*[0-9]+"


def detect_bulk_query(obs: Observations) -> ir.Table:
    """Principal-hours of non-selective reads or exports of person tables."""
    params = obs.params.bulk_query
    rows = obs.rows.filter(obs.rows.datastore & obs.rows.statement.notnull())
    text = rows.statement.lower()
    keys = "|".join(re.escape(c.lower()) for c in params.key_columns) or "__no_such_column__"
    times = "|".join(re.escape(c.lower()) for c in params.time_columns) or "__no_such_column__"
    key_predicate = text.re_search(rf"\b({keys})\s*(=|\bin\s*\()")
    time_predicate = text.re_search(rf"\b({times})\s*(>|>=|<|<=|\bbetween\b)")
    export = text.re_search(_EXPORT) | (rows.action == "export").fill_null(False)
    selective = text.re_search(_WHERE) & (key_predicate | time_predicate) & ~text.re_search(_OFFSET)
    reading = text.re_search(_READ) & ~text.re_search(_COUNT_ONLY)
    rows = rows.mutate(
        export=export,
        unfiltered=reading & ~text.re_search(_WHERE),
        paged=text.re_search(_OFFSET),
        flagged=export | (reading & ~selective),
        shape=_shape(text),
    )
    rows = rows.filter(rows.flagged)
    first_use = rows.group_by(["principal", "shape"]).aggregate(shape_first=rows.time.min())
    rows = rows.join(first_use, ["principal", "shape"])
    rows = rows.left_join(obs.calendar, rows.hour == obs.calendar.cal_hour)
    routine = rows.time >= rows.shape_first + ibis.interval(hours=20)
    office = in_office_hours(rows, obs.params).fill_null(False)
    wholesale = (
        rows.export | rows.unfiltered | rows.paged | (rows.rows.fill_null(0) >= params.strong_rows)
    )
    strength = ibis.cases(
        (routine, WEAK),
        (wholesale & ~office, STRONG),
        else_=SUSPICIOUS,
    )
    rows = rows.mutate(strength=strength)
    summary = rows.group_by(["principal", "hour"]).aggregate(
        start=rows.time.min(),
        end=rows.time.max(),
        events=rows.count(),
        strength=rows.strength.max(),
        exports=rows.export.sum(),
        unfiltered=rows.unfiltered.sum(),
        returned=rows.rows.sum(),
    )
    reason = (
        as_text(summary.events)
        + " non-selective statement(s) on person tables ("
        + as_text(summary.exports)
        + " export, "
        + as_text(summary.unfiltered)
        + " without WHERE, "
        + ibis.ifelse(
            summary.returned.isnull(), "rows not logged", as_text(summary.returned) + " rows"
        )
        + ")"
    )
    return hit_table(summary, DETECTOR, strength=summary.strength, reason=reason)


def _shape(text: ir.StringValue) -> ir.StringValue:
    """The statement with literals replaced, so repeated runs of one query compare equal."""
    without_strings = text.re_replace(r"'([^']|'')*'", "?")
    without_numbers = without_strings.re_replace(r"\b[0-9]+(\.[0-9]+)?\b", "?")
    return without_numbers.re_replace(r"\s+", " ").strip()
