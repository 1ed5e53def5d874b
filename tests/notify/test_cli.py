"""The ``breachdesk notify`` verbs and their JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from breachdesk.cli.main import main
from breachdesk.notify.sink import SmtpSink
from tests.notify.conftest import populated


def test_cli_plan_send_status_bounces_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, incident = populated(tmp_path / "ws", 5)
    ws.close()
    base = ["-w", str(tmp_path / "ws"), "notify"]
    assert main([*base, "plan", incident, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["planned"] == 5
    assert plan["by_jurisdiction"] == {"FR": 5}
    with SmtpSink() as sink:
        assert (
            main(
                [*base, "send", plan["campaign"], "--smtp", sink.target, "--tls", "none", "--json"]
            )
            == 0
        )
    sent = json.loads(capsys.readouterr().out)
    assert sent["sent"] == 5
    assert sent["uncertain"] == []
    assert main([*base, "status", plan["campaign"], "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["by_state"]["sent"] == 5
    assert status["done"] is True
    (tmp_path / "none").mkdir()
    assert main([*base, "bounces", str(tmp_path / "none"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["files"] == 0
    assert main([*base, "public-notice", incident, "--out", str(tmp_path / "p.md")]) == 0
    assert "Notice of Data Breach" in (tmp_path / "p.md").read_text(encoding="utf-8")


def test_cli_preview_masks_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws, incident = populated(tmp_path / "ws", 1)
    ws.close()
    base = ["-w", str(tmp_path / "ws"), "notify"]
    main([*base, "plan", incident, "--json"])
    capsys.readouterr()
    from sqlalchemy import select

    from breachdesk.store.tables import Notice
    from breachdesk.workspace import open_workspace

    opened = open_workspace(tmp_path / "ws")
    with opened.store.session() as session:
        nid = session.scalars(select(Notice.id)).one()
    opened.close()
    assert main([*base, "preview", nid, "--json"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert "XXXX-XXXX-XXXX-XXXX" in preview["text"]
    assert preview["language"] == "fr"


def test_cli_unknown_incident_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, _ = populated(tmp_path / "ws", 1)
    ws.close()
    assert main(["-w", str(tmp_path / "ws"), "notify", "plan", "INC-9999-9999"]) == 2
    assert "no incident" in capsys.readouterr().err
