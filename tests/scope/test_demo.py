"""Scope on the generated retailer, checked against its ``truth.json``.

The attack's events are built from the demo's gateway and pgAudit logs by a test-only
reader (ingest is not on this branch) and the alerts are written as detection would; the
demo stage then runs scope on the incident.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from breachdesk.demo import GenerateOptions, generate_retailer
from breachdesk.demo.attack import plan_attack
from breachdesk.demo.stages import demo_stages
from breachdesk.law.records import case_from_scope
from breachdesk.scope.demo import scope_stage
from breachdesk.store import read_affected_persons
from breachdesk.store.scope_tables import ScopeRunPerson
from breachdesk.store.tables import AffectedPerson
from breachdesk.workspace import Workspace, open_workspace
from tests.scope.conftest import add_alert, open_case, write_events
from tests.scope.logparse import gateway_events, pgaudit_events

SEED, CUSTOMERS, DAYS = 11, 300, 14


@dataclass
class Demo:
    ws: Workspace
    truth: dict[str, object]
    incident: str
    lines: list[str]
    figures: dict[str, object]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    out = tmp_path_factory.mktemp("scope-demo") / "retailer"
    generate_retailer(GenerateOptions(out=out, customers=CUSTOMERS, days=DAYS, seed=SEED))
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    ws = open_workspace(out)
    write_events(ws, gateway_events(out / "logs" / "gateway"))
    write_events(ws, pgaudit_events(out / "logs" / "pgaudit"))
    attack = truth["attack"]
    start, end = _when(attack["start"]), _when(attack["end"])
    # As detection reports them: one alert per principal over its part of the night.
    add_alert(ws, "ALR-api", principals=["agent:jmartin"], ips=attack["ips"], start=start, end=end)
    add_alert(ws, "ALR-db", principals=["support_ro"], start=start, end=end + timedelta(seconds=1))
    incident = open_case(ws, ["ALR-api", "ALR-db"])
    outcome = scope_stage(ws)
    assert outcome.status == "done", outcome.lines
    yield Demo(ws, truth, incident, outcome.lines, outcome.figures)
    ws.close()


def _expected(out: Path) -> tuple[set[int], set[int]]:
    """(ids of the object reads and SQL pulls, ids of the list pages), computed here."""
    plan = plan_attack(SEED, CUSTOMERS, DAYS)
    db = sqlite3.connect(f"file:{out / 'shop.db'}?mode=ro", uri=True)
    try:
        existing = {r[0] for r in db.execute("SELECT id FROM customers")}
        exact = {i for i in plan.object_ids if i in existing}
        for pull in plan.pulls:
            exact |= {r[0] for r in db.execute(pull.ids)}
        paged = {
            r[0]
            for r in db.execute(
                "SELECT id FROM customers ORDER BY id LIMIT ?", (len(plan.pages) * 100,)
            )
        }
    finally:
        db.close()
    return exact, paged


def _stored(ws: Workspace, incident: str) -> dict[str, tuple[str, frozenset[str]]]:
    """key → (confidence of the latest run, categories), read back through the store."""
    with ws.store.session() as session:
        confidence = dict(
            session.execute(
                select(AffectedPerson.id, ScopeRunPerson.confidence).join(
                    ScopeRunPerson, ScopeRunPerson.person_id == AffectedPerson.id
                )
            ).all()
        )
        ids = {
            row.person_key_index: row.id
            for row in session.scalars(
                select(AffectedPerson).where(AffectedPerson.incident_id == incident)
            )
        }
        people = list(read_affected_persons(session, ws.store.cipher, incident))
    from breachdesk.store.persons import person_key_index

    found = {}
    for person in people:
        row_id = ids[person_key_index(ws.store.cipher, person.key)]
        found[person.key] = (confidence[row_id], frozenset(c.value for c in person.categories))
    return found


def test_demo_exact_set_equals_truth_of_object_and_sql_paths(demo: Demo) -> None:
    exact_expected, _ = _expected(demo.ws.root)
    truth_ids = set(demo.truth["affected"]["customer_ids"])  # type: ignore[index]
    stored = _stored(demo.ws, demo.incident)
    exact = {int(k) for k, (c, _) in stored.items() if c == "exact"}
    assert exact <= truth_ids
    assert exact == exact_expected
    assert exact  # the attack read objects and ran SQL


def test_demo_inferred_pages_are_a_small_superset_of_truth(demo: Demo) -> None:
    exact_expected, paged = _expected(demo.ws.root)
    truth_ids = set(demo.truth["affected"]["customer_ids"])  # type: ignore[index]
    stored = _stored(demo.ws, demo.incident)
    inferred = {int(k) for k, (c, _) in stored.items() if c == "inferred"}
    truth_pages = truth_ids - exact_expected
    assert truth_pages == paged
    assert inferred >= truth_pages
    assert len(inferred) < 1.05 * len(truth_pages)
    assert not {c for c, _ in stored.values()} - {"exact", "inferred"}


def test_demo_categories_match_truth(demo: Demo) -> None:
    stored = _stored(demo.ws, demo.incident)
    union = set().union(*(cats for _, cats in stored.values()))
    assert union == set(demo.truth["affected"]["categories"])  # type: ignore[index]
    plan = plan_attack(SEED, CUSTOMERS, DAYS)
    api_only = {str(i) for i in plan.object_ids} & set(stored)
    api_categories = set(demo.truth["affected"]["categories"])  # type: ignore[index]
    for key in api_only:
        assert stored[key][1] == api_categories
    # The database pulls returned names, emails and places, not the id.
    sql_only = {k for k, (_, cats) in stored.items() if "account.id" not in cats}
    assert sql_only
    for key in sql_only:
        assert stored[key][1] == api_categories - {"account.id"}


def test_demo_stage_reports_countries_and_categories(demo: Demo) -> None:
    assert demo.figures["affected"] == len(demo.truth["affected"]["customer_ids"])  # type: ignore[index]
    by_country = demo.figures["by_country"]
    assert isinstance(by_country, dict)
    assert sum(by_country.values()) == demo.figures["affected"]
    assert demo.lines[1].startswith("By country: ")
    assert "contact.email" in demo.lines[2]


def test_demo_law_reads_the_scope(demo: Demo) -> None:
    case = case_from_scope(
        demo.ws.store,
        demo.incident,
        cause="malicious",
        controller_establishment="FR",
    )
    assert sum(case.residents.values()) == len(demo.truth["affected"]["customer_ids"])  # type: ignore[index]
    assert "contact.email" in case.categories


def test_demo_stages_list_scope() -> None:
    stages = {s.name: s for s in demo_stages()}
    assert stages["scope"].run is scope_stage
