"""Cases: codes are ISO 3166, times are aware, aware_at is required — each error is clear."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from breachdesk.errors import InputFileError, UserInputError
from breachdesk.law import case_from_dict, load_case


def _facts(**changes: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "aware_at": "2026-11-03T09:00:00+01:00",
        "categories": ["contact.name"],
        "cause": "malicious",
        "residents": {"fr": 3, "US-CA": 2},
        "controller_establishment": "FR",
    }
    facts.update(changes)
    return facts


def test_case_normalises_codes_and_time() -> None:
    case = case_from_dict(_facts(residents={"fr": 3, "PR": 1, "us-ca": 2}))
    assert case.residents == {"FR": 3, "US-PR": 1, "US-CA": 2}
    assert case.aware_at.isoformat() == "2026-11-03T08:00:00+00:00"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("XX", "unknown jurisdiction code 'XX'"),
        ("UK", "the UK is 'GB'"),
        ("US-ZZ", "unknown ISO 3166-2 subdivision 'US-ZZ'"),
        ("FR-75", "give the country code 'FR'"),
        ("QQ-1", "unknown country"),
    ],
)
def test_case_unknown_code_is_a_clear_error(code: str, message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        case_from_dict(_facts(residents={code: 1}))


def test_case_unknown_establishment() -> None:
    with pytest.raises(UserInputError, match="controller_establishment: unknown"):
        case_from_dict(_facts(controller_establishment="Atlantis"))


@pytest.mark.parametrize("value", [None, ""])
def test_case_without_aware_at(value: object) -> None:
    facts = _facts(aware_at=value)
    with pytest.raises(UserInputError, match="'aware_at' is missing"):
        case_from_dict(facts)
    del facts["aware_at"]
    with pytest.raises(UserInputError, match="'aware_at' is missing"):
        case_from_dict(facts)


def test_case_naive_time_is_refused() -> None:
    with pytest.raises(UserInputError, match=r"aware_at.*time zone"):
        case_from_dict(_facts(aware_at="2026-11-03T09:00:00"))


def test_case_unknown_field_and_category() -> None:
    with pytest.raises(UserInputError, match="unknown case field 'encrypted_'"):
        case_from_dict(_facts(encrypted_=True))
    with pytest.raises(UserInputError, match=r"unknown data category 'contact\.mail'"):
        case_from_dict(_facts(categories=["contact.mail"]))


def test_case_negative_count() -> None:
    with pytest.raises(UserInputError, match="whole number"):
        case_from_dict(_facts(residents={"FR": -1}))


def test_case_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"case\.json:1: not valid JSON"):
        load_case(path)
    path.write_text(json.dumps(_facts(residents={"XX": 1})), encoding="utf-8")
    with pytest.raises(
        InputFileError, match=r"case\.json: residents: unknown jurisdiction code 'XX'"
    ):
        load_case(path)
