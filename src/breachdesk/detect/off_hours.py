"""Off hours: person-data reads at an hour of day the principal does not usually work.

Usual hours are learnt per principal (UTC hour of day seen on enough days, with the hours on
either side so a DST shift is not an anomaly); principals with little history are judged
against the configured office hours and days instead.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from breachdesk.detect.hits import WEAK, hit_table
from breachdesk.detect.observations import Observations, in_office_hours

DETECTOR = "off_hours"
_DAY = (1 << 24) - 1


def detect_off_hours(obs: Observations) -> ir.Table:
    """Principal-hours of person reads outside the principal's usual hours."""
    params = obs.params.off_hours
    # Whether a read is outside depends on its principal and hour only: judge principal-hours.
    hours = obs.hours
    reads = hours.filter(~hours.anonymous).select("principal", "hour", "start", "end", "events")
    reads = reads.mutate(hod=reads.hour.hour().cast("int64"), day=reads.hour.date())
    # One row per (principal, day, hour of day) already: count those, not distinct days.
    seen = reads.select("principal", "day", "hod")
    days = seen.select("principal", "day").distinct()
    history = days.group_by("principal").aggregate(active_days=days.count())
    per_hour = seen.group_by(["principal", "hod"]).aggregate(days=seen.count())
    per_hour = per_hour.join(history, "principal")
    needed = ibis.greatest(
        ibis.literal(params.min_days).cast("float64"),
        per_hour.active_days.cast("float64") * params.min_day_share,
    )
    usual = per_hour.filter(per_hour.days.cast("float64") >= needed)
    # Usual hours as a 24-bit mask per principal, widened by one hour each way (mod 24).
    one = ibis.literal(1, type="int64")
    habits = usual.group_by("principal").aggregate(mask=(one << usual.hod).sum())
    mask = habits.mask
    later = ((mask << 1) | (mask >> 23)) & _DAY
    earlier = ((mask >> 1) | (mask << 23)) & _DAY
    habits = habits.select("principal", usual_mask=mask | later | earlier)

    judged = reads.join(history, "principal")
    judged = judged.left_join(habits, "principal").select(~ibis.selectors.endswith("_right"))
    judged = judged.mutate(usual=((judged.usual_mask >> judged.hod) & one) == one)
    calendar = obs.calendar
    judged = judged.left_join(calendar, judged.hour == calendar.cal_hour)
    office = in_office_hours(judged, obs.params).fill_null(False)
    experienced = judged.active_days >= params.min_history_days
    outside = ibis.ifelse(experienced, ~judged.usual.fill_null(False), ~office)
    summary = judged.filter(outside)
    summary = summary.mutate(experienced=summary.active_days >= params.min_history_days)
    reason = ibis.ifelse(
        summary.experienced,
        "person data read outside this principal's usual hours",
        "person data read outside office hours (little history for this principal)",
    )
    return hit_table(summary, DETECTOR, strength=WEAK, reason=reason)
