"""The law stage of the demo on a small synthetic workspace (shop.db + truth.json)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from breachdesk.demo.stages import demo_stages
from breachdesk.errors import SourceUnavailable
from breachdesk.law import law_stage
from breachdesk.store.tables import Incident, Obligation
from breachdesk.workspace import Workspace, init_workspace

CUSTOMERS = [
    (1, "FR", "Île-de-France"),
    (2, "FR", "Occitanie"),
    (3, "GB", "England"),
    (4, "US", "CA"),
    (5, "US", "New York"),
    (6, "US", "TX"),
    (7, "JP", "Tokyo"),
    (8, "DE", "Bayern"),
    (9, "SG", ""),
    (10, "BR", "SP"),
    (11, "CA", "ON"),
    (12, "AU", "NSW"),
]


def _workspace(tmp_path: Path, *, truth: bool) -> Workspace:
    root = tmp_path / "demo"
    root.mkdir()
    db = sqlite3.connect(root / "shop.db")
    db.execute(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, "
        "city TEXT, region TEXT, country TEXT)"
    )
    db.executemany(
        "INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?)",
        [(i, f"N{i}", f"c{i}@example.com", "City", r, c) for i, c, r in CUSTOMERS],
    )
    db.commit()
    db.close()
    if truth:
        affected = {"customer_ids": [1, 2, 3, 4, 5, 7], "categories": []}
        (root / "truth.json").write_text(json.dumps({"affected": affected}), encoding="utf-8")
    settings = (
        '[controller]\nname = "Maison Aurelle"\ncountry = "FR"\n'
        '[person_source]\nurl = "sqlite:///shop.db"\ntable = "customers"\n'
    )
    return init_workspace(root, settings_text=settings)


def test_demo_law_stage_is_wired() -> None:
    stage = next(s for s in demo_stages() if s.name == "law")
    assert stage.run is not None


def test_demo_law_stage_with_truth(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, truth=True)
    outcome = law_stage(ws)
    ws.close()
    assert outcome.status == "done"
    assert outcome.figures["residents"] == {"FR": 2, "GB": 1, "US-CA": 1, "US-NY": 1, "JP": 1}
    text = "\n".join(outcome.lines)
    assert "the 6 affected customers listed in truth.json" in text
    assert "Case from the 6 affected customers listed in truth.json" in text
    assert "[FR:authority]" in text
    assert "CNIL" in text
    assert "[GB:authority]" in text
    assert "[JP:authority:preliminary-report]" in text
    assert "No US state notice (US-CA, US-NY)" in text


def test_demo_law_stage_all_customers_and_incident(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, truth=False)
    aware = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    with ws.store.session() as session:
        session.add(Incident(id="INC-7", title="demo", aware_at=aware))
    outcome = law_stage(ws)
    assert "all 12 customers" in outcome.lines[0]
    assert "incident INC-7" in outcome.lines[0]
    assert "2026-11-06T09:00:00Z" in "\n".join(outcome.lines)
    with ws.store.session() as session:
        stored = list(session.scalars(select(Obligation).where(Obligation.incident_id == "INC-7")))
    ws.close()
    assert any(o.jurisdiction == "FR" and o.recipient == "authority" and o.required for o in stored)


def test_demo_law_stage_without_person_source(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "empty")
    with pytest.raises(SourceUnavailable, match=r"person_source\.url"):
        law_stage(ws)
    ws.close()


def test_demo_law_stage_without_a_store(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, truth=True)
    ws.close()
    (ws.key_path).unlink()  # a generated folder that was never initialised as a store
    outcome = law_stage(ws)
    assert "no incident yet" in outcome.lines[0]
