"""Rule files: every packaged file loads; a typo or a bad value is an error naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from breachdesk.law import RuleFileError, load_rule_file, load_rules, packaged_rules
from breachdesk.law.loader import default_rules_dir

EU = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]
US = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "DC",
    "PR",
]


def test_loader_packaged_rules_cover_the_required_jurisdictions() -> None:
    book = packaged_rules()
    codes = set(book.by_code)
    assert set(EU) | {"IS", "LI", "NO"} <= codes
    assert {f"US-{s}" for s in US} <= codes
    assert {"GB", "CH", "CA", "AU", "BR", "JP", "SG"} <= codes
    assert len(US) == 52


@pytest.mark.parametrize("code", [*EU, "IS", "LI", "NO"])
def test_loader_every_eea_state_has_its_authority(code: str) -> None:
    entry = packaged_rules().entry(code)
    assert entry is not None
    assert entry.rules.regime == "gdpr"
    assert entry.jurisdiction.authority.name
    assert entry.jurisdiction.authority.portal.startswith("https://")


def test_loader_every_obligation_has_a_citation() -> None:
    for _, rules in packaged_rules().files:
        assert rules.confidence in ("verified", "secondary-source")
        for rule in rules.obligations:
            assert rule.citation, rules.regime


def _copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (default_rules_dir() / name).read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / name
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_loader_typo_key_names_file_key_and_line(tmp_path: Path) -> None:
    path = _copy(tmp_path, "us-ca.yaml", "- recipient: individuals", "- recipent: individuals")
    with pytest.raises(RuleFileError) as caught:
        load_rule_file(path)
    message = str(caught.value)
    assert "us-ca.yaml:" in message
    assert "obligations.0.recipent: unknown key (did you mean 'recipient'?)" in message
    line = int(message.split("us-ca.yaml:")[1].split(":")[0])
    assert "recipent" in path.read_text().splitlines()[line - 1]


def test_loader_unknown_category_in_combination(tmp_path: Path) -> None:
    path = _copy(tmp_path, "us-tx.yaml", "contact.name + identity.national_id", "contact.nam + x")
    with pytest.raises(
        RuleFileError, match=r"personal_information\.combinations: .*'contact\.nam'"
    ):
        load_rule_file(path)


def test_loader_threshold_needs_exactly_one_bound(tmp_path: Path) -> None:
    path = _copy(tmp_path, "us-tx.yaml", "at_least: 250", "at_least: 250\n    more_than: 3")
    with pytest.raises(RuleFileError, match="exactly one of more_than or at_least"):
        load_rule_file(path)


def test_loader_bad_yaml_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("regime: x\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"bad\.yaml:\d+: not valid YAML"):
        load_rule_file(path)


def test_loader_unknown_time_zone(tmp_path: Path) -> None:
    path = _copy(tmp_path, "jp.yaml", "timezone: Asia/Tokyo", "timezone: Asia/Tokio")
    with pytest.raises(RuleFileError, match="unknown time zone"):
        load_rule_file(path)


def test_loader_duplicate_jurisdiction_across_files(tmp_path: Path) -> None:
    first = _copy(tmp_path, "jp.yaml", "regime: jp-appi", "regime: jp-appi")
    second = tmp_path / "jp2.yaml"
    second.write_text(first.read_text().replace("regime: jp-appi", "regime: jp-two"))
    with pytest.raises(RuleFileError, match=r"JP is also covered by jp\.yaml"):
        load_rules(files=[first, second])
