"""``breachdesk law``: assess, rules, draft and override through the real CLI entry point."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from breachdesk.cli.main import main
from breachdesk.store.tables import Incident
from breachdesk.workspace import init_workspace

CASE: dict[str, Any] = {
    "aware_at": "2026-11-03T09:00:00Z",
    "categories": ["contact.name", "contact.email", "location.city"],
    "encrypted": False,
    "key_compromised": False,
    "cause": "malicious",
    "residents": {"FR": 52000, "US-CA": 800, "GB": 300},
    "controller_establishment": "FR",
}
KEYS = {
    "jurisdiction",
    "regime",
    "recipient",
    "authority",
    "required",
    "deadline",
    "deadline_rule",
    "citation",
    "reason",
}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _case_file(tmp_path: Path, **changes: Any) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps({**CASE, **changes}), encoding="utf-8")
    return path


def test_cli_assess_case_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "law", "assess", "--case", str(_case_file(tmp_path)), "--json")
    assert code == 0
    data = json.loads(out)
    obligations = data["obligations"]
    assert all(set(o) >= KEYS for o in obligations)
    assert {o["recipient"] for o in obligations} <= {
        "authority",
        "individuals",
        "credit_agencies",
        "public",
    }
    fr = next(o for o in obligations if o["jurisdiction"] == "FR" and o["recipient"] == "authority")
    assert fr["required"] is True
    assert fr["deadline"] == "2026-11-06T09:00:00Z"
    assert any(o["required"] is False for o in obligations)
    assert data["risk"]["level"] in ("high", "very high")


def test_cli_assess_case_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "law", "assess", "--case", str(_case_file(tmp_path)))
    assert code == 0
    assert "ENISA" in out
    assert "FR:authority" in out
    assert "not legal advice" in out


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"residents": {"XX": 3}}, "unknown jurisdiction code 'XX'"),
        ({"aware_at": None}, "'aware_at' is missing"),
    ],
)
def test_cli_assess_bad_case_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], changes: dict[str, Any], message: str
) -> None:
    code, _, err = _run(capsys, "law", "assess", "--case", str(_case_file(tmp_path, **changes)))
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1
    assert message in lines[0]
    assert "case.json" in lines[0]


def test_cli_assess_needs_something(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "law", "assess")
    assert code == 2
    assert "INCIDENT id or --case" in err


def test_cli_rules_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "law", "rules", "--json")
    assert code == 0
    rows = json.loads(out)["jurisdictions"]
    codes = {r["code"] for r in rows}
    assert {"FR", "GB", "CH", "US-CA", "US-PR", "US-DC", "JP", "SG", "BR", "AU", "CA"} <= codes
    assert {r["confidence"] for r in rows} <= {"verified", "secondary-source"}
    code, out, _ = _run(capsys, "law", "rules")
    assert code == 0
    assert "secondary-source" in out


def test_cli_draft_art33(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "art33.md"
    code, out, _ = _run(
        capsys,
        "law",
        "draft",
        "--case",
        str(_case_file(tmp_path)),
        "--kind",
        "art33",
        "--out",
        str(target),
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    text = target.read_text(encoding="utf-8")
    assert data["text"] + "\n" == text
    assert "CNIL" in text
    assert "phase 1" in text
    for part in ("(a) Nature", "(b) Contact", "(c) Likely consequences", "(d) Measures"):
        assert part in text
    assert "52,000" in text
    assert "phishing" in text


def test_cli_draft_california_checklist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _case_file(tmp_path, categories=["contact.email", "credential.password_plain"])
    code, out, _ = _run(
        capsys,
        "law",
        "draft",
        "--case",
        str(case),
        "--kind",
        "notice-checklist",
        "--jurisdiction",
        "us-ca",
    )
    assert code == 0
    assert 'Title: "Notice of Data Breach"' in out
    assert "What Happened? / What Information Was Involved? / What We Are Doing." in out


def test_cli_draft_art33_refused_when_not_required(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = _case_file(tmp_path, residents={"US-CA": 3})
    code, _, err = _run(capsys, "law", "draft", "--case", str(case), "--kind", "art33")
    assert code == 2
    assert "no EU/EEA or UK residents" in err


def test_cli_incident_assess_and_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = init_workspace(tmp_path / "ws")
    with ws.store.session() as session:
        session.add(Incident(id="INC-1", title="t", aware_at=datetime(2026, 11, 3, tzinfo=UTC)))
    ws.close()
    w = str(tmp_path / "ws")
    case = str(_case_file(tmp_path))
    code, out, _ = _run(capsys, "-w", w, "law", "assess", "INC-1", "--case", case, "--json")
    assert code == 0
    code, out, _ = _run(
        capsys,
        "-w",
        w,
        "law",
        "override",
        "INC-1",
        "US-CA:individuals",
        "--required",
        "--justification",
        "contract with customers",
        "--actor",
        "counsel",
        "--json",
    )
    assert code == 0
    ca = next(o for o in json.loads(out)["obligations"] if o["key"] == "US-CA:individuals")
    assert ca["required"] is True
    assert ca["overridden"] is True
    code, out, _ = _run(capsys, "-w", w, "law", "assess", "INC-1", "--json")
    assert code == 0  # the stored case is reused and the override still applies
    ca = next(o for o in json.loads(out)["obligations"] if o["key"] == "US-CA:individuals")
    assert ca["required"] is True
    code, _, err = _run(
        capsys,
        "-w",
        w,
        "law",
        "override",
        "INC-1",
        "risk",
        "--level",
        "extreme",
        "--justification",
        "x",
    )
    assert code == 2
    assert "risk level must be one of" in err
    code, out, _ = _run(capsys, "-w", w, "law", "draft", "INC-1", "--kind", "art33")
    assert code == 0
    assert "Example Retail Ltd" in out
