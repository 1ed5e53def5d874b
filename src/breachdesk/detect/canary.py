"""Canary: any access to a planted record (Thinkst Canarytokens' idea): proof, not a guess.

A canary is touched when its key is read as an object of a person table, or when its email
address (plain or URL-encoded) appears in a request path, query or SQL statement.
"""

from __future__ import annotations

import ibis.expr.types as ir

from breachdesk.detect.hits import STRONG, hit_table, hourly
from breachdesk.detect.observations import Observations

DETECTOR = "canary"


def detect_canary(obs: Observations) -> ir.Table:
    """Principal-hours touching a canary record, always strong."""
    touched = obs.rows.filter(obs.rows.canary)
    summary = hourly(touched)
    return hit_table(summary, DETECTOR, strength=STRONG, reason="a canary record was accessed")
