"""``breachdesk scope`` through the command line: JSON keys, --out files, errors."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from breachdesk.cli.main import main
from breachdesk.scope import neutralise
from breachdesk.store.tables import AuditEntry
from breachdesk.workspace import Workspace
from tests.scope.conftest import T0, add_alert, fetch, make_workspace, open_case, write_events

OUT_COLUMNS = [
    "key",
    "categories",
    "country",
    "subdivision",
    "language",
    "confidence",
    "first_access",
    "last_access",
]


@pytest.fixture
def case(tmp_path: Path) -> tuple[Workspace, str]:
    ws = make_workspace(tmp_path / "ws", 40)
    write_events(ws, [fetch(T0 + timedelta(seconds=i), k) for i, k in enumerate((1, 4, 7))])
    add_alert(ws, "ALR-1", principals=["agent:jmartin"])
    return ws, open_case(ws, ["ALR-1"])


def _run(ws: Workspace, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["-w", str(ws.root), "scope", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_scope_json_keys(
    case: tuple[Workspace, str], capsys: pytest.CaptureFixture[str]
) -> None:
    ws, incident = case
    code, out, err = _run(ws, capsys, incident, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"incident", "affected", "by_category", "by_jurisdiction", "by_confidence"}
    assert data["incident"] == incident
    assert data["affected"] == 3
    assert data["by_confidence"] == {"exact": 3}
    assert data["by_category"]["contact.email"] == 3
    assert data["by_jurisdiction"] == {"US-CA": 2, "CA-QC": 1}
    ws.close()


def test_cli_scope_out_csv_is_audited(
    case: tuple[Workspace, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws, incident = case
    target = tmp_path / "affected.csv"
    code, out, err = _run(ws, capsys, incident, "--out", str(target))
    assert code == 0, err
    assert "3 persons affected" in out
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == OUT_COLUMNS
    first = dict(zip(OUT_COLUMNS, rows[1], strict=True))
    assert first["key"] == "1"
    assert first["categories"].split(";") == [
        "contact.name",
        "contact.email",
        "location.city",
        "location.region",
        "location.country",
        "account.id",
    ]
    assert first["subdivision"] == "US-CA"
    assert first["confidence"] == "exact"
    assert first["first_access"] == "2026-11-11T00:30:00Z"
    with ws.store.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "scope.export")).one()
    assert entry.detail["rows"] == 3
    assert entry.detail["path"] == str(target.resolve())
    assert len(entry.detail["sha256"]) == 64
    ws.close()


def test_cli_scope_out_parquet(
    case: tuple[Workspace, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws, incident = case
    target = tmp_path / "affected.parquet"
    code, _, err = _run(ws, capsys, incident, "--out", str(target), "--json")
    assert code == 0, err
    table = pq.read_table(target)
    assert table.column_names == OUT_COLUMNS
    assert table.num_rows == 3
    ws.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x.xlsx"], ".csv or .parquet"),
        (["--window", "yesterday"], "T1/T2"),
        (["--engine", "oracle"], "unknown engine"),
        (["--alerts", "ALR-nope"], "no alert"),
    ],
)
def test_cli_scope_errors_are_one_line(
    case: tuple[Workspace, str],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    ws, incident = case
    code, _, err = _run(ws, capsys, incident, *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2
    assert len(lines) == 1
    assert message in lines[0]
    ws.close()


def test_cli_scope_unknown_incident(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = make_workspace(tmp_path / "ws", 10)
    code, _, err = _run(ws, capsys, "INC-2026-9999")
    assert code == 2
    assert "no incident" in err
    ws.close()


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("fr-FR", "fr-FR"),
        ("42", "42"),
    ],
)
def test_neutralise_formulas(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe
