"""The incident page's view model, on workspaces built through the services (SQLite and
PostgreSQL): clock, obligations in urgency order, counts only from scope, evidence checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from breachdesk.errors import UserInputError
from breachdesk.incident import add_entry, add_evidence, open_incident, verify_evidence
from breachdesk.law import assess_incident, case_from_dict
from breachdesk.model.incident import CustodyItem, EvidenceItem, TimelineKind
from breachdesk.web.incident_view import (
    evidence_of,
    incident_view,
    parse_filter,
    scope_of,
)
from breachdesk.workspace import Workspace, init_workspace

AWARE = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def workspace(tmp_path: Path, database_url: str) -> Iterator[Workspace]:
    url = "" if database_url.startswith("sqlite") else f'database_url = "{database_url}"\n'
    ws = init_workspace(
        tmp_path / "ws",
        settings_text=url + '[controller]\nname = "Maison"\ncountry = "FR"\n',
    )
    yield ws
    ws.close()


def test_parse_filter_reads_kinds_and_window() -> None:
    chosen = parse_filter(["analyst", "case", "analyst"], "2026-11-02T00:00:00Z", None)
    assert chosen.kinds == (TimelineKind.ANALYST, TimelineKind.CASE)
    assert chosen.since == datetime(2026, 11, 2, tzinfo=UTC)
    assert chosen.active
    assert not parse_filter().active


@pytest.mark.parametrize(
    ("kinds", "since", "until", "message"),
    [
        (["<script>"], None, None, "unknown timeline kind"),
        ([], "2026-11-02T00:00:00", None, "no UTC offset"),
        ([], "2026-11-03T00:00:00Z", "2026-11-02T00:00:00Z", "after its 'until'"),
    ],
)
def test_parse_filter_refuses_bad_values(
    kinds: list[str], since: str | None, until: str | None, message: str
) -> None:
    with pytest.raises(UserInputError, match=message):
        parse_filter(kinds, since, until)


def test_scope_of_takes_the_latest_run_as_sorted_counts() -> None:
    assert scope_of([]) is None
    runs = [
        {
            "run": 1,
            "finished_at": "2026-11-03T10:00:00+00:00",
            "actor": "a",
            "engine": "duckdb",
            "affected": 9,
            "summary": {"by_country": {"FR": 9}},
        },
        {
            "run": 2,
            "finished_at": "2026-11-03T11:00:00+00:00",
            "actor": "web:resp",
            "engine": "duckdb",
            "affected": 12,
            "summary": {
                "by_country": {"US": 3, "FR": 7, "GB": 0, "DE": 2},
                "by_category": {"contact.email": 12, "contact.name": 12},
                "by_confidence": {"exact": 12},
                "notes": [{"kind": "conservative", "reason": "export route", "events": 4}],
            },
        },
    ]
    view = scope_of(runs)
    assert view is not None
    assert (view.run_id, view.runs, view.affected) == (2, 2, 12)
    assert view.by_country == (("FR", 7), ("US", 3), ("DE", 2))
    assert view.by_category == (("contact.email", 12), ("contact.name", 12))
    assert view.notes == (("conservative", "export route", 4),)


def test_evidence_of_counts_only_rehashes_and_the_latest_run() -> None:
    t = datetime(2026, 11, 3, tzinfo=UTC)
    items = [
        EvidenceItem(i, "INC", "ab" * 32, f"f{i}", 1, "text/plain", "", "a", t, "/x")
        for i in (1, 2)
    ]

    def event(n: int, at: datetime, action: str, ok: bool) -> CustodyItem:
        return CustodyItem(n, f"f{n}", "ab" * 32, at, "a", action, action, None, ok)

    later = t + timedelta(hours=1)
    custody = [
        event(1, t, "collected", True),
        event(2, t, "collected", True),
        event(1, later, "verified", True),
        event(2, later, "verify-changed", False),
    ]
    rows, summary = evidence_of(items, custody)
    assert [r.intact for r in rows] == [True, False]
    assert summary is not None
    assert (summary.intact, summary.failed, summary.ok) == (1, 1, False)
    never, none = evidence_of(items, custody[:2])
    assert none is None
    assert [r.intact for r in never] == [None, None]


def test_view_of_a_new_incident_has_no_scope_law_or_campaign(workspace: Workspace) -> None:
    case = open_incident(workspace, title="Fresh", actor="test")
    view = incident_view(workspace, case.id)
    assert view.clock.deadline_at is None
    assert view.clock.text is None
    assert view.scope is None
    assert view.obligations is None
    assert view.campaign is None
    assert view.last_verify is None


def test_view_orders_obligations_by_urgency_and_matches_the_clock(
    workspace: Workspace, tmp_path: Path
) -> None:
    case = open_incident(
        workspace, title="Leak", actor="test", aware_at=AWARE, aware_reason="confirmed"
    )
    legal_case = case_from_dict(
        {
            "aware_at": "2026-11-03T09:00:00Z",
            "categories": ["contact.name", "contact.email"],
            "cause": "malicious",
            "residents": {"FR": 40, "US-CA": 3, "JP": 2},
            "controller_establishment": "FR",
        }
    )
    assess_incident(workspace, case.id, case=legal_case, actor="test")
    log = tmp_path / "access.log"
    log.write_text("line\n", encoding="utf-8")
    add_evidence(workspace, case.id, log, actor="test")
    verify_evidence(workspace, case.id, actor="test")
    now = AWARE + timedelta(hours=10)
    view = incident_view(workspace, case.id, now=now)
    assert view.obligations is not None
    rows = view.obligations.obligations
    required = [r for r in rows if r.required]
    assert list(rows[: len(required)]) == required
    dated = [r.deadline_at for r in required if r.deadline_at is not None]
    assert dated == sorted(dated)
    first = required[0]
    assert first.deadline_at == view.clock.deadline_at
    assert first.seconds_left == view.clock.seconds_left
    assert first.deadline_at is not None
    assert first.seconds_left == int((first.deadline_at - now).total_seconds())
    assert view.clock.aware_reason == "confirmed"
    assert view.last_verify is not None
    assert view.last_verify.ok


def test_view_caps_the_timeline_and_counts_the_rest(workspace: Workspace) -> None:
    case = open_incident(
        workspace, title="Leak", actor="test", aware_at=AWARE, aware_reason="confirmed"
    )
    for n in range(4):
        add_entry(workspace, case.id, at=AWARE + timedelta(minutes=n), text=f"note {n}", actor="a")
    total = incident_view(workspace, case.id).timeline_total
    view = incident_view(workspace, case.id, timeline_limit=3)
    assert view.timeline_total == total
    assert total > 3
    assert len(view.timeline) == 3
    assert [e.at for e in view.timeline] == sorted(e.at for e in view.timeline)
    analysts = incident_view(
        workspace, case.id, timeline_filter=parse_filter(["analyst"]), timeline_limit=3
    )
    assert analysts.timeline_total == 4
