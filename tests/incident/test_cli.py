"""``breachdesk incident`` and ``breachdesk audit`` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from breachdesk.cli.main import main
from breachdesk.store.tables import AuditEntry
from breachdesk.workspace import Workspace

from .conftest import VERIS_SCHEMA, add_alert


class Cli:
    def __init__(self, ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
        self.ws = ws
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = main(["-w", str(self.ws.root), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str) -> object:
        code, out, err = self(*args, "--json")
        assert code == 0, err
        return json.loads(out)

    def error(self, *args: str, code: int = 2) -> str:
        got, _, err = self(*args)
        lines = [line for line in err.splitlines() if line.strip()]
        assert got == code, err
        assert len(lines) == 1, err
        assert lines[0].startswith("breachdesk: error: ")
        return lines[0]


@pytest.fixture
def cli(sqlite_workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(sqlite_workspace, capsys)


def _open(cli: Cli, *extra: str) -> str:
    data = cli.json("incident", "open", "--title", "Bulk read", "--actor", "alice", *extra)
    assert isinstance(data, dict)
    assert set(data) == {"id"}
    return str(data["id"])


def test_open_show_update_close(cli: Cli) -> None:
    add_alert(cli.ws)
    incident = _open(
        cli,
        "--from-alert",
        "A1",
        "--aware-at",
        "2026-11-03T09:00:00+01:00",
        "--aware-reason",
        "alert reviewed",
        "--playbook",
        "customer-data-exfiltration",
    )
    shown = cli.json("incident", "show", incident)
    assert isinstance(shown, dict)
    assert shown["aware_at"] == "2026-11-03T08:00:00Z"
    assert (shown["aware_set_by"], shown["aware_reason"]) == ("alice", "alert reviewed")
    assert shown["alerts"] == ["A1"]
    assert shown["clock"] is None
    assert shown["counts"]["tasks"] == 11
    assert set(shown) >= {"id", "title", "status", "function", "history", "version", "counts"}
    updated = cli.json(
        "incident",
        "update",
        incident,
        "--status",
        "contained",
        "--function",
        "respond",
        "--contained-at",
        "2026-11-03T12:00:00Z",
        "--actor",
        "bob",
    )
    assert isinstance(updated, dict)
    assert (updated["status"], updated["function"]) == ("contained", "respond")
    assert updated["contained_at"] == "2026-11-03T12:00:00Z"
    listed = cli.json("incident", "list")
    assert isinstance(listed, dict)
    assert [i["id"] for i in listed["incidents"]] == [incident]
    code, out, _ = cli("incident", "show", incident)
    assert code == 0
    assert "alert reviewed" in out
    assert "Regulatory clock" not in out
    closed = cli.json("incident", "close", incident)
    assert isinstance(closed, dict)
    assert closed["status"] == "closed"
    assert "is closed; reopen it" in cli.error(
        "incident", "update", incident, "--function", "recover"
    )


def test_timeline_verbs(cli: Cli) -> None:
    add_alert(cli.ws)
    incident = _open(cli, "--from-alert", "A1")
    added = cli.json(
        "incident",
        "timeline",
        "add",
        incident,
        "--at",
        "2026-11-03T02:00:00Z",
        "--text",
        "<b>hi</b>",
        "--kind",
        "containment",
    )
    assert isinstance(added, dict)
    assert added["kind"] == "containment"
    whole = cli.json("incident", "timeline", incident)
    assert isinstance(whole, dict)
    assert [e["kind"] for e in whole["entries"]] == [
        "first-malicious-event",
        "containment",
        "last-malicious-event",
    ]
    assert set(whole) == {"incident", "entries", "clock"}
    narrowed = cli.json(
        "incident",
        "timeline",
        "show",
        incident,
        "--since",
        "2026-11-03T01:30:00Z",
        "--kind",
        "last-malicious-event",
    )
    assert isinstance(narrowed, dict)
    assert len(narrowed["entries"]) == 1
    code, out, _ = cli("incident", "timeline", incident)
    assert code == 0
    assert "<b>hi</b>" in out


def test_tasks_verbs(cli: Cli) -> None:
    incident = _open(cli)
    assert cli.json("incident", "playbooks")["playbooks"][0]["name"] == "customer-data-exfiltration"  # type: ignore[index]
    added = cli.json("incident", "apply-playbook", incident, "customer-data-exfiltration")
    assert isinstance(added, dict)
    assert len(added["added"]) == 11
    task = cli.json(
        "incident",
        "task",
        incident,
        "revoke-token",
        "--status",
        "done",
        "--owner",
        "sam",
        "--due",
        "2026-11-04T00:00:00Z",
    )
    assert isinstance(task, dict)
    assert (task["status"], task["owner"], task["due_at"]) == (
        "done",
        "sam",
        "2026-11-04T00:00:00Z",
    )
    tasks = cli.json("incident", "tasks", incident)
    assert isinstance(tasks, dict)
    assert tasks["tasks"][0]["status"] == "done"


def test_evidence_verbs_and_tamper_detection(cli: Cli, tmp_path: Path) -> None:
    incident = _open(cli)
    source = tmp_path / "gateway.jsonl"
    source.write_text('{"principal": "agent:jmartin"}\n' * 10)
    item = cli.json("incident", "evidence", "add", incident, str(source), "--description", "gw")
    assert isinstance(item, dict)
    assert item["new"] is True
    ok = cli.json("incident", "evidence", "verify", incident)
    assert isinstance(ok, dict)
    assert ok["ok"] is True
    stored = Path(item["stored_path"])
    stored.chmod(0o644)
    stored.write_text(stored.read_text().replace("j", "k", 1))
    code, out, _ = cli("incident", "evidence", "verify", incident, "--json")
    report = json.loads(out)
    assert code == 1
    assert report["checks"][0]["outcome"] == "changed"
    code, out, _ = cli("incident", "evidence", "verify", incident)
    assert code == 1
    assert "NOT intact" in out
    assert "gateway.jsonl" in out
    custody = cli.json("incident", "evidence", "custody", incident)
    assert isinstance(custody, dict)
    assert [e["action"] for e in custody["events"]] == [
        "collected",
        "verified",
        "verify-changed",
        "verify-changed",
    ]


def test_export_and_report_verbs(cli: Cli, tmp_path: Path) -> None:
    add_alert(cli.ws, principals=("<script>x</script>",))
    incident = _open(cli, "--from-alert", "A1")
    for fmt, name in (("veris", "v.json"), ("stix", "s.json"), ("timesketch", "t.jsonl")):
        written = cli.json(
            "incident", "export", incident, "--format", fmt, "--out", str(tmp_path / name)
        )
        assert isinstance(written, dict)
        assert set(written) == {"incident_id", "format", "path", "sha256", "bytes"}
    if VERIS_SCHEMA.is_file():
        code, _, err = cli(
            "incident",
            "export",
            incident,
            "--format",
            "veris",
            "--out",
            str(tmp_path / "v2.json"),
            "--validate-against",
            str(VERIS_SCHEMA),
        )
        assert code == 0, err
    report = cli.json("incident", "report", incident, "--out", str(tmp_path / "r.html"))
    assert isinstance(report, dict)
    assert report["format"] == "html"
    assert "<script>x" not in (tmp_path / "r.html").read_text()


def test_bad_input_is_one_line_exit_2(cli: Cli, tmp_path: Path) -> None:
    incident = _open(cli)
    assert "no incident 'INC-9999-0001'" in cli.error("incident", "show", "INC-9999-0001")
    assert "no incident" in cli.error("incident", "evidence", "verify", "INC-9999-0001")
    assert "is a folder" in cli.error("incident", "evidence", "add", incident, str(tmp_path))
    assert "is a device" in cli.error("incident", "evidence", "add", incident, "/dev/zero")
    assert "not an ISO 8601 time" in cli.error(
        "incident", "timeline", "add", incident, "--at", "last tuesday", "--text", "x"
    )
    assert "has no UTC offset" in cli.error(
        "incident", "update", incident, "--aware-at", "2026-11-03T09:00", "--aware-reason", "r"
    )
    assert "--aware-reason" in cli.error("incident", "update", incident, "--aware-at", "now")
    assert "'nope'" in cli.error("incident", "update", incident, "--status", "nope")
    assert ".html or .pdf" in cli.error(
        "incident", "report", incident, "--out", str(tmp_path / "r.txt")
    )


def test_every_change_is_audited(cli: Cli, tmp_path: Path) -> None:
    incident = _open(cli)
    cli.json("incident", "update", incident, "--status", "investigating", "--actor", "bob")
    cli.json(
        "incident", "timeline", "add", incident, "--at", "now", "--text", "x", "--actor", "carol"
    )
    cli.json("incident", "export", incident, "--format", "stix", "--out", str(tmp_path / "s.json"))
    entries = cli.json("audit", "list")
    assert isinstance(entries, dict)
    assert [(e["actor"], e["action"]) for e in entries["entries"]][:3] == [
        ("alice", "incident.open"),
        ("bob", "incident.update"),
        ("carol", "incident.timeline.add"),
    ]
    assert entries["entries"][3]["action"] == "incident.export"
    assert all(e["target"] == f"incident:{incident}" for e in entries["entries"])
    assert cli.json("audit", "verify") == {"ok": True, "entries": 4, "first_broken": None}


@pytest.mark.parametrize("tamper", ["edit", "delete-middle", "delete-last"])
def test_audit_verify_detects_tampering(cli: Cli, tamper: str) -> None:
    incident = _open(cli)
    for status in ("investigating", "contained", "recovering"):
        cli.json("incident", "update", incident, "--status", status)
    with cli.ws.store.session() as session:
        ids = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
        if tamper == "edit":
            session.execute(
                update(AuditEntry).where(AuditEntry.id == ids[1]).values(actor="mallory")
            )
        elif tamper == "delete-middle":
            session.execute(delete(AuditEntry).where(AuditEntry.id == ids[1]))
        else:
            session.execute(delete(AuditEntry).where(AuditEntry.id == ids[-1]))
    broken = {"edit": ids[1], "delete-middle": ids[2], "delete-last": ids[-1]}[tamper]
    code, out, _ = cli("audit", "verify", "--json")
    assert code == 1
    assert json.loads(out)["first_broken"] == broken
    code, out, _ = cli("audit", "verify")
    assert code == 1
    assert f"#{broken}" in out
