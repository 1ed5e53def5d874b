"""The CLI's contract: one-line errors with exit code 2 for bad input, JSON on request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from breachdesk import __version__
from breachdesk.cli.main import main
from breachdesk.store.crypto import new_key


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("breachdesk: error: ")
    return lines[0]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"breachdesk {__version__}"


def test_init_then_status_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "init", str(tmp_path / "ws"), "--json")
    assert code == 0
    assert set(json.loads(out)) == {"workspace", "settings", "store", "key"}
    code, out, _ = _run(capsys, "-w", str(tmp_path / "ws"), "status", "--json")
    assert code == 0
    status = json.loads(out)
    assert status["audit_chain_ok"] is True
    assert status["counts"]["incidents"] == 0
    assert status["schema_revision"]


def test_config_check_and_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "init", str(tmp_path))
    code, out, _ = _run(capsys, "-w", str(tmp_path), "config", "check")
    assert code == 0
    assert out.strip().endswith("valid")
    code, out, _ = _run(capsys, "-w", str(tmp_path), "config", "show", "--json")
    assert code == 0
    assert json.loads(out)["person_source"]["table"] == "customers"


def test_unknown_config_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "init", str(tmp_path))
    config = tmp_path / "breachdesk.toml"
    config.write_text(config.read_text().replace("[brand]\n", "[brand]\ncolour = 'red'\n"))
    code, _, err = _run(capsys, "-w", str(tmp_path), "config", "check")
    assert code == 2
    line = _one_error_line(err)
    assert "unknown setting 'brand.colour'" in line
    assert "breachdesk.toml:" in line


def test_duplicate_section_is_invalid_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "init", str(tmp_path))
    with (tmp_path / "breachdesk.toml").open("a") as handle:
        handle.write("\n[controller]\nname = 'again'\n")
    code, _, err = _run(capsys, "-w", str(tmp_path), "config", "check")
    assert code == 2
    assert "not valid TOML" in _one_error_line(err)


@pytest.mark.parametrize("kind", ["missing", "file", "not-a-workspace"])
def test_unreadable_workspace(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "ws"
    if kind == "file":
        target.write_text("x")
    elif kind == "not-a-workspace":
        target.mkdir()
    code, _, err = _run(capsys, "-w", str(target), "status")
    assert code == 2
    assert str(target) in _one_error_line(err)


def test_wrong_encryption_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(capsys, "init", str(tmp_path))
    monkeypatch.setenv("BREACHDESK_KEY", new_key())
    code, _, err = _run(capsys, "-w", str(tmp_path), "status")
    assert code == 2
    assert "BREACHDESK_KEY does not decrypt" in _one_error_line(err)


def test_unreachable_postgres(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(capsys, "init", str(tmp_path))
    monkeypatch.setenv(
        "BREACHDESK_DATABASE_URL", "postgresql+psycopg://bd:hunter2@127.0.0.1:9/x?connect_timeout=2"
    )
    code, _, err = _run(capsys, "-w", str(tmp_path), "status")
    line = _one_error_line(err)
    assert code == 2
    assert "127.0.0.1:9" in line
    assert "hunter2" not in line


def test_unknown_option_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "config", "show", "--jsn")
    assert code == 2
    assert "--jsn" in _one_error_line(err)


def test_debug_shows_traceback(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="does not exist"):
        main(["--debug", "-w", str(tmp_path / "absent"), "status"])


def test_error_text_is_neutralised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = tmp_path / "ws\x1b[31m"
    code, _, err = _run(capsys, "-w", str(hostile), "status")
    assert code == 2
    assert "\x1b" not in err
    assert "\\x1b" in _one_error_line(err)


@pytest.mark.parametrize(
    ("option", "value"), [("--customers", "-5"), ("--customers", "ten"), ("--days", "3")]
)
def test_demo_generate_rejects_bad_sizes(
    option: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "demo", "generate", "--out", str(tmp_path / "d"), option, value)
    assert code == 2
    assert option in _one_error_line(err)
    assert not (tmp_path / "d").exists()
