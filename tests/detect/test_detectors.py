"""Single detectors on small, hand-made traffic."""

from __future__ import annotations

from datetime import datetime, timedelta

from breachdesk.detect.enumeration import detect_deep_pages
from breachdesk.detect.hits import STRONG, SUSPICIOUS, WEAK
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


def test_deep_pages_summarise_each_hour_that_reaches_a_deep_page() -> None:
    traffic = Traffic()

    def page(moment: datetime, principal: str, number: int) -> None:
        traffic.api(
            moment,
            principal,
            f"{OFFICE}21",
            "/api/v1/customers",
            route="/api/v1/customers",
            action="list",
            query=f"per_page=50&page={number}",
            rows=50,
        )

    night = local(FIRST_DAY + timedelta(days=3), 2)  # a whole UTC hour
    # agent:x pages 1..120, a page a minute over two hours, and browses page 3 next day;
    # agent:y stops at page 19, one short of deep.
    for minute in range(120):
        page(night + timedelta(minutes=minute), "agent:x", minute + 1)
    page(night + timedelta(days=1), "agent:x", 3)
    for minute in range(19):
        page(night + timedelta(minutes=minute), "agent:y", minute + 1)
    hits = run_detector(traffic, detect_deep_pages)
    summary = sorted((h.principal, h.start, h.end, h.events, h.strength, h.reason) for h in hits)
    pages = "/api/v1/customers paged to page"
    hour = timedelta(hours=1)
    assert summary == [
        ("agent:x", night, night + timedelta(minutes=59), 60, SUSPICIOUS, f"{pages} 60 (60 pages)"),
        (
            "agent:x",
            night + hour,
            night + hour + timedelta(minutes=59),
            60,
            STRONG,
            f"{pages} 120 (60 pages)",
        ),
    ]
