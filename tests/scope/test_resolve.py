"""Object reads (exact), list pages and searches (inferred), exports (conservative)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from breachdesk.errors import UserInputError
from breachdesk.model.scope import ScopeReport
from breachdesk.scope import parse_window, scope_incident
from breachdesk.scope.pages import Order, Page, _windows, parse_order
from breachdesk.workspace import Workspace
from tests.scope.conftest import (
    T0,
    Ev,
    add_alert,
    fetch,
    make_workspace,
    open_case,
    page,
    signup,
    write_events,
)


def _scope(ws: Workspace, events: list[Ev], **options: object) -> ScopeReport:
    write_events(ws, events)
    add_alert(ws, "ALR-1", principals=["agent:jmartin"], ips=["203.0.113.7"])
    return scope_incident(ws, open_case(ws, ["ALR-1"]), actor="tester", **options)  # type: ignore[arg-type]


def _keys(report: ScopeReport, confidence: str | None = None) -> set[int]:
    rows = report.persons.select(["key", "confidence"]).to_pylist()
    return {int(r["key"]) for r in rows if confidence in (None, r["confidence"])}


def test_objects_are_exact_and_failed_reads_are_not(shop_ws: Workspace) -> None:
    events = [
        fetch(T0 + timedelta(seconds=1), 17),
        fetch(T0 + timedelta(seconds=2), 18, status=404),
        fetch(T0 + timedelta(seconds=3), 99999),  # a 200 for an id the source lacks
        Ev(T0 + timedelta(seconds=4), route="/api/v1/customers/{id}", object_id="0042"),
        Ev(T0 + timedelta(seconds=5), route="/api/v1/customers/{id}", object_id="me"),
        Ev(T0 + timedelta(seconds=6), route="/api/v1/orders/{id}", object_id="9"),
        Ev(
            T0 + timedelta(seconds=7), route="/api/v1/customers/{id}", object_id="21", method="HEAD"
        ),
    ]
    report = _scope(shop_ws, events)
    assert _keys(report) == {17, 42, 5}  # order 9 belongs to customer 5
    assert _keys(report, "exact") == {17, 42, 5}
    people = {r["key"]: r for r in report.persons.to_pylist()}
    assert people["17"]["categories"] == [
        "contact.name",
        "contact.email",
        "location.city",
        "location.region",
        "location.country",
        "account.id",
    ]
    assert people["5"]["categories"] == ["account.id", "commerce.purchase_history"]
    assert people["17"]["first_access"] == T0 + timedelta(seconds=1)
    assert any("not a customers.id value" in n.reason for n in report.notes)


def test_pages_are_inferred_and_leave_out_later_customers(tmp_path: Path) -> None:
    # Customers 5 and 150 signed up after the paging: at the time they were not in the list.
    late = {5: T0 + timedelta(days=2), 150: T0 + timedelta(days=2)}
    ws = make_workspace(tmp_path / "ws", 400, late=late)
    report = _scope(ws, [page(T0 + timedelta(seconds=1), 1), page(T0 + timedelta(seconds=9), 2)])
    expected = [i for i in range(1, 401) if i not in late][:200]
    assert _keys(report) == set(expected)
    assert _keys(report, "inferred") == set(expected)
    assert any(n.kind == "inferred" for n in report.notes)
    ws.close()


def test_pages_shift_when_customers_join_during_the_paging(tmp_path: Path) -> None:
    # Customer 10 signs up between the first and the second page (of 25, by id): page 1
    # held 1..26 without 10; from page 2 on, 10 counts, so page 2 starts at 26 again.
    joined = T0 + timedelta(seconds=5)
    ws = make_workspace(tmp_path / "ws", 120, late={10: joined})
    events = [
        page(T0 + timedelta(seconds=1), 1, 25),
        page(T0 + timedelta(seconds=10), 2, 25),
        page(T0 + timedelta(seconds=20), 3, 25),
    ]
    report = _scope(ws, events)
    assert _keys(report) == set(range(1, 76)) - {10}
    ws.close()


def test_windows_slot_late_rows_into_later_pages() -> None:
    import pyarrow as pa

    late = pa.table(
        {
            "row_key": [1000],
            "person_key": [1000],
            "created_us": [50],
            "cb": [3],
        }
    )
    pages = [Page(0, 10, 0, 5, None), Page(1, 60, 0, 5, None), Page(2, 60, 5, 5, None)]
    windows, late_rows, counts = _windows(pages, late, base=20)
    assert windows.to_pylist() == [
        {"q": 0, "lo": 1, "hi": 5},
        {"q": 1, "lo": 1, "hi": 4},
        {"q": 2, "lo": 5, "hi": 9},
    ]
    assert late_rows == [(1, 0)]
    assert counts == [5, 5, 5]


@pytest.mark.parametrize(
    ("text", "direction", "expected"),
    [
        ("-id", None, Order("id", True)),
        ("created_at:desc", None, Order("created_at", True)),
        ("email asc", None, Order("email", False)),
        ("id", "desc", Order("id", True)),
        ("", None, None),
    ],
)
def test_parse_order(text: str, direction: str | None, expected: Order | None) -> None:
    assert parse_order(text, direction) == expected


def test_filtered_lists_and_exports_are_conservative(shop_ws: Workspace) -> None:
    events = [
        Ev(
            T0 + timedelta(seconds=1),
            route="/api/v1/customers",
            query="page=1&per_page=10&country=FR",
        ),
        Ev(T0 + timedelta(seconds=2), route="/api/v1/export/customers"),
    ]
    report = _scope(shop_ws, events)
    assert _keys(report, "conservative") == set(range(1, 401))
    reasons = " ".join(n.reason for n in report.notes if n.kind == "conservative")
    assert "filtered by parameter 'country'" in reasons
    assert "exports the table without parameters" in reasons


def test_search_takes_every_row_containing_the_term(shop_ws: Workspace) -> None:
    events = [
        Ev(T0 + timedelta(seconds=1), route="/api/v1/customers/search", query="q=P12%40"),
        Ev(T0 + timedelta(seconds=2), route="/api/v1/customers/search", query="q=person+399"),
    ]
    report = _scope(shop_ws, events)
    # "p12@" is in the emails of customer 12 only; "person 399" in one name.
    assert _keys(report) == {12, 399}
    assert _keys(report, "inferred") == {12, 399}


def test_selection_by_alert_window_principal_and_address(shop_ws: Workspace) -> None:
    events = [
        fetch(T0 + timedelta(minutes=1), 1),
        # the attacker's address, another token: taken
        Ev(
            T0 + timedelta(minutes=2),
            principal="agent:other",
            route="/api/v1/customers/{id}",
            object_id="2",
        ),
        # the same agent from the office, inside the window: taken (stolen token)
        Ev(
            T0 + timedelta(minutes=3),
            src_ip="198.51.100.20",
            route="/api/v1/customers/{id}",
            object_id="3",
        ),
        # someone else from elsewhere: not taken
        Ev(
            T0 + timedelta(minutes=4),
            principal="customer:9",
            src_ip="192.0.2.1",
            route="/api/v1/customers/{id}",
            object_id="9",
        ),
        # the agent after the alert's end: not taken
        fetch(T0 + timedelta(hours=3), 4),
    ]
    report = _scope(shop_ws, events)
    assert _keys(report) == {1, 2, 3}
    assert report.selection.events == 3


def test_filters_select_without_alerts(shop_ws: Workspace) -> None:
    events = [
        fetch(T0 + timedelta(minutes=1), 1),
        Ev(
            T0 + timedelta(minutes=2),
            src_ip="203.0.113.99",
            route="/api/v1/customers/{id}",
            object_id="2",
        ),
        Ev(
            T0 + timedelta(minutes=3),
            src_ip="198.51.100.3",
            route="/api/v1/customers/{id}",
            object_id="3",
        ),
        fetch(T0 + timedelta(days=1), 4),
    ]
    write_events(shop_ws, events)
    incident = open_case(shop_ws)
    window = parse_window("2026-11-11T00:00:00Z/2026-11-11T02:00:00+00:00")
    report = scope_incident(
        shop_ws, incident, actor="tester", networks=["203.0.113.0/24"], window=window
    )
    assert _keys(report) == {1, 2}
    with pytest.raises(UserInputError, match="has no alerts"):
        scope_incident(shop_ws, incident, actor="tester")
    with pytest.raises(UserInputError, match="CIDR"):
        scope_incident(shop_ws, incident, actor="tester", networks=["203.0.113.0/33"])
    with pytest.raises(UserInputError, match="no UTC offset"):
        parse_window("2026-11-11T00:00:00/2026-11-11T02:00:00Z")


def test_no_events_selected_is_an_empty_scope(shop_ws: Workspace) -> None:
    report = _scope(shop_ws, [fetch(T0 - timedelta(days=3), 1)])
    assert report.affected == 0
    assert report.by_confidence == {}


def test_signup_helper_grows_with_id() -> None:
    assert signup(2) > signup(1)
