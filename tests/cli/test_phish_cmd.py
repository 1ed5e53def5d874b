"""``breachdesk phish``: lookalikes, match and score through the CLI, JSON and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from breachdesk.cli.main import main

SETTINGS = '[brand]\nname = "Maison Aurelle"\ndomains = ["maison-aurelle.com"]\n'
PHISH = (
    b"From: =?utf-8?q?Maison_Aurelle?= <service@rnaison-aurelle.com>\r\n"
    b"To: Camille Martin <camille@example.org>\r\nSubject: Action required\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>Dear Camille Martin, verify your account within 24 hours.</p>"
    b"<a href='https://maison-aurelle.secure-login.top/x'>https://www.maison-aurelle.com</a>"
    b"\x1b[31m[bold]red[/bold]\r\n"
)
CLEAN = b"From: friend@example.org\r\nTo: me@example.org\r\nSubject: lunch\r\n\r\nNoon?\r\n"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "breachdesk.toml").write_text(SETTINGS)
    assert _run(capsys, "init", str(root))[0] == 0
    return root


def test_phish_lookalikes_json(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "-w", str(workspace), "phish", "lookalikes", "maison-aurelle.com", "--json"
    )
    assert code == 0
    document = json.loads(out)
    assert set(document) == {"domain", "permutations"}
    assert document["domain"] == "maison-aurelle.com"
    assert {"domain": "rnaison-aurelle.com", "fuzzer": "homoglyph"} in document["permutations"]


def test_phish_lookalikes_several_domains_give_a_list(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    words = tmp_path / "words.txt"
    words.write_text("vip\n")
    tlds = tmp_path / "tlds.txt"
    tlds.write_text("fr\n")
    code, out, _ = _run(
        capsys,
        "-w",
        str(workspace),
        "phish",
        "lookalikes",
        "maison-aurelle.com",
        "aurelle.fr",
        "--dictionary",
        str(words),
        "--tlds",
        str(tlds),
        "--json",
    )
    assert code == 0
    documents = json.loads(out)
    assert [d["domain"] for d in documents] == ["maison-aurelle.com", "aurelle.fr"]


def test_phish_lookalikes_table(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "-w", str(workspace), "phish", "lookalikes", "maison-aurelle.com")
    assert code == 0
    assert "homoglyph" in out
    assert "stored as the workspace's watch list" in out


def test_phish_match(workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text("example.org\nmaison-aurelle-support.com\n")
    code, out, _ = _run(capsys, "-w", str(workspace), "phish", "match", str(feed), "--json")
    assert code == 0
    document = json.loads(out)
    assert document["domains"] == 2
    assert document["matches"][0]["domain"] == "maison-aurelle-support.com"
    code, out, _ = _run(capsys, "-w", str(workspace), "phish", "match", str(feed))
    assert code == 0
    assert "1 matches among 2 domains" in out


def test_phish_score_json(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "phish.eml").write_bytes(PHISH)
    (tmp_path / "clean.eml").write_bytes(CLEAN)
    code, out, _ = _run(
        capsys,
        "-w",
        str(workspace),
        "phish",
        "score",
        str(tmp_path / "phish.eml"),
        str(tmp_path / "clean.eml"),
        "--json",
    )
    assert code == 0
    verdicts = json.loads(out)
    assert [v["verdict"] for v in verdicts] == ["phishing", "clean"]
    assert set(verdicts[0]) == {"file", "verdict", "score", "reasons"}
    signals = {r["signal"] for r in verdicts[0]["reasons"]}
    assert {"lookalike-sender", "lookalike-link", "link-text-mismatch"} <= signals


def test_phish_score_table_is_terminal_safe(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "phish\x1b[2J.eml").write_bytes(PHISH)
    code, out, _ = _run(capsys, "-w", str(workspace), "phish", "score", str(tmp_path))
    assert code == 0
    assert "phishing" in out
    assert "\x1b" not in out


@pytest.mark.parametrize("verb", ["score", "match"])
def test_phish_unreadable_path_is_one_line_exit_2(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], verb: str
) -> None:
    missing = tmp_path / "nope.eml"
    code, _, err = _run(capsys, "-w", str(workspace), "phish", verb, str(missing))
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("breachdesk: error: ")
    assert str(missing) in lines[0]


def test_phish_lookalikes_bad_domain_exit_2(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "-w", str(workspace), "phish", "lookalikes", "not a domain")
    assert code == 2
    assert "not a domain name" in err


def test_phish_lookalikes_missing_dictionary_exit_2(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "words.txt"
    code, _, err = _run(
        capsys,
        "-w",
        str(workspace),
        "phish",
        "lookalikes",
        "maison-aurelle.com",
        "--dictionary",
        str(missing),
    )
    assert code == 2
    assert f"{missing}: no such dictionary file" in err
