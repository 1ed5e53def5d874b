from __future__ import annotations

from datetime import timedelta

import pytest

from breachdesk.errors import UserInputError
from breachdesk.incident import add_entry, list_entries, open_incident
from breachdesk.model.incident import TimelineKind
from breachdesk.workspace import Workspace

from .conftest import T0, add_alert


def _case(ws: Workspace) -> str:
    add_alert(ws, "A1", start=T0)
    add_alert(ws, "A2", start=T0 + timedelta(days=1), principals=("db:support_ro",), ips=())
    return open_incident(ws, title="t", actor="alice", alert_ids=["A1", "A2"]).id


def test_entries_from_alerts_analysts_and_containment(workspace: Workspace) -> None:
    incident = _case(workspace)
    note = add_entry(workspace, incident, at=T0 + timedelta(hours=1), text="seen", actor="bob")
    action = add_entry(
        workspace,
        incident,
        at=T0 + timedelta(hours=26),
        text="token revoked",
        actor="carol",
        kind=TimelineKind.CONTAINMENT,
    )
    entries = list_entries(workspace, incident)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert [e.kind for e in entries] == [
        TimelineKind.FIRST_EVENT,
        TimelineKind.ANALYST,
        TimelineKind.LAST_EVENT,
        TimelineKind.FIRST_EVENT,
        TimelineKind.LAST_EVENT,
        TimelineKind.CONTAINMENT,
    ]
    assert (note.actor, action.actor) == ("bob", "carol")
    assert "principal db:support_ro; no address recorded" in entries[3].text


def test_filters_by_time_and_kind(workspace: Workspace) -> None:
    incident = _case(workspace)
    since = T0 + timedelta(hours=2)
    until = T0 + timedelta(days=1)
    window = list_entries(workspace, incident, since=since, until=until)
    assert [(e.kind, e.at) for e in window] == [
        (TimelineKind.LAST_EVENT, since),
        (TimelineKind.FIRST_EVENT, until),
    ]
    firsts = list_entries(workspace, incident, kinds=[TimelineKind.FIRST_EVENT])
    assert [e.source_ref for e in firsts] == ["alert:A1", "alert:A2"]
    with pytest.raises(UserInputError, match="--since is after --until"):
        list_entries(workspace, incident, since=until, until=since)


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("  ", TimelineKind.ANALYST, "empty"),
        ("x" * 10_001, TimelineKind.ANALYST, "longer than"),
        ("x", TimelineKind.FIRST_EVENT, "added by hand"),
    ],
)
def test_bad_entries_are_refused(
    sqlite_workspace: Workspace, text: str, kind: TimelineKind, message: str
) -> None:
    incident = open_incident(sqlite_workspace, title="t", actor="a").id
    with pytest.raises(UserInputError, match=message):
        add_entry(sqlite_workspace, incident, at=T0, text=text, actor="a", kind=kind)


def test_long_principal_lists_are_cut(sqlite_workspace: Workspace) -> None:
    ips = tuple(f"203.0.113.{n}" for n in range(40))
    add_alert(sqlite_workspace, ips=ips)
    incident = open_incident(sqlite_workspace, title="t", actor="a", alert_ids=["A1"]).id
    text = list_entries(sqlite_workspace, incident)[0].text
    assert "203.0.113.9 and 30 more" in text
    assert "203.0.113.10," not in text
