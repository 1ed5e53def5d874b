"""Alerts: merging hits per principal and window, severity, ids, storage, evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from breachdesk.config import SeverityParams
from breachdesk.detect.alerts import alert_id, cluster_hits, grade, read_alerts
from breachdesk.detect.hits import STRONG, SUSPICIOUS, WEAK, Hit
from breachdesk.model import Severity
from breachdesk.workspace import open_workspace

T0 = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)
PARAMS = SeverityParams()


def _hit(
    detector: str, start_min: int, end_min: int, strength: int = WEAK, principal: str = "agent:x"
) -> Hit:
    return Hit(
        detector,
        principal,
        T0 + timedelta(minutes=start_min),
        T0 + timedelta(minutes=end_min),
        1,
        strength,
        "",
    )


def test_cluster_hits_merges_within_the_gap_per_principal() -> None:
    hits = [
        _hit("volume", 0, 50),
        _hit("off_hours", 170, 180),  # 120 min after the first ends: same alert
        _hit("volume", 301, 310),  # 121 min later: a new alert
        _hit("volume", 0, 10, principal="agent:y"),
    ]
    clusters = cluster_hits(hits, timedelta(minutes=120))
    assert [(c.principal, len(c.hits)) for c in clusters] == [
        ("agent:x", 2),
        ("agent:x", 1),
        ("agent:y", 1),
    ]
    assert clusters[0].start == T0
    assert clusters[0].end == T0 + timedelta(minutes=180)


def test_grade_needs_strong_or_combined_evidence() -> None:
    assert grade([_hit("off_hours", 0, 1)], PARAMS) is Severity.LOW
    # The same weak detector many times is still one weak signal.
    assert grade([_hit("new_source", m, m + 1) for m in range(0, 600, 60)], PARAMS) is Severity.LOW
    assert grade([_hit("bulk_query", 0, 1, SUSPICIOUS)], PARAMS) is Severity.MEDIUM
    assert grade([_hit("volume", 0, 1, STRONG)], PARAMS) is Severity.HIGH
    combined = [
        _hit("volume", 0, 1, SUSPICIOUS),
        _hit("enumeration", 0, 1, SUSPICIOUS),
        _hit("off_hours", 0, 1),
    ]
    assert grade(combined, PARAMS) is Severity.HIGH
    assert grade([*combined, _hit("new_source", 0, 1, STRONG)], PARAMS) is Severity.CRITICAL
    assert grade([_hit("canary", 0, 1, STRONG)], PARAMS) is Severity.CRITICAL


def test_alert_id_is_stable_and_distinct() -> None:
    assert alert_id("agent:x", T0) == alert_id("agent:x", T0.astimezone())
    assert alert_id("agent:x", T0) != alert_id("agent:y", T0)
    assert alert_id("agent:x", T0) != alert_id("agent:x", T0 + timedelta(microseconds=1))


def test_alerts_are_stored_once_with_a_runnable_evidence_query(
    detect_on: Any, scenario: dict[str, Any]
) -> None:
    report = detect_on("duckdb")
    workspace = open_workspace(scenario["root"])
    try:
        stored = read_alerts(workspace.store)
    finally:
        workspace.close()
    assert [a.to_dict() for a in stored] == [a.to_dict() for a in report.alerts]
    canary = next(a for a in stored if "canary" in a.detectors)
    rows = duckdb.sql(canary.evidence_query).fetchall()
    assert len(rows) >= canary.events >= 1
