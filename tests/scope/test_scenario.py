"""A second, independently built scenario: a members club with text keys, offset/limit
pages of 37 sorted by sign-up date descending, a linked bookings table and MySQL logs.

The expected answer is computed here in plain Python from the rows, not with SQL.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from breachdesk.scope import scope_incident
from breachdesk.workspace import init_workspace
from tests.scope.conftest import Ev, add_alert, open_case, write_events

EVENT_AT = datetime(2026, 6, 1, 22, 0, tzinfo=UTC)
NATIONS = [
    ("DE", "BE", "de-DE"),
    ("US", "TX", "en-US"),
    ("AU", "au-nsw", "en-AU"),
    ("JP", "13", "ja-JP"),
]

SETTINGS = """
[person_source]
url = "sqlite:///club.db"
table = "members"
key = "member_no"
email = "mail"
name = "display_name"
language = "lang"
country = "nation"
region = "state"

[[sources]]
name = "edge"
format = "jsonl"
paths = ["logs/edge"]

[[sources]]
name = "mysql"
format = "mysql-general"
paths = ["logs/mysql"]

[[exposure]]
route = "/v2/members/{member_no}"
table = "members"
key = "member_no"
kind = "object"
columns = ["member_no", "display_name", "mail"]

[[exposure]]
route = "/v2/members"
table = "members"
key = "member_no"
kind = "list"
order_by = "member_no"
page_param = "p"
size_param = "n"
columns = ["member_no", "display_name", "mail", "nation"]

[[exposure]]
route = "/v2/bookings/{ref}"
table = "bookings"
key = "ref"
kind = "object"
columns = ["ref", "holder", "night"]

[[exposure]]
table = "members"
kind = "table"
columns = ["member_no", "display_name", "mail", "nation", "state", "lang", "joined_on"]

[scope]
created_at = {members = "joined_on"}
person_links = {bookings = "holder"}
"""


def _members() -> list[dict[str, object]]:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(1, 91):
        nation, state, lang = NATIONS[i % 4]
        # Sign-up order differs from member number order; five sign up after the events.
        joined = base + timedelta(days=(i * 37) % 90)
        if i in (7, 44, 45, 61, 90):
            joined = EVENT_AT + timedelta(days=3)
        rows.append(
            {
                "member_no": f"M{i:04d}",
                "display_name": f"Member {i}",
                "mail": f"m{i}@club.test",
                "nation": nation,
                "state": state,
                "lang": lang,
                "joined_on": joined.strftime("%Y-%m-%d %H:%M:%S"),
            }
        )
    return rows


def _make(root: Path) -> list[dict[str, object]]:
    root.mkdir(parents=True)
    members = _members()
    db = sqlite3.connect(root / "club.db")
    db.execute(
        "CREATE TABLE members (member_no TEXT PRIMARY KEY, display_name TEXT, mail TEXT, "
        "nation TEXT, state TEXT, lang TEXT, joined_on TEXT)"
    )
    db.execute("CREATE TABLE bookings (ref TEXT PRIMARY KEY, holder TEXT, night TEXT)")
    db.executemany(
        "INSERT INTO members VALUES (:member_no, :display_name, :mail, :nation, :state, "
        ":lang, :joined_on)",
        members,
    )
    db.executemany(
        "INSERT INTO bookings VALUES (?, ?, ?)",
        [(f"B-{i}", f"M{i:04d}", "2026-05-01") for i in range(1, 91)],
    )
    db.commit()
    db.close()
    return members


def _expected_pages(members: list[dict[str, object]], offsets: list[int], size: int) -> set[str]:
    """Pages sorted by sign-up date, newest first (ties by key), as they were then."""
    cutoff = EVENT_AT.strftime("%Y-%m-%d %H:%M:%S")
    existing = [m for m in members if str(m["joined_on"]) <= cutoff]
    existing.sort(key=lambda m: str(m["member_no"]))
    existing.sort(key=lambda m: str(m["joined_on"]), reverse=True)
    found: set[str] = set()
    for offset in offsets:
        found |= {str(m["member_no"]) for m in existing[offset : offset + size]}
    return found


def _event(seconds: int, **fields: object) -> Ev:
    return Ev(
        EVENT_AT + timedelta(seconds=seconds),
        source="edge",
        principal="key:partner-7",
        src_ip="192.0.2.44",
        **fields,  # type: ignore[arg-type]
    )


def _mysql(seconds: int, sql: str) -> Ev:
    return Ev(
        EVENT_AT + timedelta(seconds=seconds),
        source="mysql",
        principal="reporting@10.0.0.9",
        src_ip="10.0.0.9",
        statement=sql,
        resource="members",
        klass="datastore",
        method=None,
        status=None,
    )


def test_scenario_members_club_resolved(tmp_path: Path) -> None:
    members = _make(tmp_path / "club")
    ws = init_workspace(tmp_path / "club", settings_text=SETTINGS)
    pages = _expected_pages(members, [0, 37], 37)
    cutoff = EVENT_AT.strftime("%Y-%m-%d %H:%M:%S")
    outside = sorted(
        str(m["member_no"])
        for m in members
        if str(m["joined_on"]) <= cutoff and m["member_no"] not in pages
    )
    fetched, booked, selected = outside[0], outside[1], outside[2]
    events = [
        _event(1, route="/v2/members", query="offset=0&limit=37&sort=-joined_on", rows=37),
        _event(4, route="/v2/members", query="offset=37&limit=37&sort=-joined_on", rows=37),
        _event(9, route="/v2/members/{member_no}", object_id=fetched),
        _event(12, route="/v2/bookings/{ref}", object_id=f"B-{int(booked[1:])}"),
        _event(13, route="/v2/bookings/{ref}", object_id="B-999", status=404),
        _mysql(60, "SELECT mail FROM members WHERE nation = 'AU' AND member_no >= 'M0080'"),
        _mysql(61, f"SELECT `display_name` FROM `members` WHERE `member_no` = '{selected}'"),
    ]
    write_events(ws, events)
    add_alert(ws, "ALR-partner", principals=["key:partner-7"], ips=["192.0.2.44"], start=EVENT_AT)
    add_alert(ws, "ALR-mysql", principals=["reporting@10.0.0.9"], start=EVENT_AT)
    report = scope_incident(ws, open_case(ws, ["ALR-partner", "ALR-mysql"]), actor="tester")
    people = {r["key"]: r for r in report.persons.to_pylist()}

    au_late = {
        str(m["member_no"])
        for m in members
        if m["nation"] == "AU" and str(m["member_no"]) >= "M0080"
    }
    # Member 90 (AU) joined after the statement: no statement could have returned it.
    assert "M0090" in au_late
    exact = ({fetched, booked, selected} | au_late) - {"M0090"}
    assert len(pages) == 74
    assert set(people) == pages | exact
    assert {k for k, p in people.items() if p["confidence"] == "exact"} == exact
    assert {k for k, p in people.items() if p["confidence"] == "inferred"} == pages - exact
    for late in ("M0007", "M0044", "M0045", "M0061", "M0090"):
        assert late not in people  # joined after the events

    assert set(people[fetched]["categories"]) == {"account.id", "contact.name", "contact.email"}
    assert people[booked]["categories"] == ["account.id"]  # a booking names its holder
    assert people[selected]["categories"] == ["contact.name"]
    paged = next(iter(pages - exact))
    assert set(people[paged]["categories"]) == {
        "account.id",
        "contact.name",
        "contact.email",
        "location.country",
    }
    by_number = {str(m["member_no"]): m for m in members}
    for key, person in people.items():
        nation, _state, lang = next(n for n in NATIONS if n[0] == by_number[key]["nation"])
        assert person["country"] == nation
        assert person["language"] == lang
        expected = {"US": "US-TX", "AU": "AU-NSW"}.get(nation)
        assert person["subdivision"] == expected
    ws.close()
