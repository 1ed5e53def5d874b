"""Drafts from an assessment: the GDPR Art. 33(3) report to the lead authority (in phases),
and per-jurisdiction checklists of what the notice to individuals must contain.

Drafts are Markdown for a lawyer to complete and sign; facts Breachdesk cannot know are left
as ``[TO COMPLETE: …]`` markers, never invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from breachdesk.errors import UserInputError
from breachdesk.law.assess import DISCLAIMER, Assessment, Conclusion
from breachdesk.law.deadlines import iso_utc
from breachdesk.law.loader import RuleBook, packaged_rules
from breachdesk.law.risk import useful_for_phishing
from breachdesk.model import Category

TODO = "[TO COMPLETE: {}]"
GDPR_REGIMES = ("gdpr", "uk-gdpr")


@dataclass(frozen=True)
class Controller:
    name: str = TODO.format("controller name")
    country: str = ""
    contact_email: str = TODO.format("DPO or contact point")


def art33_report(
    assessment: Assessment,
    *,
    controller: Controller | None = None,
    phase: int = 1,
    jurisdiction: str | None = None,
) -> str:
    """The Art. 33(3) notification to the lead authority (or ``jurisdiction``'s), in phases."""
    who = controller or Controller()
    target = _authority_conclusion(assessment, jurisdiction)
    case = assessment.case
    members = [
        c
        for c in assessment.conclusions
        if c.regime == target.regime and c.recipient == "authority"
    ]
    # The lead authority's conclusion already counts every member state's residents.
    total = target.residents
    codes = {c.jurisdiction for c in members}
    by_state = ", ".join(f"{k} {n:,}" for k, n in sorted(case.residents.items()) if k in codes)
    labels = ", ".join(sorted(c.info.label for c in case.categories))
    late = assessment.assessed_at > target.deadline if target.deadline else False
    lines = [
        f"# Personal data breach notification — phase {phase}",
        "",
        f"> {DISCLAIMER}",
        "",
        f"- **To:** {target.authority} ({target.jurisdiction})",
        f"- **Legal basis:** {target.citation}",
        f"- **Controller:** {who.name}" + (f" ({who.country})" if who.country else ""),
        f"- **Became aware:** {iso_utc(case.aware_at)}",
        f"- **Deadline:** {iso_utc(target.deadline) or 'none computed'} — {target.deadline_rule}",
        f"- **Type of notification:** {'initial' if phase == 1 else 'follow-up'} "
        "(Art. 33(4): information may be provided in phases without undue further delay)",
        "",
        "## (a) Nature of the breach",
        f"- Cause: {case.cause}; confidentiality breach"
        + (" (data was encrypted)" if case.encrypted else ""),
        f"- Categories of personal data: {labels}",
        f"- Approximate number of data subjects concerned: {total:,} ({by_state})",
        "- Approximate number of records concerned: "
        + (f"{case.records:,}" if case.records is not None else TODO.format("records")),
        f"- Description: {case.description or TODO.format('what happened, when, how found')}",
        "",
        "## (b) Contact point",
        f"- {who.contact_email}",
        "",
        "## (c) Likely consequences",
        *[f"- {line}" for line in _consequences(case.categories)],
        f"- Severity assessed {assessment.risk.level} (ENISA SE {assessment.risk.score:g}):",
        *[f"  - {line}" for line in assessment.risk.explanation],
        "",
        "## (d) Measures taken or proposed",
        f"- {TODO.format('containment: access revoked, credentials rotated, logs preserved')}",
        f"- {TODO.format('mitigation for data subjects: notice, phishing warning, support line')}",
        "",
    ]
    if late:
        lines += ["## Reasons for the delay (Art. 33(1))", f"- {TODO.format('reasons')}", ""]
    if phase == 1:
        lines += [
            "## To follow in a later phase",
            "- confirmed numbers of data subjects and records once scope is complete",
            "- results of the forensic investigation",
            "",
        ]
    return "\n".join(lines)


def notice_checklists(
    assessment: Assessment, *, jurisdiction: str | None = None, rules: RuleBook | None = None
) -> str:
    """What each required notice to individuals must contain, jurisdiction by jurisdiction."""
    book = rules or packaged_rules()
    chosen = [
        c
        for c in assessment.conclusions
        if c.recipient == "individuals"
        and (c.jurisdiction == jurisdiction if jurisdiction else c.required)
    ]
    if not chosen:
        where = f" for {jurisdiction}" if jurisdiction else ""
        raise UserInputError(f"no notice to individuals{where} in this assessment")
    out = ["# What the notice to individuals must contain", "", f"> {DISCLAIMER}", ""]
    for c in chosen:
        entry = book.entry(c.jurisdiction)
        rules_file = entry.rules if entry else None
        out.append(f"## {c.jurisdiction_name} ({c.jurisdiction}) — {c.citation}")
        out.append(f"- Required: {'yes' if c.required else 'no'} — {c.reason}")
        out.append(f"- Deadline: {iso_utc(c.deadline) or '—'} ({c.deadline_rule})")
        if rules_file is not None and rules_file.notice_title:
            out.append(f'- [ ] Title: "{rules_file.notice_title}"')
        if rules_file is not None and rules_file.notice_headings:
            out.append("- [ ] Headings, in this order: " + " / ".join(rules_file.notice_headings))
        for item in c.content:
            out.append(f"- [ ] {item}")
        out.append(f"- Confidence of this rule: {c.confidence}")
        out.append("")
    return "\n".join(out)


def _authority_conclusion(assessment: Assessment, jurisdiction: str | None) -> Conclusion:
    candidates = [
        c for c in assessment.conclusions if c.recipient == "authority" and c.regime in GDPR_REGIMES
    ]
    if jurisdiction:
        candidates = [c for c in candidates if c.jurisdiction == jurisdiction.upper()]
    required = [c for c in candidates if c.required]
    if required:
        # The EU lead authority first, then the UK.
        return sorted(required, key=lambda c: GDPR_REGIMES.index(c.regime))[0]
    if candidates:
        raise UserInputError(
            f"no Art. 33 notification is required here: {candidates[0].reason} "
            "(override the conclusion if counsel decides otherwise)"
        )
    raise UserInputError("no EU/EEA or UK residents in this case: no Art. 33 report to draft")


def _consequences(cats: frozenset[Category]) -> list[str]:
    out: list[str] = []
    if useful_for_phishing(cats):
        out.append(
            "targeted phishing and fraud using the customer relationship (names and contact "
            "details let an attacker pose convincingly as the controller)"
        )
    if cats & {Category.CREDENTIAL_PASSWORD_PLAIN, Category.CREDENTIAL_PASSWORD_HASH}:
        out.append("account takeover, also on other sites where the password was reused")
    if cats & {Category.FINANCIAL_CARD_NUMBER, Category.FINANCIAL_BANK_ACCOUNT}:
        out.append("financial fraud with the card or account details")
    if cats & {Category.IDENTITY_NATIONAL_ID, Category.IDENTITY_GOVERNMENT_ID}:
        out.append("identity theft")
    if Category.HEALTH_ANY in cats:
        out.append("discrimination, distress or damage to reputation from health information")
    if cats & {Category.LOCATION_CITY, Category.CONTACT_ADDRESS, Category.LOCATION_GEO}:
        out.append("unwanted contact at home or in the city of residence")
    return out or ["limited: " + TODO.format("assess the consequences")]
