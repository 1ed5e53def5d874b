"""``breachdesk ingest``: exit codes, the --json keys, configured sources, safe output."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from breachdesk.cli.main import main
from breachdesk.workspace import Workspace

MakeWorkspace = Callable[..., Workspace]
LINE = (
    b'203.0.113.7 - agent:jmartin [03/Nov/2026:02:14:07 +0100] "GET /api/v1/customers/{n} '
    b'HTTP/1.1" 200 812 "-" "python-requests/2.31"\n'
)


def log_lines(n: int, start: int = 0) -> bytes:
    return b"".join(LINE.replace(b"{n}", str(i).encode()) for i in range(start, start + n))


def run(workspace: Workspace, *args: str) -> int:
    return main(["--workspace", str(workspace.root), "ingest", *args])


def test_ingest_cmd_json_has_exactly_the_documented_keys(
    make_workspace: MakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = make_workspace()
    log = tmp_path / "access.log"
    log.write_bytes(log_lines(12) + b"garbage\n")
    assert run(workspace, str(log), "--format", "nginx", "--source", "nginx", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"files", "events", "rejected", "bytes", "seconds"}
    assert (out["files"], out["events"], out["rejected"], out["bytes"]) == (
        1,
        12,
        1,
        log.stat().st_size,
    )
    assert run(workspace, str(log), "--format", "nginx", "--source", "nginx", "--json") == 0
    assert json.loads(capsys.readouterr().out)["events"] == 0


def test_ingest_cmd_missing_file_is_exit_2_with_one_line(
    make_workspace: MakeWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = make_workspace()
    assert run(workspace, "nowhere.log", "--format", "nginx") == 2
    err = capsys.readouterr().err.strip()
    assert err == "breachdesk: error: nowhere.log: no such file or folder"


def test_ingest_cmd_truncated_gzip_keeps_events_and_exits_2(
    make_workspace: MakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = make_workspace()
    data = gzip.compress(log_lines(4000))
    log = tmp_path / "access-2026-11-03.log.gz"
    log.write_bytes(data[: len(data) // 2])
    assert run(workspace, str(log), "--format", "nginx", "--json") == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["events"] > 0
    err = captured.err.strip()
    assert err.count("\n") == 0
    assert "access-2026-11-03.log.gz:" in err
    assert "gzip stream truncated" in err


def test_ingest_cmd_without_paths_reads_configured_sources(
    make_workspace: MakeWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = make_workspace(
        '[[sources]]\nname = "nginx"\nformat = "nginx"\npaths = ["logs/nginx"]\n'
    )
    folder = workspace.root / "logs" / "nginx"
    folder.mkdir(parents=True)
    (folder / "access-2026-11-03.log").write_bytes(log_lines(5))
    (folder / "access-2026-11-02.log.gz").write_bytes(gzip.compress(log_lines(3, start=100)))
    assert run(workspace, "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["files"], out["events"]) == (2, 8)


def test_ingest_cmd_without_paths_or_sources(
    make_workspace: MakeWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(make_workspace("")) == 2
    assert "no [[sources]]" in capsys.readouterr().err


def test_ingest_cmd_unknown_format_is_a_usage_error(
    make_workspace: MakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.log").write_bytes(b"x\n")
    assert run(make_workspace(), str(tmp_path / "a.log"), "--format", "syslog") == 2
    assert "syslog" in capsys.readouterr().err


def test_ingest_cmd_prints_attacker_text_safely(
    make_workspace: MakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = make_workspace()
    log = tmp_path / "evil\x1b[31m[bold]name.log"
    log.write_bytes(log_lines(2) + b"\x1b]0;owned\x07\x1b[2J\n")
    assert run(workspace, str(log), "--format", "nginx") == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\\x1b[31m" in out
    assert "2 events" in out
    assert "1 × does not match the log format" in out


def test_ingest_cmd_bad_log_format(
    make_workspace: MakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.log").write_bytes(b"x\n")
    code = run(
        make_workspace(), str(tmp_path / "a.log"), "--format", "apache", "--log-format", "%h %Q"
    )
    assert code == 2
    assert "unknown Apache log directive '%Q'" in capsys.readouterr().err
