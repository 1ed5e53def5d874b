"""Single detectors on small, hand-made traffic."""

from __future__ import annotations

from datetime import timedelta

from breachdesk.detect.hits import WEAK
from breachdesk.detect.new_source import detect_new_source
from breachdesk.detect.off_hours import detect_off_hours
from breachdesk.detect.volume import detect_volume
from tests.detect.conftest import run_detector
from tests.detect.detect_traffic import FIRST_DAY, OFFICE, Traffic, local


def _office_history(traffic: Traffic, principal: str, days: int = 10, per_day: int = 12) -> None:
    for day in range(days):
        for index in range(per_day):
            moment = local(FIRST_DAY + timedelta(days=day), 9 + index % 8, index)
            who = str(100 + day * per_day + index * 37)
            traffic.api(
                moment,
                principal,
                f"{OFFICE}21",
                f"/api/v1/customers/{who}",
                route="/api/v1/customers/{id}",
                object_id=who,
            )


def test_off_hours_flags_a_known_principal_at_night_but_not_an_address() -> None:
    traffic = Traffic()
    _office_history(traffic, "agent:x")
    night = FIRST_DAY + timedelta(days=11, hours=2)
    for minute in range(3):
        traffic.api(
            night + timedelta(minutes=minute),
            "agent:x",
            f"{OFFICE}21",
            "/api/v1/customers/7",
            route="/api/v1/customers/{id}",
            object_id="7",
        )
        traffic.api(
            night + timedelta(minutes=minute),
            None,
            "192.0.2.44",
            "/api/v1/customers/8",
            route="/api/v1/customers/{id}",
            object_id="8",
        )
    hits = run_detector(traffic, detect_off_hours)
    assert [(h.principal, h.events, h.strength) for h in hits] == [("agent:x", 3, WEAK)]


def test_new_source_learns_first_then_flags_a_new_network() -> None:
    traffic = Traffic()
    _office_history(traffic, "agent:x")
    # A second network during the learning week is learnt, not flagged.
    traffic.api(
        local(FIRST_DAY + timedelta(days=2), 10),
        "agent:x",
        "192.0.2.10",
        "/api/v1/customers/9",
        route="/api/v1/customers/{id}",
        object_id="9",
    )
    later = local(FIRST_DAY + timedelta(days=10), 11)
    traffic.api(
        later,
        "agent:x",
        "203.0.113.5",
        "/api/v1/customers/5",
        route="/api/v1/customers/{id}",
        object_id="5",
    )
    traffic.api(
        later + timedelta(days=2),
        "agent:x",
        "203.0.113.77",
        "/api/v1/customers/6",
        route="/api/v1/customers/{id}",
        object_id="6",
    )
    hits = run_detector(traffic, detect_new_source)
    assert [(h.principal, h.start) for h in hits] == [("agent:x", later)]


def test_volume_needs_own_and_peer_anomaly_above_the_floor() -> None:
    traffic = Traffic()
    for principal in ("agent:x", "agent:y", "agent:z"):
        _office_history(traffic, principal)
    burst = local(FIRST_DAY + timedelta(days=10), 14)
    traffic.api(
        burst,
        "agent:x",
        f"{OFFICE}21",
        "/api/v1/customers",
        route="/api/v1/customers",
        action="list",
        query="page=1&per_page=500",
        rows=500,
    )
    traffic.api(
        burst,
        "agent:y",
        f"{OFFICE}21",
        "/api/v1/customers",
        route="/api/v1/customers",
        action="list",
        query="page=1&per_page=150",
        rows=150,
    )
    hits = run_detector(traffic, detect_volume)
    assert [h.principal for h in hits] == ["agent:x"]
