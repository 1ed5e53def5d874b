"""The risk score for risk-based regimes: ENISA's severity method, read with the EDPB's factors.

ENISA (Recommendations for a methodology of the assessment of severity of personal data
breaches, v1.0, 2013): severity ``SE = DPC × EI + CB``, where DPC (1–4) is the data processing
context, EI (0.25–1) the ease of identification and CB the circumstances of the breach (loss of
confidentiality, integrity, availability; malicious intent). Levels: low < 2 ≤ medium < 3 ≤
high < 4 ≤ very high. The EDPB (Guidelines 9/2022 §§ 2.6–2.7, 01/2021) adds factors ENISA
scores only outside the formula — volume of people, vulnerable people, usefulness of the data
for phishing — which here can raise a medium result to high (documented in ``docs/law.md``).
Every step is kept as a line of explanation; a lawyer may override the result with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from breachdesk.law.case import Case
from breachdesk.law.schema import RiskTest
from breachdesk.model import Category

Level = Literal["low", "medium", "high", "very high"]
LEVELS: tuple[Level, ...] = ("low", "medium", "high", "very high")

# The lowest level at which each risk test of the rule files is met.
TEST_THRESHOLD: dict[RiskTest, Level] = {
    "gdpr-risk": "medium",
    "gdpr-high-risk": "high",
    "high-risk": "high",
    "real-risk-of-significant-harm": "high",
    "serious-harm": "high",
    "significant-harm": "high",
    "relevant-risk": "high",
}
TEST_WORDS: dict[RiskTest, str] = {
    "none": "no risk test",
    "gdpr-risk": "likely to result in a risk to rights and freedoms",
    "gdpr-high-risk": "likely to result in a high risk to rights and freedoms",
    "high-risk": "likely to result in a high risk to personality or fundamental rights",
    "real-risk-of-significant-harm": "real risk of significant harm",
    "serious-harm": "likely to result in serious harm",
    "significant-harm": "likely to result in significant harm",
    "relevant-risk": "may cause relevant risk or damage",
}

LARGE_VOLUME = 10_000

# ENISA's base DPC by kind of data (Annex A1); Breachdesk's mapping of its taxonomy to it.
_SIMPLE = 1
_BEHAVIOURAL = {Category.COMMERCE_PURCHASE_HISTORY, Category.LOCATION_GEO}
_IDENTITY = {Category.IDENTITY_NATIONAL_ID, Category.IDENTITY_GOVERNMENT_ID}
_CREDENTIAL_CLEAR = {Category.CREDENTIAL_PASSWORD_PLAIN, Category.CREDENTIAL_SECURITY_ANSWER}
_CARD_COMPLETE = {Category.FINANCIAL_CARD_SECURITY_CODE, Category.FINANCIAL_CARD_EXPIRY}
_DIRECT_ID = {
    Category.CONTACT_NAME,
    Category.IDENTITY_NATIONAL_ID,
    Category.IDENTITY_GOVERNMENT_ID,
}
_CONTACT_ID = {
    Category.CONTACT_EMAIL,
    Category.CONTACT_PHONE,
    Category.CONTACT_ADDRESS,
    Category.ACCOUNT_USERNAME,
    Category.FINANCIAL_CARD_NUMBER,
    Category.FINANCIAL_BANK_ACCOUNT,
}


@dataclass(frozen=True)
class RiskOverride:
    """A lawyer's decision replacing the computed level, with the reason on record."""

    level: Level
    justification: str
    actor: str


@dataclass(frozen=True)
class RiskAssessment:
    dpc: float
    ei: float
    cb: float
    score: float
    enisa_level: Level
    level: Level
    explanation: list[str] = field(default_factory=list)
    override: RiskOverride | None = None

    def meets(self, test: RiskTest) -> bool:
        if test == "none":
            return True
        return LEVELS.index(self.level) >= LEVELS.index(TEST_THRESHOLD[test])

    def to_json(self) -> dict[str, object]:
        return {
            "method": "ENISA 2013 SE = DPC x EI + CB, with EDPB factors",
            "dpc": self.dpc,
            "ei": self.ei,
            "cb": self.cb,
            "score": self.score,
            "enisa_level": self.enisa_level,
            "level": self.level,
            "explanation": self.explanation,
            "override": None
            if self.override is None
            else {
                "level": self.override.level,
                "justification": self.override.justification,
                "actor": self.override.actor,
            },
        }


def band(score: float) -> Level:
    if score < 2:
        return "low"
    if score < 3:
        return "medium"
    if score < 4:
        return "high"
    return "very high"


def assess_risk(case: Case, override: RiskOverride | None = None) -> RiskAssessment:
    """The severity of ``case``, each step explained; ``override`` replaces the level."""
    why: list[str] = []
    dpc = _dpc(case, why)
    ei = _ei(case.categories, why)
    cb = _cb(case, why)
    score = round(dpc * ei + cb, 2)
    enisa = band(score)
    why.append(f"ENISA severity SE = {dpc:g} x {ei:g} + {cb:g} = {score:g}: {enisa}")
    level = _edpb(case, enisa, why)
    if case.encrypted and not case.key_compromised:
        why.append(
            "data was encrypted and the key not compromised: unintelligible to the attacker, "
            "which removes the risk (EDPB 9/2022 § 2.6; GDPR Art. 34(3)(a))"
        )
        level = "low"
    if override is not None:
        why.append(f"OVERRIDDEN to {override.level} by {override.actor}: {override.justification}")
        level = override.level
    return RiskAssessment(dpc, ei, cb, score, enisa, level, why, override)


def _dpc(case: Case, why: list[str]) -> float:
    cats = case.categories
    base, reason = float(_SIMPLE), "simple data (contact, identity, location of residence)"
    if cats & _BEHAVIOURAL:
        base, reason = 2.0, "behavioural data (purchase history, precise location)"
    if Category.CREDENTIAL_PASSWORD_HASH in cats:
        base, reason = max(base, 2.0), "hashed passwords (reversible only with effort)"
    if cats & (_IDENTITY | _CREDENTIAL_CLEAR | {Category.FINANCIAL_BANK_ACCOUNT}) or (
        Category.FINANCIAL_CARD_NUMBER in cats
    ):
        base, reason = 3.0, "financial data, identity numbers or usable credentials"
    if Category.FINANCIAL_CARD_NUMBER in cats and cats & _CARD_COMPLETE:
        base, reason = 4.0, "card details complete enough for fraud"
    if Category.HEALTH_ANY in cats:
        base, reason = 4.0, "sensitive data (health)"
    why.append(f"DPC base {base:g}: {reason} (ENISA Annex A1)")
    dpc = base
    if case.reveals_status and dpc < 4:
        dpc += 1
        why.append(
            "DPC +1: being on this controller's list reveals financial status, health or "
            "beliefs (ENISA A2: e.g. a luxury seller's customer list)"
        )
    if case.vulnerable_people and dpc < 4:
        dpc += 1
        why.append("DPC +1: vulnerable people (children, patients…) (ENISA A2; EDPB 9/2022)")
    return min(dpc, 4.0)


def _ei(cats: frozenset[Category], why: list[str]) -> float:
    if cats & _DIRECT_ID:
        why.append("EI 1: people are identified directly (full name or identity number)")
        return 1.0
    if cats & _CONTACT_ID:
        why.append("EI 0.75: identifiable through an email, phone, address or account number")
        return 0.75
    if cats & {Category.LOCATION_POSTAL_CODE, Category.LOCATION_GEO, Category.NETWORK_IP}:
        why.append("EI 0.5: identifiable only by combining location or network data")
        return 0.5
    why.append("EI 0.25: identification would be very hard from this data")
    return 0.25


def _cb(case: Case, why: list[str]) -> float:
    cb = 0.0
    recipients = case.recipients or ("known" if case.cause == "accidental" else "unknown")
    assumed = "" if case.recipients else f" (assumed from cause {case.cause!r})"
    if recipients == "unknown":
        cb += 0.5
        why.append(f"CB +0.5: data exposed to unknown recipients{assumed}")
    else:
        cb += 0.25
        why.append(f"CB +0.25: data exposed to known recipients{assumed}")
    if case.integrity_loss != "none":
        add = 0.25 if case.integrity_loss == "recoverable" else 0.5
        cb += add
        why.append(f"CB +{add:g}: integrity lost ({case.integrity_loss})")
    if case.availability_loss != "none":
        add = 0.25 if case.availability_loss == "temporary" else 0.5
        cb += add
        why.append(f"CB +{add:g}: availability lost ({case.availability_loss})")
    if case.cause == "malicious":
        cb += 0.5
        why.append("CB +0.5: malicious intent (theft, attack)")
    return cb


def useful_for_phishing(cats: frozenset[Category]) -> bool:
    """Name plus a channel to reach the person: enough for a convincing targeted phish."""
    channel = cats & {Category.CONTACT_EMAIL, Category.CONTACT_PHONE, Category.CONTACT_ADDRESS}
    return Category.CONTACT_NAME in cats and bool(channel)


def _edpb(case: Case, enisa: Level, why: list[str]) -> Level:
    # Malicious intent and vulnerable people are already in CB and DPC: listed, not re-counted.
    raising: list[str] = []
    if case.total_residents > LARGE_VOLUME:
        raising.append(f"large volume ({case.total_residents:,} people > {LARGE_VOLUME:,})")
    if useful_for_phishing(case.categories):
        raising.append("names with contact details: useful for targeted phishing")
    for factor in raising:
        why.append(f"EDPB factor: {factor}")
    if case.cause == "malicious":
        why.append("EDPB factor: malicious intent makes misuse of the data likely (in CB)")
    if case.vulnerable_people:
        why.append("EDPB factor: vulnerable people (in DPC)")
    if enisa == "medium" and len(raising) == 2:
        why.append("EDPB: large volume and phishing usefulness together raise medium to high")
        return "high"
    return enisa
