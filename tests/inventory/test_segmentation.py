from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from breachdesk.inventory import classify_table, load_rules, scan_sources
from breachdesk.inventory.rulefiles import RuleFileError, load_data_file
from breachdesk.inventory.sample import ColumnSample, TableSample, text_column
from breachdesk.inventory.segmentation import default_rules, evaluate

SALT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0"


def test_every_planted_break_is_found_and_segmented_tables_are_clean(
    contract_db: Path, planted: set[tuple[str, str]], segmented: set[str]
) -> None:
    report = scan_sources([str(contract_db)])
    found = {(f.rule, f.table) for f in report.findings}
    assert found >= planted
    assert not {t for _, t in found} & segmented
    pan = next(f for f in report.findings if f.rule == "pan-readable")
    assert pan.columns == ("card_number",)
    assert pan.severity == "critical"
    assert "3.5.1" in pan.reference
    assert pan.fix
    copied = next(f for f in report.findings if f.rule == "personal-data-copied")
    assert set(copied.columns) == {"full_name", "email"}
    assert "customers" in copied.detail


def credentials(values: list[str]) -> TableSample:
    return TableSample(
        "test",
        "users",
        "test",
        None,
        False,
        (
            ColumnSample(
                "user_id", "int", text_column(pa.array([str(i) for i in range(len(values))]))
            ),
            ColumnSample("password_hash", "text", text_column(pa.array(values))),
        ),
    )


@pytest.mark.parametrize(
    ("values", "weak"),
    [
        ([f"$2b$08${SALT}"] * 10, True),
        ([f"$2b$10${SALT}"] * 10, False),
        (["pbkdf2_sha256$100000$salt$aGFzaA=="] * 10, True),
        (["pbkdf2_sha256$600000$salt$aGFzaA=="] * 10, False),
        (["5f4dcc3b5aa765d61d8327deb882cf99"] * 10, True),
        (["5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"] * 10, True),
        (["$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"] * 10, False),
        (["$1$saltsalt$qjXMvbEw8oaL.CzflDugX/"] * 10, True),
    ],
)
def test_weak_hash_rule_follows_owasp_work_factors(values: list[str], weak: bool) -> None:
    report = classify_table(credentials(values))
    rules = {f.rule for f in evaluate([report], default_rules())}
    assert ("password-weak-hash" in rules) is weak
    assert "password-plaintext" not in rules


def test_named_but_empty_cvv_column_is_not_a_stored_cvv() -> None:
    table = TableSample(
        "test",
        "payments",
        "test",
        None,
        False,
        (ColumnSample("cvv", "text", text_column(pa.array([None] * 10, pa.string()))),),
    )
    assert evaluate([classify_table(table)], default_rules()) == []


def rules_data() -> dict[str, Any]:
    return load_data_file("segmentation_rules.yaml")


def test_rules_file_loads_with_a_reference_and_fix_for_each_rule(
    planted: set[tuple[str, str]],
) -> None:
    rules = load_rules(rules_data())
    assert set(rules.rules) == {r for r, _ in planted}
    for rule in rules:
        assert rule.reference
        assert rule.fix
        assert rule.why


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r[0].update(id="pan-visible"), "has no check"),
        (lambda r: r[0].update(severity="urgent"), "severity"),
        (lambda r: r[4].update(categories=["contact.fax"]), "unknown category"),
        (lambda r: r[0].update(fix=""), "fix is required"),
        (lambda r: r.pop(), "without an entry"),
    ],
)
def test_rules_file_errors_name_the_problem(change: Any, message: str) -> None:
    data = rules_data()
    change(data["rules"])
    with pytest.raises(RuleFileError, match=message):
        load_rules(data)
