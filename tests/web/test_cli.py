"""``breachdesk user`` and ``breachdesk serve`` through the real CLI entry point."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from breachdesk.cli.main import main
from breachdesk.web.accounts import verify_login
from breachdesk.workspace import init_workspace, open_workspace


def test_user_add_list_passwd_disable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    init_workspace(tmp_path / "ws").close()
    w = ["--workspace", str(tmp_path / "ws")]
    assert main([*w, "user", "add", "alice", "--role", "responder", "--generate", "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["name"] == "alice"
    assert added["role"] == "responder"
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert main([*w, "user", "add", "bob", "--role", "viewer", "--password-stdin"]) == 0
    capsys.readouterr()
    assert main([*w, "user", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["users"]
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [
        ("alice", "responder", False),
        ("bob", "viewer", False),
    ]
    assert main([*w, "user", "disable", "bob", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["disabled"] is True
    assert main([*w, "user", "passwd", "alice", "--generate", "--json"]) == 0
    new = json.loads(capsys.readouterr().out)["password"]
    ws = open_workspace(tmp_path / "ws")
    try:
        assert verify_login(ws.store, "alice", added["password"]) is None
        assert verify_login(ws.store, "alice", new) is not None
        assert verify_login(ws.store, "bob", "a long enough password") is None
    finally:
        ws.close()


def test_user_add_refuses_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    init_workspace(tmp_path / "ws").close()
    w = ["--workspace", str(tmp_path / "ws")]
    assert main([*w, "user", "add", "eve", "--role", "root", "--generate"]) == 2
    assert "no role 'root'" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main([*w, "user", "add", "eve", "--role", "viewer"]) == 2
    assert "--password-stdin" in capsys.readouterr().err


def test_serve_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--host" in out
    assert "--port" in out
    assert "--portal-port" in out


def test_serve_with_two_workers_answers_and_stops_them_all(tmp_path: Path) -> None:
    import socket
    import subprocess
    import time
    import urllib.request

    init_workspace(tmp_path / "ws").close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "breachdesk", "-w", str(tmp_path / "ws"), "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert server.poll() is None, "serve exited"
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.2)
        for _ in range(100):
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
            if len(children) == 2:
                break
            time.sleep(0.1)
        assert len(children) == 2
    finally:
        server.terminate()
        assert server.wait(timeout=30) is not None
    for pid in children:  # the workers went with it
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.1)
        assert not Path(f"/proc/{pid}").exists()


def test_serve_on_a_taken_port_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    from breachdesk.web import add_user

    workspace = init_workspace(tmp_path / "ws")
    add_user(workspace.store, "ana", "admin", "a long enough password", actor="test")
    workspace.close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for workers in ("1", "2"):
            code = main(["-w", str(tmp_path / "ws"), "serve", "--port", port, "--workers", workers])
            err = capsys.readouterr().err
            assert code == 2
            assert err.strip().splitlines() == [
                f"breachdesk: error: cannot listen on 127.0.0.1:{port}: Address already in use"
            ]
