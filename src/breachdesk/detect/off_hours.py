"""Off hours: person-data reads at an hour of day the principal does not usually work.

Usual hours are learnt per principal (UTC hour of day seen on enough days, with the hours on
either side so a DST shift is not an anomaly); principals with little history are judged
against the configured office hours and days instead.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from breachdesk.detect.hits import WEAK, hit_table, hourly
from breachdesk.detect.observations import Observations, in_office_hours

DETECTOR = "off_hours"


def detect_off_hours(obs: Observations) -> ir.Table:
    """Principal-hours of person reads outside the principal's usual hours."""
    params = obs.params.off_hours
    reads = obs.rows.filter(obs.rows.person_read & ~obs.rows.anonymous)
    reads = reads.mutate(hod=reads.time.hour().cast("int64"), day=reads.time.date())
    history = reads.group_by("principal").aggregate(active_days=reads.day.nunique())
    per_hour = reads.group_by(["principal", "hod"]).aggregate(days=reads.day.nunique())
    per_hour = per_hour.join(history, "principal")
    needed = ibis.greatest(
        ibis.literal(params.min_days).cast("float64"),
        per_hour.active_days.cast("float64") * params.min_day_share,
    )
    usual = per_hour.filter(per_hour.days.cast("float64") >= needed).select("principal", "hod")
    # An hour is usual when it or a neighbour (mod 24) was usual.
    shifted = [usual.select("principal", hod=(usual.hod + shift + 24) % 24) for shift in (-1, 0, 1)]
    usual_hours = shifted[0].union(shifted[1]).union(shifted[2]).distinct()
    usual_hours = usual_hours.mutate(usual=ibis.literal(True))

    judged = reads.join(history, "principal")
    judged = judged.left_join(usual_hours, ["principal", "hod"]).select(
        ~ibis.selectors.endswith("_right")
    )
    calendar = obs.calendar
    judged = judged.left_join(calendar, judged.hour == calendar.cal_hour)
    office = in_office_hours(judged, obs.params).fill_null(False)
    experienced = judged.active_days >= params.min_history_days
    outside = ibis.ifelse(experienced, judged.usual.isnull(), ~office)
    flagged = judged.filter(outside)
    summary = hourly(flagged, experienced=flagged.active_days.max() >= params.min_history_days)
    reason = ibis.ifelse(
        summary.experienced,
        "person data read outside this principal's usual hours",
        "person data read outside office hours (little history for this principal)",
    )
    return hit_table(summary, DETECTOR, strength=WEAK, reason=reason)
