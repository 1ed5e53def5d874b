"""``breachdesk detect`` and ``breachdesk alerts``."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from breachdesk.cli.main import main
from breachdesk.workspace import init_workspace
from tests.detect.detect_traffic import CANARY_KEY, FIRST_DAY, SETTINGS, Traffic


def test_cli_detect_json_then_alerts_json(
    scenario: dict[str, Any], detect_on: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    detect_on("duckdb")  # the full run, stored
    root = str(scenario["root"])
    assert main(["--workspace", root, "detect", "--json", "--since", "2026-10-29"]) == 0
    detected = json.loads(capsys.readouterr().out)
    assert detected["engine"] == "duckdb"
    assert detected["since"].startswith("2026-10-29T00:00")
    assert all(a["end"] >= "2026-10-29" for a in detected["alerts"])
    assert any("agent:jmartin" in a["principals"] for a in detected["alerts"])
    assert main(["--workspace", root, "alerts", "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)
    # The same alerts as the full run stored (same ids), none added by --since.
    assert {a["id"] for a in detected["alerts"]} <= {a["id"] for a in stored["alerts"]}
    assert detected["new_alerts"] == 0


def test_cli_detect_rejects_bad_options(
    scenario: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(scenario["root"])
    assert main(["--workspace", root, "detect", "--since", "yesterday-ish"]) == 2
    assert "not a time" in capsys.readouterr().err
    assert main(["--workspace", root, "detect", "--engine", "oracle"]) == 2


def test_cli_detect_never_prints_raw_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = init_workspace(tmp_path / "ws", settings_text=SETTINGS)
    traffic = Traffic()
    evil = "agent:\x1b[2J\x1b[31mroot[/red]\u202e"
    traffic.api(
        FIRST_DAY + timedelta(hours=3),
        evil,
        "203.0.113.9",
        f"/api/v1/customers/{CANARY_KEY}",
        route="/api/v1/customers/{id}",
        object_id=CANARY_KEY,
        agent="x\x1b]0;pwned\x07",
    )
    traffic.write(workspace.path("events"))
    workspace.close()
    root = str(tmp_path / "ws")
    assert main(["--workspace", root, "detect"]) == 0
    assert main(["--workspace", root, "alerts"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert "critical" in out


def test_cli_detect_on_a_workspace_without_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    init_workspace(tmp_path / "empty").close()
    assert main(["--workspace", str(tmp_path / "empty"), "detect", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["alerts"] == []
    assert result["events"] == 0


@pytest.mark.parametrize("damage", ["not parquet", "truncated"])
def test_cli_detect_names_a_broken_event_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    root = tmp_path / "ws"
    init_workspace(root).close()
    traffic = Traffic()
    traffic.api(
        FIRST_DAY + timedelta(hours=9),
        "agent:x",
        "10.0.0.1",
        "/api/v1/customers/7",
        route="/api/v1/customers/{id}",
        object_id="7",
    )
    events = root / ".breachdesk" / "events"
    traffic.write(events)
    good = next(events.rglob("*.parquet"))
    broken = events / "source=gateway" / "date=2026-10-02" / "part-9.parquet"
    broken.parent.mkdir(parents=True, exist_ok=True)
    data = good.read_bytes()
    broken.write_bytes(b"plain text\n" if damage == "not parquet" else data[: len(data) // 2])
    assert main(["--workspace", str(root), "detect"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(broken) in err
    assert "unreadable event file" in err
