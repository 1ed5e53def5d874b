"""Enumeration: object ids walked in order, and list endpoints paged deep (OWASP API1, API6).

People look customers up at random; scripts walk ids or pages. Runs of (almost) consecutive
ids are found per principal, table and week with the gaps-and-islands method.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from breachdesk.detect.hits import STRONG, SUSPICIOUS, WEAK, as_text, hit_table
from breachdesk.detect.observations import Observations

DETECTOR = "enumeration"
# Ids of one run read within one hour that make that hour part of the walk.
_WALK_PER_HOUR = 5
# Runs are looked for per principal, table and week.
_RUN_KEYS = ("principal", "table_name", "week")
# Width of the id buckets of the pre-filter, in multiples of the largest gap allowed in a run.
_BUCKET_GAPS = 32


def detect_enumeration(obs: Observations) -> ir.Table:
    """Runs of consecutive object ids and deep list pages, one hit per run or principal-hour."""
    return detect_id_runs(obs).union(detect_deep_pages(obs))


def detect_id_runs(obs: Observations) -> ir.Table:
    params = obs.params.enumeration
    reads = obs.rows.filter(obs.rows.person_read & obs.rows.object_num.notnull())
    reads = reads.select("principal", "table_name", "time", "object_num")
    reads = reads.mutate(week=reads.time.truncate("W"))
    walked = near_dense_reads(reads, params.min_run, params.max_gap, obs.person_tables)
    ids = walked.group_by([*_RUN_KEYS, "object_num"]).aggregate(
        first=walked.time.min(), reads=walked.count()
    )
    window = ibis.window(group_by=["principal", "table_name", "week"], order_by="object_num")
    previous = ids.object_num.lag().over(window)
    ids = ids.mutate(
        new_run=ibis.ifelse(previous.isnull() | (ids.object_num - previous > params.max_gap), 1, 0)
    )
    ids = ids.mutate(
        run=ids.new_run.cumsum(group_by=["principal", "table_name", "week"], order_by="object_num")
    )
    # A walk is dense in time too: hours holding a few of the run's ids are the walk, the odd
    # lookup of an id that happens to sit inside the run on another day is not.
    ids = ids.mutate(first_hour=ids.first.truncate("h"))
    hour_window = ibis.window(group_by=["principal", "table_name", "week", "run", "first_hour"])
    ids = ids.mutate(in_hour=ids.object_num.count().over(hour_window))
    ids = ids.mutate(walked=ids.in_hour >= _WALK_PER_HOUR)
    runs = ids.group_by(["principal", "table_name", "week", "run"]).aggregate(
        length=ids.count(),
        low=ids.object_num.min(),
        high=ids.object_num.max(),
        start=ibis.coalesce(ids.first.min(where=ids.walked), ids.first.min()),
        end=ibis.coalesce(ids.first.max(where=ids.walked), ids.first.max()),
        events=ids.reads.sum(),
        days=ids.first.date().nunique(),
    )
    runs = runs.filter(runs.length >= params.min_run)
    # A principal that walks ids on most of its days is a sync job, not an intruder.
    walking = runs.group_by("principal").aggregate(run_days=runs.days.sum())
    walkers = reads.semi_join(walking, "principal")
    active = walkers.group_by("principal").aggregate(active_days=walkers.time.date().nunique())
    habits = walking.join(active, "principal")
    routine = habits.filter(
        (habits.run_days >= params.routine_days)
        & (habits.run_days.cast("float64") >= habits.active_days.cast("float64") * 0.5)
    ).select("principal", routine=ibis.literal(True))
    flagged = runs.left_join(routine, "principal").select(~ibis.selectors.endswith("_right"))
    strength = ibis.cases(
        (flagged.routine.fill_null(False), WEAK),
        (flagged.length >= params.strong_run, STRONG),
        else_=SUSPICIOUS,
    )
    reason = (
        as_text(flagged.length)
        + " consecutive "
        + flagged.table_name
        + " ids read ("
        + as_text(flagged.low)
        + ".."
        + as_text(flagged.high)
        + ")"
    )
    return hit_table(flagged, DETECTOR, strength=strength, reason=reason)


def detect_deep_pages(obs: Observations) -> ir.Table:
    params = obs.params.enumeration
    pages = obs.rows.filter(obs.rows.person_read & obs.rows.page.notnull())
    # Only principal-hours reaching a deep page are summarised (a page implies its route).
    deep = pages.filter(pages.page >= params.deep_page).select("principal", "hour", "route")
    pages = pages.semi_join(deep.distinct(), ["principal", "hour", "route"])
    per_hour = pages.group_by(["principal", "hour", "route"]).aggregate(
        start=pages.time.min(),
        end=pages.time.max(),
        events=pages.count(),
        deepest=pages.page.max(),
        distinct_pages=pages.page.nunique(),
    )
    flagged = per_hour.filter(per_hour.deepest >= params.deep_page)
    strength = ibis.ifelse(flagged.deepest >= params.strong_page, STRONG, SUSPICIOUS)
    reason = (
        flagged.route.fill_null("")
        + " paged to page "
        + as_text(flagged.deepest)
        + " ("
        + as_text(flagged.distinct_pages)
        + " pages)"
    )
    return hit_table(flagged, DETECTOR, strength=strength, reason=reason)


def near_dense_reads(
    reads: ir.Table, min_run: int, max_gap: int, table_names: tuple[str, ...]
) -> ir.Table:
    """The reads that can belong to a run of ``min_run`` ids or more, found without sorting.

    Reads are counted in buckets of ``width`` consecutive ids per principal, table and week.
    A run long enough to report either lies within one or two buckets, one of which then
    holds at least half of its ids, or spans whole buckets, each holding at least
    ``width / max_gap`` of them: so every bucket such a run touches is dense (``threshold``
    reads or more; reads are at least as many as distinct ids) or next to a dense one.
    Keeping the reads of those buckets keeps every such run whole, and what else is kept
    only forms runs too short to report, so the result is exact; random lookups (almost all
    reads) are dropped before the window functions, which sort.

    Buckets are counted by two integers, a hash of (principal, table, week) and the bucket
    number: integer keys group faster than text (random lookups make almost one group per
    read), and groups sharing a hash (or a table missing from ``table_names``) only add
    their counts, which can keep more reads but never fewer, so the result stays exact.
    """
    if max_gap < 1 or min_run < 2:
        return reads
    width = _BUCKET_GAPS * max_gap
    # Ids of a run inside a bucket it spans: at least ceil((width + 1) / max_gap) - 1.
    spanned = -(-(width + 1) // max_gap) - 1
    threshold = min(-(-min_run // 2), spanned)
    # Weeks start at whole multiples of 604,800 seconds: adding the table's number to them
    # keeps (table, week) pairs apart before the principal's hash is mixed in.
    tables = reads.table_name.fill_null("")
    numbered = ibis.cases(
        *((tables == name, index) for index, name in enumerate(table_names, 1)), else_=0
    )
    keyed = reads.mutate(
        group=reads.principal.hash() ^ (reads.week.epoch_seconds().cast("int64") + numbered),
        bucket=reads.object_num // width,
    )
    counts = keyed.group_by(["group", "bucket"]).aggregate(held=keyed.count())
    dense = counts.filter(counts.held >= threshold)
    near = [dense.select("group", bucket=dense.bucket + shift) for shift in (-1, 0, 1)]
    buckets = near[0].union(near[1]).union(near[2])
    kept = keyed.semi_join(buckets, ["group", "bucket"])
    return kept.drop("group", "bucket")
