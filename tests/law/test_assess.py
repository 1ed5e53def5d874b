"""Table-driven cases, each derived from the text it cites: facts in, one conclusion out.

Awareness is Tuesday 2026-11-03 09:00 UTC unless a case says otherwise. ``deadline`` is the
expected ISO 8601 UTC moment (``None``: the statute sets no number), or absent when the case
checks only whether a notice is required.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from breachdesk.law import assess, case_from_dict

NAME_EMAIL = ["contact.name", "contact.email"]
NAME_SSN = ["contact.name", "identity.national_id"]
EMAIL_PASSWORD = ["contact.email", "credential.password_plain"]
CARD = ["contact.name", "financial.card_number", "financial.card_security_code"]
UNSET = "unset"


@dataclass(frozen=True)
class Row:
    id: str
    citation: str
    facts: dict[str, Any]
    key: str
    required: bool
    deadline: str | None = UNSET
    authority: str | None = None
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _case(facts: dict[str, Any]) -> dict[str, Any]:
    base: dict[str, Any] = {
        "aware_at": "2026-11-03T09:00:00Z",
        "categories": NAME_EMAIL,
        "cause": "malicious",
        "residents": {},
        "controller_establishment": "FR",
    }
    base.update(facts)
    return base


ROWS = [
    # --- EU / EEA: GDPR -------------------------------------------------------------------
    Row(
        "gdpr-lead-authority-72h",
        "GDPR Art. 33(1), 56(1)",
        {"residents": {"FR": 100, "DE": 50}, "reveals_status": True},
        "FR:authority",
        True,
        "2026-11-06T09:00:00Z",
        authority="CNIL",
    ),
    Row(
        "gdpr-member-state-through-lead",
        "GDPR Art. 56(1), 60",
        {"residents": {"FR": 100, "DE": 50}},
        "DE:authority",
        False,
        reason="lead authority",
    ),
    Row(
        "gdpr-no-establishment-each-dpa",
        "EDPB Guidelines 9/2022 para. 73",
        {"residents": {"DE": 50, "IT": 20}, "controller_establishment": "US"},
        "IT:authority",
        True,
        "2026-11-06T09:00:00Z",
        authority="Garante",
    ),
    Row(
        "gdpr-eea-norway-lead",
        "GDPR Art. 33(1) via EEA Joint Committee Decision 154/2018",
        {"residents": {"NO": 30, "SE": 10}, "controller_establishment": "NO"},
        "NO:authority",
        True,
        "2026-11-06T09:00:00Z",
        authority="Datatilsynet",
    ),
    Row(
        "gdpr-encrypted-key-safe-no-risk",
        "GDPR Art. 33(1); EDPB Guidelines 9/2022 § 2.6",
        {"residents": {"FR": 100}, "encrypted": True},
        "FR:authority",
        False,
        reason="below the test",
    ),
    Row(
        "gdpr-encrypted-key-compromised",
        "GDPR Art. 33(1); EDPB Guidelines 9/2022 § 2.6",
        {"residents": {"FR": 100}, "encrypted": True, "key_compromised": True},
        "FR:authority",
        True,
        "2026-11-06T09:00:00Z",
    ),
    Row(
        "gdpr-accidental-known-recipient-low",
        "GDPR Art. 33(1) ('unlikely to result in a risk')",
        {"residents": {"FR": 3}, "categories": ["contact.name"], "cause": "accidental"},
        "FR:authority",
        False,
    ),
    Row(
        "gdpr-contact-malicious-medium-authority",
        "GDPR Art. 33(1)",
        {"residents": {"FR": 40}},
        "FR:authority",
        True,
    ),
    Row(
        "gdpr-contact-malicious-medium-no-individuals",
        "GDPR Art. 34(1) (high risk only)",
        {"residents": {"FR": 40}},
        "FR:individuals",
        False,
    ),
    Row(
        "gdpr-card-data-individuals",
        "GDPR Art. 34(1)",
        {"residents": {"FR": 40}, "categories": CARD},
        "FR:individuals",
        True,
        None,
    ),
    Row(
        "gdpr-encrypted-individuals-exempt",
        "GDPR Art. 34(3)(a)",
        {"residents": {"ES": 40}, "categories": CARD, "encrypted": True},
        "ES:individuals",
        False,
    ),
    # --- United Kingdom -------------------------------------------------------------------
    Row(
        "uk-ico-72h",
        "UK GDPR Art. 33(1)",
        {"residents": {"GB": 800}},
        "GB:authority",
        True,
        "2026-11-06T09:00:00Z",
        authority="ICO",
    ),
    Row(
        "uk-low-risk-not-reported",
        "UK GDPR Art. 33(1)",
        {"residents": {"GB": 2}, "categories": ["contact.name"], "cause": "accidental"},
        "GB:authority",
        False,
    ),
    # --- Switzerland ----------------------------------------------------------------------
    Row(
        "ch-high-risk-fdpic",
        "FADP Art. 24(1)",
        {"residents": {"CH": 10}, "categories": CARD},
        "CH:authority",
        True,
        None,
        authority="FDPIC",
    ),
    Row(
        "ch-medium-risk-not-notified",
        "FADP Art. 24(1) (high risk only)",
        {"residents": {"CH": 10}},
        "CH:authority",
        False,
    ),
    # --- United States --------------------------------------------------------------------
    Row(
        "us-ca-contact-data-not-pi",
        "Cal. Civ. Code § 1798.82(h)",
        {"residents": {"US-CA": 800}},
        "US-CA:individuals",
        False,
        reason="not 'personal information'",
    ),
    Row(
        "us-ca-online-credentials-30-days",
        "Cal. Civ. Code § 1798.82(a), (h)(2) (SB 446)",
        {"residents": {"US-CA": 10}, "categories": EMAIL_PASSWORD},
        "US-CA:individuals",
        True,
        "2026-12-04T07:59:59Z",
    ),
    Row(
        "us-ca-ag-sample-over-500",
        "Cal. Civ. Code § 1798.82(f) (SB 446)",
        {"residents": {"US-CA": 501}, "categories": NAME_SSN},
        "US-CA:authority",
        True,
        "2026-12-19T07:59:59Z",
    ),
    Row(
        "us-ca-ag-sample-at-500",
        "Cal. Civ. Code § 1798.82(f) ('more than 500')",
        {"residents": {"US-CA": 500}, "categories": NAME_SSN},
        "US-CA:authority",
        False,
    ),
    Row(
        "us-ca-encrypted-safe-harbor",
        "Cal. Civ. Code § 1798.82(a) ('unencrypted')",
        {"residents": {"US-CA": 10}, "categories": NAME_SSN, "encrypted": True},
        "US-CA:individuals",
        False,
        reason="encryption exemption",
    ),
    Row(
        "us-ca-encrypted-key-taken",
        "Cal. Civ. Code § 1798.82(a) (key also acquired)",
        {
            "residents": {"US-CA": 10},
            "categories": NAME_SSN,
            "encrypted": True,
            "key_compromised": True,
        },
        "US-CA:individuals",
        True,
    ),
    Row(
        "us-ca-before-sb446-no-fixed-days",
        "Cal. Civ. Code § 1798.82(a) (before SB 446)",
        {"residents": {"US-CA": 10}, "categories": NAME_SSN, "aware_at": "2025-06-02T12:00:00Z"},
        "US-CA:individuals",
        True,
        None,
    ),
    Row(
        "us-ny-cra-over-5000",
        "N.Y. Gen. Bus. Law § 899-aa(8)(b)",
        {"residents": {"US-NY": 5001}, "categories": NAME_SSN},
        "US-NY:credit_agencies",
        True,
    ),
    Row(
        "us-ny-cra-at-5000",
        "N.Y. Gen. Bus. Law § 899-aa(8)(b) ('more than five thousand')",
        {"residents": {"US-NY": 5000}, "categories": NAME_SSN},
        "US-NY:credit_agencies",
        False,
    ),
    Row(
        "us-ny-shield-credentials-30-days",
        "N.Y. Gen. Bus. Law § 899-aa(1)(b)(ii), (2)",
        {"residents": {"US-NY": 10}, "categories": EMAIL_PASSWORD},
        "US-NY:individuals",
        True,
        "2026-12-04T04:59:59Z",
    ),
    Row(
        "us-tx-ag-at-250",
        "Tex. Bus. & Com. Code § 521.053(i) ('at least 250')",
        {"residents": {"US-TX": 250}, "categories": NAME_SSN},
        "US-TX:authority",
        True,
        "2026-12-04T05:59:59Z",
    ),
    Row(
        "us-tx-ag-under-250",
        "Tex. Bus. & Com. Code § 521.053(i)",
        {"residents": {"US-TX": 249}, "categories": NAME_SSN},
        "US-TX:authority",
        False,
    ),
    Row(
        "us-tx-cra-over-10000",
        "Tex. Bus. & Com. Code § 521.053(h)",
        {"residents": {"US-TX": 10001}, "categories": NAME_SSN},
        "US-TX:credit_agencies",
        True,
    ),
    Row(
        "us-tx-cra-at-10000",
        "Tex. Bus. & Com. Code § 521.053(h) ('more than 10,000')",
        {"residents": {"US-TX": 10000}, "categories": NAME_SSN},
        "US-TX:credit_agencies",
        False,
    ),
    Row(
        "us-tx-credentials-not-pi",
        "Tex. Bus. & Com. Code § 521.002(a)(2)",
        {"residents": {"US-TX": 10}, "categories": EMAIL_PASSWORD},
        "US-TX:individuals",
        False,
    ),
    Row(
        "us-fl-credentials-30-days",
        "Fla. Stat. § 501.171(1)(g)1.b., (4)(a)",
        {"residents": {"US-FL": 10}, "categories": EMAIL_PASSWORD},
        "US-FL:individuals",
        True,
        "2026-12-04T04:59:59Z",
    ),
    Row(
        "us-fl-dla-at-500",
        "Fla. Stat. § 501.171(3)(a) ('500 or more')",
        {"residents": {"US-FL": 500}, "categories": NAME_SSN},
        "US-FL:authority",
        True,
    ),
    Row(
        "us-fl-dla-under-500",
        "Fla. Stat. § 501.171(3)(a)",
        {"residents": {"US-FL": 499}, "categories": NAME_SSN},
        "US-FL:authority",
        False,
    ),
    Row(
        "us-ga-cra-over-10000",
        "O.C.G.A. § 10-1-912(d)",
        {"residents": {"US-GA": 10001}, "categories": NAME_SSN},
        "US-GA:credit_agencies",
        True,
    ),
    Row(
        "us-mn-cra-over-500",
        "Minn. Stat. § 325E.61 subd. 2",
        {"residents": {"US-MN": 501}, "categories": NAME_SSN},
        "US-MN:credit_agencies",
        True,
    ),
    Row(
        "us-vt-ag-14-business-days",
        "9 V.S.A. § 2435(b)(3) (Veterans Day is a holiday)",
        {"residents": {"US-VT": 3}, "categories": NAME_SSN},
        "US-VT:authority",
        True,
        "2026-11-25T04:59:59Z",
    ),
    Row(
        "us-nd-birth-date-is-pi",
        "N.D.C.C. § 51-30-01(4)(a)",
        {"residents": {"US-ND": 3}, "categories": ["contact.name", "identity.birth_date"]},
        "US-ND:individuals",
        True,
    ),
    Row(
        "us-ma-contact-data-not-pi",
        "M.G.L. c. 93H § 1",
        {"residents": {"US-MA": 300}},
        "US-MA:individuals",
        False,
    ),
    Row(
        "us-pr-daco-10-days",
        "10 L.P.R.A. § 4052 (Act 111-2005 art. 4)",
        {"residents": {"PR": 3}, "categories": NAME_SSN},
        "US-PR:authority",
        True,
        "2026-11-14T03:59:59Z",
        authority="DACO",
    ),
    # --- Canada ---------------------------------------------------------------------------
    Row(
        "ca-rrosh-opc",
        "PIPEDA s. 10.1(1)",
        {"residents": {"CA-QC": 30, "CA-ON": 30}, "reveals_status": True},
        "CA:authority",
        True,
        None,
        authority="Privacy Commissioner",
    ),
    Row(
        "ca-no-rrosh",
        "PIPEDA s. 10.1(1), (7)",
        {"residents": {"CA-ON": 3}, "categories": ["contact.name"], "cause": "accidental"},
        "CA:authority",
        False,
    ),
    # --- Australia ------------------------------------------------------------------------
    Row(
        "au-serious-harm-oaic",
        "Privacy Act 1988 ss 26WE, 26WK",
        {"residents": {"AU-NSW": 5}, "categories": CARD},
        "AU:authority",
        True,
    ),
    Row(
        "au-no-serious-harm",
        "Privacy Act 1988 s 26WE(2)",
        {"residents": {"AU": 5}, "categories": ["contact.name"], "cause": "accidental"},
        "AU:authority",
        False,
    ),
    # --- Brazil ---------------------------------------------------------------------------
    Row(
        "br-contact-no-art5-criterion",
        "Res. CD/ANPD 15/2024 Art. 5",
        {"residents": {"BR": 70}, "reveals_status": True},
        "BR:authority",
        False,
    ),
    Row(
        "br-authentication-data-3-business-days",
        "LGPD Art. 48; Res. CD/ANPD 15/2024 Art. 5, IV; 6",
        {
            "residents": {"BR": 70},
            "categories": ["contact.name", "contact.email", "credential.password_hash"],
        },
        "BR:authority",
        True,
        "2026-11-07T02:59:59Z",
    ),
    Row(
        "br-business-days-skip-holiday",
        "Res. CD/ANPD 15/2024 Art. 6 (Nov 20 is a holiday)",
        {"residents": {"BR": 70}, "categories": CARD, "aware_at": "2026-11-19T12:00:00Z"},
        "BR:individuals",
        True,
        "2026-11-26T02:59:59Z",
    ),
    # --- Japan ----------------------------------------------------------------------------
    Row(
        "jp-wrongful-purpose-preliminary",
        "APPI Art. 26(1); Enforcement Rules Art. 7(iii)",
        {"residents": {"JP": 10}},
        "JP:authority:preliminary-report",
        True,
        "2026-11-08T14:59:59Z",
        authority="PPC",
    ),
    Row(
        "jp-wrongful-purpose-final-60",
        "APPI Enforcement Rules Art. 8(2)",
        {"residents": {"JP": 10}},
        "JP:authority:final-report-wrongful-purpose",
        True,
        "2027-01-02T14:59:59Z",
    ),
    Row(
        "jp-over-1000-accidental-final-30",
        "APPI Enforcement Rules Art. 7(iv), 8(2)",
        {"residents": {"JP": 1001}, "cause": "accidental"},
        "JP:authority:final-report",
        True,
        "2026-12-03T14:59:59Z",
    ),
    Row(
        "jp-1000-accidental-not-reportable",
        "APPI Enforcement Rules Art. 7(iv) ('more than 1,000')",
        {"residents": {"JP": 1000}, "cause": "accidental"},
        "JP:authority:preliminary-report",
        False,
    ),
    Row(
        "jp-card-number-property-damage",
        "APPI Enforcement Rules Art. 7(ii)",
        {"residents": {"JP": 5}, "categories": CARD, "cause": "accidental"},
        "JP:individuals",
        True,
    ),
    Row(
        "jp-encrypted-exempt",
        "APPI Enforcement Rules Art. 7(i) proviso",
        {"residents": {"JP": 5}, "encrypted": True},
        "JP:authority:preliminary-report",
        False,
    ),
    # --- Singapore ------------------------------------------------------------------------
    Row(
        "sg-significant-scale-500",
        "PDPA s 26B(1)(b); Regs reg 4",
        {"residents": {"SG": 500}, "cause": "accidental"},
        "SG:authority",
        True,
        "2026-11-06T15:59:59Z",
    ),
    Row(
        "sg-scale-alone-no-individual-notice",
        "PDPA s 26D(2)",
        {"residents": {"SG": 500}, "cause": "accidental"},
        "SG:individuals",
        False,
    ),
    Row(
        "sg-under-scale-not-notifiable",
        "PDPA s 26B(1)",
        {"residents": {"SG": 499}, "cause": "accidental", "categories": ["contact.name"]},
        "SG:authority",
        False,
    ),
    Row(
        "sg-prescribed-data-deemed-harm",
        "PDPA s 26B(2)(a); Regs reg 3 and Schedule",
        {
            "residents": {"SG": 3},
            "cause": "accidental",
            "categories": ["contact.name", "financial.card_number"],
        },
        "SG:individuals",
        True,
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_assess_table(row: Row) -> None:
    result = assess(case_from_dict(_case(row.facts)))
    found = {c.key: c for c in result.conclusions}
    assert row.key in found, f"{row.key} not concluded ({row.citation}); got {sorted(found)}"
    conclusion = found[row.key]
    assert conclusion.required is row.required, f"{row.citation}: {conclusion.reason}"
    if row.deadline != UNSET:
        got = conclusion.to_json()["deadline"]
        assert got == row.deadline, f"{row.citation}: {conclusion.deadline_rule}"
    if row.authority:
        assert row.authority in (conclusion.authority or "")
    if row.reason:
        assert row.reason in conclusion.reason
    assert conclusion.citation
    assert conclusion.reason


def test_assess_table_is_large_enough() -> None:
    assert len(ROWS) >= 40
    regions = {r.key.split(":")[0] for r in ROWS}
    assert len({k for k in regions if k.startswith("US-")}) >= 10
    assert {"FR", "GB", "CH", "CA", "AU", "BR", "SG"} <= regions


def test_assess_lists_uncovered_country_for_review() -> None:
    result = assess(case_from_dict(_case({"residents": {"MX": 4}})))
    (only,) = result.conclusions
    assert only.regime == "not-covered"
    assert only.needs_review
    assert not only.required


def test_assess_us_without_state_needs_review() -> None:
    result = assess(case_from_dict(_case({"residents": {"US": 4}})))
    (only,) = result.conclusions
    assert "per state" in only.reason
    assert only.needs_review
