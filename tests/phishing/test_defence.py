"""Phishing defence of a workspace: its brand, watch list, incidents' leaked fields, demo."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

import breachdesk.phishing as phishing
from breachdesk.model import AffectedPerson, Category
from breachdesk.phishing import email_scorer, read_watchlist, record_lookalikes
from breachdesk.phishing.demo import phishing_stage
from breachdesk.store import add_affected_person
from breachdesk.store.tables import Incident
from breachdesk.workspace import Workspace, init_workspace

SETTINGS = """
[brand]
name = "Maison Aurelle"
domains = ["maison-aurelle.com"]
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = init_workspace(tmp_path / "ws", settings_text=SETTINGS)
    yield ws
    ws.close()


def test_public_api_is_what_init_exports() -> None:
    for name in phishing.__all__:
        assert hasattr(phishing, name), name
    public = {
        name
        for name, value in vars(phishing).items()
        if not name.startswith("_") and not isinstance(value, type(phishing))
    }
    assert public == set(phishing.__all__)


def test_record_lookalikes_fills_the_workspace_watch_list(workspace: Workspace) -> None:
    results = record_lookalikes(workspace, ["maison-aurelle.com"])
    assert len(read_watchlist(workspace.store)) == len(results[0].permutations)


def _add_leaked_person(workspace: Workspace, person: ModuleType) -> None:
    with workspace.store.session() as session:
        session.add(Incident(id="INC-1", title="Customer data extraction"))
        session.flush()
        add_affected_person(
            session,
            workspace.store.cipher,
            "INC-1",
            AffectedPerson(
                key="42",
                email=person.email,
                name=person.name,
                postal_code=person.postal_code,
                categories=frozenset({Category.CONTACT_NAME, Category.CONTACT_EMAIL}),
            ),
        )


def test_score_sees_the_recipients_leaked_name(workspace: Workspace, mail: ModuleType) -> None:
    phish, legit, people = mail.corpus(seed=3, phishing_count=1, legit_count=1)
    _add_leaked_person(workspace, people[0])
    scorer = email_scorer(workspace)
    verdict = scorer.score_bytes(phish[0].data)
    quoted = [r for r in verdict.reasons if r.signal == "leaked-data-quoted"]
    assert quoted
    assert "full name" in quoted[0].evidence
    assert "INC-1" in quoted[0].evidence
    assert people[0].name not in quoted[0].evidence  # the evidence does not repeat the data
    # The brand's own authenticated mail greeting the customer stays clean.
    assert scorer.score_bytes(legit[0].data).verdict == "clean"


def test_score_without_incidents_has_no_leak_signal(workspace: Workspace, mail: ModuleType) -> None:
    phish, _, _ = mail.corpus(seed=3, phishing_count=1, legit_count=0)
    assert "leaked-data-quoted" not in email_scorer(workspace).score_bytes(phish[0].data).signals


def test_phishing_stage_on_demo_mail(workspace: Workspace, mail: ModuleType) -> None:
    phish, legit, _ = mail.corpus(seed=8, phishing_count=12, legit_count=12)
    for label, items in (("phishing", phish), ("legit", legit)):
        folder = workspace.root / "emails" / label
        folder.mkdir(parents=True)
        for item in items:
            (folder / item.name).write_bytes(item.data)
    truth = {
        "emails": {
            "phishing": [f"emails/phishing/{m.name}" for m in phish],
            "legit": [{"file": m.name} for m in legit],
        }
    }
    (workspace.root / "truth.json").write_text(json.dumps(truth))
    outcome = phishing_stage(workspace)
    assert outcome.status == "done", outcome.lines
    assert outcome.figures["lookalikes"] > 10_000
    assert outcome.figures["phishing"]["flagged"] == 12
    assert outcome.figures["legit"]["flagged"] == 0
    assert any("lookalike domains of maison-aurelle.com" in line for line in outcome.lines)


def test_phishing_stage_fails_when_a_planted_email_passes(workspace: Workspace) -> None:
    folder = workspace.root / "emails" / "phishing"
    folder.mkdir(parents=True)
    (folder / "p1.eml").write_bytes(b"From: friend@example.org\r\nSubject: hi\r\n\r\nhello\r\n")
    outcome = phishing_stage(workspace)
    assert outcome.status == "failed"
    assert any("missed: p1.eml" in line for line in outcome.lines)


def test_phishing_stage_without_demo_mail(workspace: Workspace) -> None:
    outcome = phishing_stage(workspace)
    assert outcome.status == "done"
    assert "emails/phishing: no demo mail" in outcome.lines
