"""The breach path on the real demo data: generate, ingest, detect, and compare with truth.json.

This is the demo's answer key checked end to end (issue #4's "done when"): the attack is
raised covering every attacker principal and IP over its window, and nothing else in the
normal traffic (bots, office-hours exports, batch jobs, canaries untouched) is high severity.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from breachdesk.demo import GenerateOptions, generate_retailer
from breachdesk.detect import run_detection
from breachdesk.incident import open_incident
from breachdesk.ingest import ingest_configured
from breachdesk.scope import scope_incident
from breachdesk.workspace import Workspace, open_workspace

SERIOUS = {"high", "critical"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict[str, Any]]:
    out = tmp_path_factory.mktemp("e2e") / "demo"
    generate_retailer(GenerateOptions(out=out, customers=5000, days=14, seed=7))
    workspace = open_workspace(out)
    report = ingest_configured(workspace)
    assert report.rejected == 0
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return workspace, truth


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_demo_attack_is_raised_and_nothing_else_is_serious(
    demo: tuple[Workspace, dict[str, Any]],
) -> None:
    workspace, truth = demo
    alerts = run_detection(workspace).alerts
    serious = [a for a in alerts if str(a.severity) in SERIOUS]
    attack = truth["attack"]
    principals = {p for a in serious for p in a.principals}
    ips = {ip for a in serious for ip in a.src_ips}
    assert principals == set(attack["principals"]), "only the attackers are serious"
    assert set(attack["ips"]) <= ips
    start, end = _time(attack["start"]), _time(attack["end"])
    first = min(a.start for a in serious)
    last = max(a.end for a in serious)
    # truth.json spans the attacker's sessions (the database connect and disconnect lines
    # included); the alerts span the reads of person data within them.
    assert start - timedelta(seconds=1) <= first <= start + timedelta(seconds=60)
    assert end - timedelta(seconds=60) <= last <= end + timedelta(seconds=1)
    for alert in serious:
        assert start - timedelta(seconds=1) <= alert.start <= alert.end <= end
        # Every serious alert names where it came from, the database one included (its
        # events take the address of their session's "connection received" line).
        assert set(alert.src_ips) & set(attack["ips"]), alert.principals


def test_demo_canaries_are_untouched_by_normal_traffic(
    demo: tuple[Workspace, dict[str, Any]],
) -> None:
    workspace, _ = demo
    canary_alerts = [a for a in run_detection(workspace).alerts if "canary" in a.detectors]
    outside = [a for a in canary_alerts if not set(a.principals) & {"agent:jmartin", "support_ro"}]
    assert outside == []


def test_demo_scope_from_the_alerts_is_exactly_the_truth(
    demo: tuple[Workspace, dict[str, Any]],
) -> None:
    workspace, truth = demo
    serious = [a for a in run_detection(workspace).alerts if str(a.severity) in SERIOUS]
    case = open_incident(
        workspace,
        title="Bulk extraction",
        actor="test",
        alert_ids=[a.id for a in serious],
        aware_at=datetime.now(UTC),
        aware_reason="alerts reviewed",
    )
    report = scope_incident(workspace, case.id, actor="test")
    keys = {str(k) for k in report.persons.column("key").to_pylist()}
    assert keys == {str(i) for i in truth["affected"]["customer_ids"]}
    found = set(report.by_category)
    assert found == set(truth["affected"]["categories"])
