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


def detect_enumeration(obs: Observations) -> ir.Table:
    """Runs of consecutive object ids and deep list pages, one hit per run or principal-hour."""
    return detect_id_runs(obs).union(detect_deep_pages(obs))


def detect_id_runs(obs: Observations) -> ir.Table:
    params = obs.params.enumeration
    reads = obs.rows.filter(obs.rows.person_read & obs.rows.object_num.notnull())
    reads = reads.mutate(week=reads.time.truncate("W"))
    ids = reads.group_by(["principal", "table_name", "week", "object_num"]).aggregate(
        first=reads.time.min(), reads=reads.count()
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
    active = reads.group_by("principal").aggregate(active_days=reads.time.date().nunique())
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
