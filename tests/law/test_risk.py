"""The ENISA/EDPB risk score: each step explained, overridable with a recorded reason."""

from __future__ import annotations

from typing import Any

from breachdesk.law import RiskOverride, assess, assess_risk, case_from_dict


def _case(**changes: Any) -> Any:
    facts: dict[str, Any] = {
        "aware_at": "2026-11-03T09:00:00Z",
        "categories": ["contact.name", "contact.email", "location.city"],
        "cause": "malicious",
        "residents": {"FR": 100},
        "controller_establishment": "FR",
    }
    facts.update(changes)
    return case_from_dict(facts)


def test_risk_luxury_customer_list_is_high() -> None:
    risk = assess_risk(_case(reveals_status=True))
    assert (risk.dpc, risk.ei, risk.cb, risk.score) == (2.0, 1.0, 1.0, 3.0)
    assert risk.level == "high"
    assert any("luxury" in line for line in risk.explanation)


def test_risk_plain_contact_theft_is_medium() -> None:
    risk = assess_risk(_case())
    assert risk.score == 2.0
    assert risk.level == "medium"


def test_risk_edpb_volume_and_phishing_raise_medium() -> None:
    risk = assess_risk(_case(residents={"FR": 20_000}))
    assert risk.enisa_level == "medium"
    assert risk.level == "high"
    assert any("phishing" in line for line in risk.explanation)


def test_risk_card_data_is_very_high() -> None:
    risk = assess_risk(
        _case(categories=["contact.name", "financial.card_number", "financial.card_security_code"])
    )
    assert risk.dpc == 4.0
    assert risk.level == "very high"


def test_risk_override_is_applied_and_explained() -> None:
    override = RiskOverride("low", "data was already public in a directory", "counsel@example")
    result = assess(_case(reveals_status=True), risk_override=override)
    assert result.risk.level == "low"
    assert result.risk.explanation[-1].startswith("OVERRIDDEN to low by counsel@example")
    fr = {c.key: c for c in result.conclusions}["FR:authority"]
    assert not fr.required
    assert result.to_json()["risk"]["override"]["justification"].startswith("data was")
