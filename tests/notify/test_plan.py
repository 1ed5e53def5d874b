"""Planning: one notice per person covering all their obligations; idempotent; channels."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from breachdesk.errors import UserInputError
from breachdesk.notify import plan_campaign
from breachdesk.store.tables import Notice
from breachdesk.workspace import Workspace
from tests.notify.conftest import add_duties, add_people, make_workspace, open_case, person


def test_plan_one_notice_covers_state_and_country(ws: Workspace) -> None:
    incident = open_case(ws)
    add_duties(ws, incident, {"US-CA": None, "US": None, "FR": "CNIL"})
    add_people(
        ws,
        incident,
        [
            person("1", "US", region="California", language="en-US"),
            person("2", "US", region="TX", language="es-US"),
            person("3", "FR"),
            person("4", "BR", language="pt-BR"),
        ],
    )
    plan = plan_campaign(ws, incident)
    assert plan.planned == 3
    assert plan.not_required == 1
    assert plan.by_language == {"en": 1, "es": 1, "fr": 1}
    with ws.store.session() as session:
        codes = sorted(tuple(n.jurisdictions) for n in session.scalars(select(Notice)))
    assert codes == [("FR",), ("US",), ("US-CA", "US")]


def test_plan_again_adds_only_new_people(ws: Workspace) -> None:
    incident = open_case(ws)
    add_duties(ws, incident, {"FR": None})
    add_people(ws, incident, [person("1"), person("2")])
    first = plan_campaign(ws, incident)
    add_people(ws, incident, [person("3")])
    second = plan_campaign(ws, incident)
    assert (first.added, second.added, second.planned) == (2, 1, 3)


def test_plan_ids_deterministic_across_workspaces_with_same_key(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "a")
    incident = open_case(ws)
    add_duties(ws, incident, {"FR": None})
    add_people(ws, incident, [person("7")])
    plan_campaign(ws, incident)
    with ws.store.session() as session:
        first = session.scalars(select(Notice.id)).one()
        session.execute(Notice.__table__.delete())
    plan_campaign(ws, incident)
    with ws.store.session() as session:
        assert session.scalars(select(Notice.id)).one() == first
    ws.close()


def test_plan_bad_or_missing_address_needs_other_channel(ws: Workspace) -> None:
    incident = open_case(ws)
    add_duties(ws, incident, {"FR": None})
    add_people(
        ws, incident, [person("1", email="x@y.test\r\nBcc: z@evil.test"), person("2", email="")]
    )
    plan = plan_campaign(ws, incident)
    assert plan.by_channel == {"post": 2}
    assert sum(plan.other_channel_reasons.values()) == 2


def test_plan_without_duty_needs_voluntary(ws: Workspace) -> None:
    incident = open_case(ws)
    add_people(ws, incident, [person("1", "US", region="NY")])
    with pytest.raises(UserInputError, match="--voluntary"):
        plan_campaign(ws, incident)
    plan = plan_campaign(ws, incident, voluntary=True)
    assert plan.planned == 1
    assert plan.by_jurisdiction == {"(voluntary)": 1}
