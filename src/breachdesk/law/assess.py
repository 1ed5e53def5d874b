"""Rules × case → obligations: for every jurisdiction with affected residents, who must be told,
by when and why — required and not-required conclusions alike, each with its citation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from breachdesk.law.case import Case, now_utc
from breachdesk.law.codes import SPLIT_BY_SUBDIVISION, country_of
from breachdesk.law.deadlines import compute_deadline, iso_utc
from breachdesk.law.loader import Entry, RuleBook, packaged_rules
from breachdesk.law.risk import TEST_WORDS, RiskAssessment, RiskOverride, assess_risk
from breachdesk.law.schema import (
    Confidence,
    Jurisdiction,
    ObligationRule,
    Recipient,
    RuleFile,
    Trigger,
)

_RECIPIENT_ORDER = {"authority": 0, "individuals": 1, "credit_agencies": 2, "public": 3}
CREDIT_AGENCIES = "nationwide consumer reporting agencies (Equifax, Experian, TransUnion)"


@dataclass(frozen=True)
class Conclusion:
    """One answer: must ``recipient`` in ``jurisdiction`` be told, by when, and why."""

    jurisdiction: str
    jurisdiction_name: str
    regime: str
    recipient: Recipient
    name: str
    authority: str | None
    required: bool
    deadline: datetime | None
    deadline_rule: str
    citation: str
    reason: str
    residents: int
    confidence: Confidence
    content: list[str] = field(default_factory=list)
    needs_review: bool = False
    overridden: bool = False
    # Where the deadline would fall if required (kept for overrides), and the rule applied.
    potential_deadline: datetime | None = field(default=None, repr=False, compare=False)
    rule: ObligationRule | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> str:
        """``FR:authority``, or ``JP:authority:final-report`` for a named duty."""
        suffix = f":{self.name}" if self.name else ""
        return f"{self.jurisdiction}:{self.recipient}{suffix}"

    def to_json(self) -> dict[str, Any]:
        return {
            "jurisdiction": self.jurisdiction,
            "jurisdiction_name": self.jurisdiction_name,
            "regime": self.regime,
            "recipient": self.recipient,
            "name": self.name,
            "key": self.key,
            "authority": self.authority,
            "required": self.required,
            "deadline": iso_utc(self.deadline),
            "deadline_rule": self.deadline_rule,
            "citation": self.citation,
            "reason": self.reason,
            "residents": self.residents,
            "confidence": self.confidence,
            "content": self.content,
            "needs_review": self.needs_review,
            "overridden": self.overridden,
        }


@dataclass(frozen=True)
class ConclusionOverride:
    """A lawyer's decision on one conclusion (``FR:individuals``), with the reason on record."""

    key: str
    required: bool
    justification: str
    actor: str


@dataclass(frozen=True)
class Assessment:
    case: Case
    risk: RiskAssessment
    conclusions: list[Conclusion]
    assessed_at: datetime

    @property
    def required(self) -> list[Conclusion]:
        return [c for c in self.conclusions if c.required]

    def to_json(self) -> dict[str, Any]:
        return {
            "assessed_at": iso_utc(self.assessed_at),
            "case": self.case.to_json(),
            "risk": self.risk.to_json(),
            "obligations": [c.to_json() for c in self.conclusions],
            "disclaimer": DISCLAIMER,
        }


DISCLAIMER = (
    "Decision support for counsel, not legal advice: every conclusion cites its source and "
    "must be checked by a lawyer qualified in the jurisdiction before it is relied on."
)


def assess(
    case: Case,
    rules: RuleBook | None = None,
    *,
    risk_override: RiskOverride | None = None,
    overrides: list[ConclusionOverride] | None = None,
    at: datetime | None = None,
) -> Assessment:
    """Apply every rule file to ``case``; conclusions sorted by jurisdiction and recipient."""
    book = rules or packaged_rules()
    risk = assess_risk(case, risk_override)
    conclusions: list[Conclusion] = []
    groups: dict[str, tuple[Entry, int]] = {}
    for code, count in sorted(case.residents.items()):
        if count <= 0:
            continue
        entry = book.entry(code) or book.entry(country_of(code))
        if entry is None:
            conclusions.append(_uncovered(code, count))
            continue
        key = entry.jurisdiction.code
        groups[key] = (entry, groups.get(key, (entry, 0))[1] + count)
    by_regime: dict[str, list[tuple[Entry, int]]] = {}
    for entry, count in groups.values():
        by_regime.setdefault(entry.rules.regime, []).append((entry, count))
    for members in by_regime.values():
        conclusions += _regime(members, case, risk, book)
    conclusions = _apply_overrides(conclusions, overrides or [])
    conclusions.sort(key=lambda c: (c.jurisdiction, _RECIPIENT_ORDER[c.recipient], c.regime))
    return Assessment(case, risk, conclusions, at or now_utc())


def _regime(
    members: list[tuple[Entry, int]], case: Case, risk: RiskAssessment, book: RuleBook
) -> list[Conclusion]:
    rules = members[0][0].rules
    day = case.aware_at.date()
    out: list[Conclusion] = []
    for rule in rules.obligations:
        if not rule.in_force(day):
            continue
        if rules.one_stop_shop and rule.recipient == "authority":
            out += _one_stop_shop(rules, rule, members, case, risk, book)
            continue
        for entry, count in members:
            out.append(_conclude(entry, rule, case, risk, count))
    zones = {e.jurisdiction.code: e.jurisdiction for e, _ in members}
    return _chain_deadlines(out, zones)


def _one_stop_shop(
    rules: RuleFile,
    rule: ObligationRule,
    members: list[tuple[Entry, int]],
    case: Case,
    risk: RiskAssessment,
    book: RuleBook,
) -> list[Conclusion]:
    lead = book.entry(case.controller_establishment)
    if lead is None or lead.rules.regime != rules.regime:
        prefix = (
            f"controller established in {case.controller_establishment}, outside this regime: "
            "no one-stop shop, so each authority concerned is notified (EDPB Guidelines 9/2022 "
            "para. 73). "
        )
        return [
            _conclude(entry, rule, case, risk, count, prefix=prefix) for entry, count in members
        ]
    total = sum(count for _, count in members)
    concerned = ", ".join(f"{e.jurisdiction.code} {n:,}" for e, n in members)
    prefix = (
        f"one-stop shop: the lead authority of the main establishment in "
        f"{lead.jurisdiction.code} receives the notification for all residents concerned "
        f"({concerned}) (GDPR Art. 56(1), 60). "
    )
    lead_conclusion = _conclude(lead, rule, case, risk, total, prefix=prefix)
    out = [lead_conclusion]
    lead_name = lead.jurisdiction.authority.name
    for entry, count in members:
        if entry.jurisdiction.code == lead.jurisdiction.code:
            continue
        base = _conclude(entry, rule, case, risk, count)
        reason = (
            f"not notified directly: reported through the lead authority {lead_name} "
            "(one-stop shop, GDPR Art. 56(1), 60), which informs this authority as concerned."
            if lead_conclusion.required
            else base.reason
        )
        out.append(replace(base, required=False, deadline=None, reason=reason))
    return out


def _conclude(
    entry: Entry,
    rule: ObligationRule,
    case: Case,
    risk: RiskAssessment,
    count: int,
    *,
    prefix: str = "",
) -> Conclusion:
    rules = entry.rules
    jurisdiction = entry.jurisdiction
    required, reason, review = _evaluate(rules, rule, case, risk, count)
    deadline = None
    deadline_rule = rule.deadline.describe()
    if rule.deadline.start != "individuals-notice":
        start = case.aware_at
        if rule.deadline.start == "determination":
            if case.determined_at is not None:
                start = case.determined_at
            else:
                deadline_rule += " [determination assumed at awareness: set determined_at]"
        deadline = compute_deadline(
            start,
            rule.deadline,
            timezone=jurisdiction.timezone,
            holidays=jurisdiction.holidays,
        )
    authority: str | None
    if rule.recipient == "credit_agencies":
        authority = rule.authority.name if rule.authority else CREDIT_AGENCIES
    elif rule.recipient == "authority":
        authority = (rule.authority or jurisdiction.authority).name
    else:
        authority = None
    confidence = rule.confidence or rules.confidence
    content = list(rule.content) or (
        list(rules.content_checklist) if rule.recipient == "individuals" else []
    )
    return Conclusion(
        jurisdiction=jurisdiction.code,
        jurisdiction_name=jurisdiction.name,
        regime=rules.regime,
        recipient=rule.recipient,
        name=rule.name,
        authority=authority,
        required=required,
        deadline=deadline if required else None,
        deadline_rule=deadline_rule,
        citation=rule.citation,
        reason=prefix + reason,
        residents=count,
        confidence=confidence,
        content=content,
        needs_review=review,
        potential_deadline=deadline,
        rule=rule,
    )


def _evaluate(
    rules: RuleFile, rule: ObligationRule, case: Case, risk: RiskAssessment, count: int
) -> tuple[bool, str, bool]:
    """(required, why, needs review) for one rule; the first failing condition is the why."""
    cats = case.categories
    labels = ", ".join(sorted(c.info.label for c in cats)) or "no categories"
    pi = rules.personal_information
    facts: list[str] = []
    review = False
    if rule.data == "covered" and not pi.any_personal_data:
        matched = pi.matches(cats)
        if not matched:
            examples = "; ".join(c.describe() for c in pi.combinations[:4])
            more = len(pi.combinations) - 4
            tail = f"; and {more} more" if more > 0 else ""
            return (
                False,
                f"{labels} is not 'personal information' under {pi.citation or rules.law}: it "
                f"counts only in combinations such as {examples}{tail}.",
                False,
            )
        facts.append(f"covered data: {matched[0].describe()} ({pi.citation or rules.law})")
    else:
        facts.append(f"personal data concerned: {labels}")
    if "encryption" in rule.exemptions and case.encrypted:
        if not case.key_compromised:
            return (
                False,
                "the data was encrypted and the key was not compromised: the encryption "
                f"exemption applies ({rule.citation}).",
                False,
            )
        facts.append("encrypted, but the key was compromised: no encryption exemption")
    if case.cause in rule.unless_cause:
        return (
            False,
            f"not this duty when the cause is {case.cause}: another rule of this regime applies "
            f"instead ({rule.notes or rule.citation}).",
            False,
        )
    if not risk.meets(rule.risk_test):
        return (
            False,
            f"risk assessed {risk.level} (ENISA SE {risk.score:g}): below the test "
            f"'{TEST_WORDS[rule.risk_test]}'; keep the assessment on record.",
            False,
        )
    if rule.risk_test != "none":
        facts.append(f"risk {risk.level} meets '{TEST_WORDS[rule.risk_test]}'")
    if rule.triggers:
        met = [t for t in rule.triggers if _trigger_met(t, case, count, risk)]
        if not met:
            listed = "; ".join(t.label for t in rule.triggers)
            return (
                False,
                f"none of the situations that require it applies ({listed}).",
                any(t.large_scale for t in rule.triggers),
            )
        facts.append("because " + "; ".join(t.label for t in met))
        if any(t.risk_test is not None or t.large_scale for t in met):
            review = True
    if rule.threshold is not None:
        if not rule.threshold.met_by(count):
            return (
                False,
                f"{count:,} residents affected: required only for {rule.threshold.describe()}.",
                False,
            )
        facts.append(f"{count:,} residents: {rule.threshold.describe()}")
    if rule.harm_exemption:
        facts.append(f"unless counsel documents that {rule.harm_exemption}")
        review = True
    return True, "; ".join(facts) + ".", review


def _trigger_met(trigger: Trigger, case: Case, count: int, risk: RiskAssessment) -> bool:
    if trigger.risk_test is not None:
        return risk.meets(trigger.risk_test)
    if trigger.data_any:
        return bool(case.categories & set(trigger.data_any))
    if trigger.combinations:
        return any(c.matched_by(case.categories) for c in trigger.combinations)
    if trigger.cause:
        return case.cause in trigger.cause
    if trigger.residents is not None:
        return trigger.residents.met_by(count)
    if trigger.large_scale:
        return case.large_scale
    if trigger.vulnerable_people:
        return case.vulnerable_people
    return False


def _chain_deadlines(out: list[Conclusion], places: dict[str, Jurisdiction]) -> list[Conclusion]:
    """Deadlines counted from the notice to individuals (e.g. California's sample to the AG)."""
    chained: list[Conclusion] = []
    for conclusion in out:
        rule = conclusion.rule
        if rule is not None and rule.deadline.start == "individuals-notice":
            individuals = next(
                (
                    c
                    for c in out
                    if c.jurisdiction == conclusion.jurisdiction
                    and c.recipient == "individuals"
                    and c.regime == conclusion.regime
                ),
                None,
            )
            base = individuals.potential_deadline if individuals is not None else None
            if base is not None:
                place = places.get(conclusion.jurisdiction)
                latest = compute_deadline(
                    base,
                    rule.deadline,
                    timezone=place.timezone if place else "UTC",
                    holidays=place.holidays if place else (),
                )
                conclusion = replace(
                    conclusion,
                    deadline=latest if conclusion.required else None,
                    potential_deadline=latest,
                    deadline_rule=conclusion.deadline_rule
                    + " (date shown: the latest, if individuals are notified on their deadline)",
                )
        chained.append(conclusion)
    return chained


def _uncovered(code: str, count: int) -> Conclusion:
    if code in SPLIT_BY_SUBDIVISION:
        reason = (
            f"{count:,} residents of {code} without a state: breach laws there are per state "
            f"and cannot be applied; give residents by subdivision ({code}-XX)."
        )
    else:
        reason = (
            f"no rule file covers {code}: Breachdesk cannot conclude; counsel must check the "
            "local law."
        )
    return Conclusion(
        jurisdiction=code,
        jurisdiction_name=code,
        regime="not-covered",
        recipient="authority",
        name="",
        authority=None,
        required=False,
        deadline=None,
        deadline_rule="unknown",
        citation="",
        reason=reason,
        residents=count,
        confidence="secondary-source",
        needs_review=True,
    )


def _apply_overrides(
    conclusions: list[Conclusion], overrides: list[ConclusionOverride]
) -> list[Conclusion]:
    latest = {o.key: o for o in overrides}
    out: list[Conclusion] = []
    for conclusion in conclusions:
        override = latest.get(conclusion.key)
        if override is None:
            out.append(conclusion)
            continue
        computed = "required" if conclusion.required else "not required"
        verdict = "required" if override.required else "not required"
        out.append(
            replace(
                conclusion,
                required=override.required,
                deadline=conclusion.potential_deadline if override.required else None,
                reason=(
                    f"OVERRIDDEN to {verdict} by {override.actor}: {override.justification} "
                    f"(computed: {computed} — {conclusion.reason})"
                ),
                overridden=True,
            )
        )
    return out
