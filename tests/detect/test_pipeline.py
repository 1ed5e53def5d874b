"""Detection end to end on four weeks of synthetic traffic, on every engine."""

from __future__ import annotations

from typing import Any

from breachdesk.detect import DetectionReport
from breachdesk.detect.pipeline import parse_moment
from tests.detect.conftest import covered

SEVERE = ("high", "critical")


def _alerts(report: DetectionReport) -> list[dict[str, Any]]:
    return [alert.to_dict() for alert in report.alerts]


def test_pipeline_raises_the_night_attack_over_its_whole_window(
    report: DetectionReport, scenario: dict[str, Any]
) -> None:
    attack = scenario["attack"]
    severe = [
        a
        for a in _alerts(report)
        if a["severity"] in SEVERE
        and set(a["principals"]) & set(attack.principals)
        and parse_moment(a["start"]) <= attack.end
        and parse_moment(a["end"]) >= attack.start
    ]
    assert covered(attack, severe)
    assert set(attack.principals) <= {p for a in severe for p in a["principals"]}
    assert set(attack.ips) <= {ip for a in severe for ip in a["src_ips"]}
    api = next(a for a in severe if "agent:jmartin" in a["principals"])
    assert api["severity"] == "critical"
    assert {"volume", "enumeration", "new_source", "off_hours"} <= set(api["detectors"])
    # The office address is not part of the night's alert.
    assert not any(ip.startswith("198.51.100.") for ip in api["src_ips"])


def test_pipeline_keeps_normal_traffic_below_high(
    report: DetectionReport, scenario: dict[str, Any]
) -> None:
    attack, slow = scenario["attack"], scenario["slow"]
    expected = {"agent:jmartin", "support_ro", "agent:lnguyen", "agent:akhan"}
    severe = [a for a in _alerts(report) if a["severity"] in SEVERE]
    assert {p for a in severe for p in a["principals"]} <= expected
    for alert in severe:
        start, end = parse_moment(alert["start"]), parse_moment(alert["end"])
        if "agent:lnguyen" in alert["principals"]:
            assert start >= slow.start
            assert end <= slow.end
        elif "agent:akhan" in alert["principals"]:
            assert alert["detectors"] == ["canary"]
        else:
            assert start >= attack.start
            assert end <= attack.end
    quiet = {"marketing_ro", "svc_crm_sync", "svc:order-sync", "agent:pdubois"}
    for alert in _alerts(report):
        if set(alert["principals"]) & quiet:
            assert alert["severity"] in ("low", "medium"), alert
        assert not any(p.startswith(("customer:", "ip:")) for p in alert["principals"]), alert


def test_pipeline_catches_the_slow_extraction_in_office_hours(
    report: DetectionReport, scenario: dict[str, Any]
) -> None:
    slow = scenario["slow"]
    found = [
        a for a in _alerts(report) if "agent:lnguyen" in a["principals"] and a["severity"] in SEVERE
    ]
    assert covered(slow, found)
    assert "enumeration" in found[0]["detectors"]


def test_pipeline_canary_read_is_critical(
    report: DetectionReport, scenario: dict[str, Any]
) -> None:
    moment = scenario["canary_at"]
    hits = [
        a
        for a in _alerts(report)
        if "canary" in a["detectors"]
        and parse_moment(a["start"]) <= moment <= parse_moment(a["end"])
    ]
    assert [a["severity"] for a in hits] == ["critical"]
    assert hits[0]["principals"] == ["agent:akhan"]


def test_pipeline_sigma_rules_fire(report: DetectionReport) -> None:
    assert report.rules == 3
    assert report.rule_errors == ()
    fired = {d for a in report.alerts for d in a.detectors if d.startswith("sigma:")}
    assert fired == {
        "sigma:scripted-http-client-reading-customers",
        "sigma:burst-of-customer-list-calls",
        "sigma:many-distinct-customers-in-an-hour",
    }
    jmartin = next(
        a for a in report.alerts if a.principals == ("agent:jmartin",) and a.severity == "critical"
    )
    assert fired <= set(jmartin.detectors)


def test_pipeline_report_json_shape(report: DetectionReport) -> None:
    data = report.to_dict()
    assert set(data) == {
        "alerts",
        "engine",
        "since",
        "until",
        "events",
        "hits",
        "rules",
        "rule_errors",
        "new_alerts",
        "seconds",
    }
    keys = {
        "id",
        "severity",
        "detectors",
        "principals",
        "src_ips",
        "start",
        "end",
        "events",
        "objects",
        "evidence_query",
    }
    assert all(set(alert) == keys for alert in data["alerts"])
    assert len({alert["id"] for alert in data["alerts"]}) == len(data["alerts"])
