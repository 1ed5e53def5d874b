"""The demo-shaped breach: names, emails and locations of a luxury retailer's customers taken
by an attacker, customers across Europe, the US, Japan, Singapore, Australia, Brazil, Canada;
controller established in France. Each expected conclusion carries its source.
"""

from __future__ import annotations

from typing import Any

import pytest

from breachdesk.law import Assessment, Conclusion, assess, case_from_dict

DEMO: dict[str, Any] = {
    "aware_at": "2026-11-03T09:00:00Z",
    "categories": [
        "contact.name",
        "contact.email",
        "location.city",
        "location.region",
        "location.country",
    ],
    "encrypted": False,
    "key_compromised": False,
    "cause": "malicious",
    "residents": {
        "FR": 1200,
        "GB": 800,
        "DE": 400,
        "IT": 300,
        "ES": 250,
        "CH": 100,
        "JP": 150,
        "SG": 80,
        "AU": 90,
        "BR": 70,
        "CA-ON": 60,
        "CA-QC": 20,
        "US-CA": 300,
        "US-NY": 200,
        "US-TX": 150,
        "US-FL": 100,
        "US-IL": 40,
        "US-WA": 30,
    },
    "controller_establishment": "FR",
    "reveals_status": True,
}


@pytest.fixture(scope="module")
def result() -> Assessment:
    return assess(case_from_dict(DEMO))


def _get(result: Assessment, key: str) -> Conclusion:
    return {c.key: c for c in result.conclusions}[key]


def test_demo_gdpr_lead_authority_cnil_within_72h(result: Assessment) -> None:
    # GDPR Art. 33(1) and 56(1): one notification, to the CNIL, for all EU/EEA residents.
    fr = _get(result, "FR:authority")
    assert fr.required
    assert "CNIL" in (fr.authority or "")
    assert fr.to_json()["deadline"] == "2026-11-06T09:00:00Z"
    assert fr.residents == 1200 + 400 + 300 + 250
    assert "DE 400" in fr.reason
    assert "one-stop shop" in fr.reason
    for code in ("DE", "IT", "ES"):
        other = _get(result, f"{code}:authority")
        assert not other.required
        assert "lead authority" in other.reason


def test_demo_ico_for_the_uk(result: Assessment) -> None:
    # UK GDPR Art. 33(1): the EU one-stop shop does not reach the UK.
    gb = _get(result, "GB:authority")
    assert gb.required
    assert "ICO" in (gb.authority or "")
    assert gb.to_json()["deadline"] == "2026-11-06T09:00:00Z"


def test_demo_report_to_japan_ppc(result: Assessment) -> None:
    # APPI Art. 26(1), Enforcement Rules Art. 7(iii): possibly a wrongful purpose.
    preliminary = _get(result, "JP:authority:preliminary-report")
    assert preliminary.required
    assert "PPC" in (preliminary.authority or "")
    assert "wrongful purpose" in preliminary.reason
    assert _get(result, "JP:authority:final-report-wrongful-purpose").required


@pytest.mark.parametrize("state", ["US-CA", "US-NY", "US-TX", "US-FL", "US-IL", "US-WA"])
def test_demo_no_us_state_notice(result: Assessment, state: str) -> None:
    # Names + emails + city are not "personal information" under the state statutes; the
    # states that count an email it is only with a password or security answer.
    for c in result.conclusions:
        if c.jurisdiction == state:
            assert not c.required, c.key
            assert "is not 'personal information'" in c.reason
            assert c.citation


def test_demo_every_conclusion_explained(result: Assessment) -> None:
    assert result.conclusions
    for c in result.conclusions:
        assert c.reason, c.key
        assert c.citation, c.key
        assert c.deadline_rule, c.key
    keys = {c.key for c in result.conclusions}
    assert {"CH:authority", "CA:authority", "AU:authority", "BR:authority", "SG:authority"} <= keys


def test_demo_brazil_not_required_without_an_art5_criterion(result: Assessment) -> None:
    br = _get(result, "BR:authority")
    assert not br.required
    assert "financial data" in br.reason
