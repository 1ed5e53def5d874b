"""Volume: rows of person data read per principal per hour, against its own and its peers' usual.

Baselines are robust (median and MAD of the principal's active hours, and of its peer group's),
so the extraction being measured cannot hide itself by inflating a mean; an absolute floor
keeps small absolute numbers out whatever the ratios say.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from breachdesk.config import VolumeParams
from breachdesk.detect.hits import STRONG, SUSPICIOUS, as_text, hit_table
from breachdesk.detect.observations import Observations, peer_group

DETECTOR = "volume"
# 1.4826 * MAD estimates the standard deviation of normally distributed data.
_MAD_TO_SIGMA = 1.4826


def detect_volume(obs: Observations) -> ir.Table:
    """Principal-hours reading far more person rows than usual for it and for its peers."""
    params = obs.params.volume
    # An address and a named principal can share a key ("ip:…"): their hours add up.
    hours = obs.hours.group_by(["principal", "hour"]).aggregate(
        amount=obs.hours.amount.sum(),
        events=obs.hours.events.sum(),
        start=obs.hours.start.min(),
        end=obs.hours.end.max(),
    )
    hours = hours.mutate(
        peer=peer_group(hours.principal, obs.params), x=hours.amount.cast("float64")
    )
    own = _robust(hours, "principal", "own")
    peers = _robust(hours, "peer", "peer")
    scored = hours.join(own, "principal").join(peers, "peer")
    own_score = (scored.x - scored.own_median) / _scale(scored.own_median, scored.own_mad, params)
    peer_score = (scored.x - scored.peer_median) / _scale(
        scored.peer_median, scored.peer_mad, params
    )
    scored = scored.mutate(own_score=own_score, peer_score=peer_score)
    flagged = scored.filter(
        (scored.amount >= params.floor_rows)
        & (scored.own_hours >= params.min_baseline_hours)
        & (scored.own_score >= params.min_score)
        & (scored.peer_score >= params.min_score)
    )
    strength = ibis.ifelse(
        flagged.amount >= params.strong_factor * params.floor_rows, STRONG, SUSPICIOUS
    )
    reason = (
        as_text(flagged.amount)
        + " person rows in an hour; usual "
        + as_text(flagged.own_median.round())
        + ", peers "
        + as_text(flagged.peer_median.round())
    )
    return hit_table(flagged, DETECTOR, strength=strength, reason=reason)


def _robust(hours: ir.Table, key: str, prefix: str) -> ir.Table:
    """Median and median absolute deviation of ``x`` per ``key`` (exact on every engine)."""
    centre = hours.group_by(key).aggregate(
        **{f"{prefix}_median": hours.x.median(), f"{prefix}_hours": hours.count()}
    )
    spread = hours.join(centre, key)
    deviation = (spread.x - spread[f"{prefix}_median"]).abs()
    mad = (
        spread.mutate(deviation=deviation)
        .group_by(key)
        .aggregate(**{f"{prefix}_mad": ibis._.deviation.median()})
    )
    return centre.join(mad, key)


def _scale(
    median: ir.FloatingValue, mad: ir.FloatingValue, params: VolumeParams
) -> ir.FloatingValue:
    return ibis.greatest(mad * _MAD_TO_SIGMA, median * params.min_scale_share, ibis.literal(1.0))
