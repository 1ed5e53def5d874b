"""The demo's web stage: its one-time admin password logs in, and a new run replaces it."""

from __future__ import annotations

from pathlib import Path

from breachdesk.web import create_app
from breachdesk.web.demo import web_stage
from breachdesk.workspace import init_workspace
from tests.web.conftest import Client


def test_the_one_time_password_logs_in_and_the_next_run_replaces_it(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    try:
        first = web_stage(workspace)
        second = web_stage(workspace)
        assert first.status == "done"
        old, new = first.figures["admin_password"], second.figures["admin_password"]
        assert isinstance(old, str)
        assert isinstance(new, str)
        assert old != new
        assert any(new in line for line in second.lines)
        client = Client(create_app(workspace))
        try:
            assert "/login" in client.login("admin", old).headers.get("location", "/login")
            assert client.login("admin", new).status_code == 303
            assert client.get("/").status_code == 200
        finally:
            client.close()
    finally:
        workspace.close()
