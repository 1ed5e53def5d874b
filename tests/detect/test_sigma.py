"""Sigma: conversion with pySigma's SQLite backend, engine predicates, rule file errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot

from breachdesk.detect.sigma import engine_predicate, load_rules

GOOD = """
title: Export route used
status: test
level: critical
logsource:
    category: webserver
detection:
    selection:
        cs-uri-stem|contains: '/export'
        cs-method: GET
    condition: selection
"""

ORPHAN = """
title: Correlation on a rule that does not exist
status: test
correlation:
    type: event_count
    rules:
        - no_such_rule
    group-by:
        - principal
    timespan: 1h
    condition:
        gte: 5
"""


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_engine_predicate_is_case_insensitive_in_each_dialect(dialect: str) -> None:
    rules = load_rules(_folder({"r.yml": GOOD}))
    assert rules.errors == ()
    assert len(rules.predicates) == 1
    sql = engine_predicate(rules.predicates[0], dialect)
    sqlglot.parse_one(sql, read=dialect)  # valid in the target dialect
    assert "ILIKE" in sql.upper()
    assert "LOWER(" in sql.upper()
    if dialect == "duckdb":
        found = duckdb.sql(
            "SELECT count(*) FROM (VALUES ('/API/EXPORT/all', 'get'), ('/api/list', 'GET')) "
            f"t(path, method) WHERE {sql}"
        ).fetchone()
        assert found == (1,)


def test_load_rules_collects_errors_per_file(tmp_path: Path) -> None:
    folder = _folder(
        {
            "good.yml": GOOD,
            "broken.yml": "title: [unclosed\n",
            "bad-modifier.yml": GOOD.replace("|contains", "|nosuchmodifier"),
            "notes.txt": "not a rule",
            "orphan.yml": ORPHAN,
        },
        tmp_path,
    )
    rules = load_rules(folder)
    assert rules.files == 4
    assert [r.name for r in rules.rules] == ["export-route-used"]
    assert rules.rules[0].strength == 3
    assert len(rules.errors) == 3
    assert any("broken.yml" in e for e in rules.errors)
    assert any("bad-modifier.yml" in e for e in rules.errors)
    assert any("orphan.yml" in e and "no_such_rule" in e for e in rules.errors)


def test_load_rules_without_a_folder_is_empty(tmp_path: Path) -> None:
    rules = load_rules(tmp_path / "missing")
    assert rules.rules == ()
    assert rules.errors == ()


def _folder(files: dict[str, str], root: Path | None = None) -> Path:
    import tempfile

    base = root or Path(tempfile.mkdtemp())
    folder = base / "rules"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
