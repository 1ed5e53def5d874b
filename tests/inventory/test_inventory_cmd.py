from __future__ import annotations

import json
from pathlib import Path

import pytest

from breachdesk.cli.main import main
from breachdesk.workspace import init_workspace

TOP_KEYS = {
    "schema",
    "scan_id",
    "started_at",
    "sample_size",
    "sources",
    "summary",
    "tables",
    "findings",
    "errors",
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "ws").close()
    return tmp_path / "ws"


def test_scan_json_has_the_documented_keys(
    workspace: Path, contract_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["-w", str(workspace), "inventory", "scan", str(contract_db), "--json", "--sample", "50"]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == TOP_KEYS
    assert data["schema"] == "breachdesk.inventory.scan/1"
    table = data["tables"][0]
    assert set(table) == {
        "source",
        "table",
        "kind",
        "row_count",
        "row_count_exact",
        "sampled_rows",
        "notes",
        "columns",
    }
    column = table["columns"][0]
    assert set(column) == {"name", "type", "sampled", "non_empty", "categories", "password_hashes"}
    finding = data["findings"][0]
    assert set(finding) == {
        "rule",
        "severity",
        "title",
        "source",
        "table",
        "columns",
        "detail",
        "reference",
        "url",
        "fix",
    }
    assert main(["-w", str(workspace), "inventory", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["columns"]
    assert shown["findings"]


def test_scan_prints_tables_and_writes_html(
    workspace: Path, contract_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = tmp_path / "report.html"
    code = main(
        [
            "-w",
            str(workspace),
            "inventory",
            "scan",
            str(contract_db),
            "--html",
            str(html),
            "--show-examples",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "marketing_export_2019" in out
    assert "pan-readable" in out
    assert html.exists()
    assert main(["-w", str(workspace), "inventory", "show"]) == 0
    assert "contact.email" in capsys.readouterr().out


def test_show_examples_prints_masked_values_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text("email\n" + "".join(f"person{i}@example.com\n" for i in range(5)))
    code = main(["inventory", "scan", str(csv), "--no-store", "--json", "--show-examples"])
    assert code == 0
    out = capsys.readouterr().out
    assert "person1@example.com" not in out
    assert json.loads(out)["tables"][0]["columns"][0]["examples"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("sqlite:////tmp/x.db?mode=rwc", "read-only"),
        ("postgresql://nobody@127.0.0.1:9/x", "cannot open"),
        ("/definitely/not/here.csv", "no such file"),
    ],
)
def test_scan_errors_are_one_line_with_exit_code_2(
    source: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inventory", "scan", source, "--no-store"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_scan_without_a_workspace_asks_for_one(
    tmp_path: Path, contract_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-w", str(tmp_path / "none"), "inventory", "scan", str(contract_db)]) == 2
    err = capsys.readouterr().err
    assert "breachdesk init" in err
    assert "--no-store" in err
