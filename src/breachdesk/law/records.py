"""Law in the workspace store: obligations on the incident, assessments, lawyers' overrides.

Each assessment replaces the incident's obligations (keeping the status of duties already
worked on), keeps the case and risk it was made from, and is written to the audit log; each
override is stored with its justification and audited, and applies to later assessments.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.errors import UserInputError
from breachdesk.law.assess import Assessment, ConclusionOverride
from breachdesk.law.case import Case, case_from_dict, now_utc
from breachdesk.law.risk import LEVELS, Level, RiskOverride
from breachdesk.store import Store, record_audit
from breachdesk.store.law_tables import LawAssessment, LawOverride
from breachdesk.store.tables import AffectedPerson, Incident, Obligation


def incident_or_error(session: Session, incident_id: str) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise UserInputError(
            f"no incident {incident_id!r} in this workspace; "
            "list incidents or use 'breachdesk law assess --case FILE.json'"
        )
    return incident


def overrides_for(
    session: Session, incident_id: str
) -> tuple[RiskOverride | None, list[ConclusionOverride]]:
    """The incident's overrides in the order they were made (the latest wins)."""
    rows = session.scalars(
        select(LawOverride).where(LawOverride.incident_id == incident_id).order_by(LawOverride.id)
    )
    risk: RiskOverride | None = None
    conclusions: list[ConclusionOverride] = []
    for row in rows:
        if row.target == "risk" and row.level in LEVELS:
            level: Level = row.level
            risk = RiskOverride(level, row.justification, row.actor)
        elif row.required is not None:
            conclusions.append(
                ConclusionOverride(row.target, row.required, row.justification, row.actor)
            )
    return risk, conclusions


def record_override(
    store: Store,
    incident_id: str,
    *,
    target: str,
    justification: str,
    actor: str,
    required: bool | None = None,
    level: str | None = None,
) -> None:
    """Store one override and audit it; UserInputError when it is incomplete or unknown."""
    if not justification.strip():
        raise UserInputError("an override needs a justification (--justification TEXT)")
    if target == "risk":
        if level not in LEVELS:
            raise UserInputError(f"risk level must be one of {', '.join(LEVELS)}")
    elif required is None:
        raise UserInputError("say --required or --not-required for a conclusion override")
    with store.session() as session:
        incident_or_error(session, incident_id)
        if target != "risk":
            known = {_key(o) for o in session.scalars(_obligations(incident_id))}
            if known and target not in known:
                raise UserInputError(
                    f"no conclusion {target!r} on incident {incident_id}; "
                    f"known: {', '.join(sorted(known))}"
                )
        session.add(
            LawOverride(
                incident_id=incident_id,
                target=target,
                required=required if target != "risk" else None,
                level=level if target == "risk" else None,
                justification=justification.strip(),
                actor=actor,
                at=now_utc(),
            )
        )
        record_audit(
            session,
            actor=actor,
            action="law.override",
            target=f"incident:{incident_id}:{target}",
            detail={"required": required, "level": level, "justification": justification.strip()},
        )


def save_assessment(store: Store, incident_id: str, assessment: Assessment, actor: str) -> None:
    """Replace the incident's obligations with ``assessment``'s, keeping work-in-progress status."""
    with store.session() as session:
        incident_or_error(session, incident_id)
        previous = {_key(o): o.status for o in session.scalars(_obligations(incident_id))}
        for row in session.scalars(_obligations(incident_id)):
            session.delete(row)
        session.flush()
        for c in assessment.conclusions:
            session.add(
                Obligation(
                    incident_id=incident_id,
                    jurisdiction=c.jurisdiction,
                    recipient=c.recipient,
                    required=c.required,
                    reason=c.reason,
                    deadline_at=c.deadline,
                    deadline_text=c.deadline_rule[:300],
                    citation=c.citation[:300],
                    content=c.content,
                    status=previous.get(c.key, "open"),
                    regime=c.regime,
                    name=c.name,
                    authority=c.authority,
                    deadline_rule=c.deadline_rule,
                    residents=c.residents,
                    confidence=c.confidence,
                    needs_review=c.needs_review,
                    overridden=c.overridden,
                    assessed_at=assessment.assessed_at,
                )
            )
        session.add(
            LawAssessment(
                incident_id=incident_id,
                assessed_at=assessment.assessed_at,
                actor=actor,
                case=assessment.case.to_json(),
                risk=assessment.risk.to_json(),
            )
        )
        required = [c.key for c in assessment.conclusions if c.required]
        record_audit(
            session,
            actor=actor,
            action="law.assess",
            target=f"incident:{incident_id}",
            detail={
                "obligations": len(assessment.conclusions),
                "required": required,
                "risk": assessment.risk.level,
            },
        )


def stored_case(store: Store, incident_id: str) -> Case | None:
    """The case of the incident's latest assessment, if any."""
    with store.session() as session:
        incident_or_error(session, incident_id)
        row = session.scalars(
            select(LawAssessment)
            .where(LawAssessment.incident_id == incident_id)
            .order_by(LawAssessment.id.desc())
            .limit(1)
        ).first()
        return None if row is None else case_from_dict(dict(row.case), source="stored case")


def case_from_scope(
    store: Store,
    incident_id: str,
    *,
    cause: str,
    controller_establishment: str,
    encrypted: bool = False,
    key_compromised: bool = False,
) -> Case:
    """A case built from the incident's affected persons (scope) and its ``aware_at``."""
    with store.session() as session:
        incident = incident_or_error(session, incident_id)
        if incident.aware_at is None:
            raise UserInputError(
                f"incident {incident_id} has no aware_at: record when the team became aware "
                "(it starts every regulatory clock)"
            )
        residents: Counter[str] = Counter()
        categories: set[str] = set()
        unknown = 0
        for person in session.scalars(
            select(AffectedPerson).where(AffectedPerson.incident_id == incident_id)
        ):
            code = _resident_code(person.country, person.region)
            if code is None:
                unknown += 1
            else:
                residents[code] += 1
            categories.update(person.categories or [])
        if not residents:
            raise UserInputError(
                f"incident {incident_id} has no affected persons yet (run scope first) "
                "or give the facts with --case FILE.json"
            )
        return case_from_dict(
            {
                "aware_at": incident.aware_at.isoformat(),
                "categories": sorted(categories),
                "encrypted": encrypted,
                "key_compromised": key_compromised,
                "cause": cause,
                "residents": dict(residents),
                "controller_establishment": controller_establishment,
                "description": (
                    f"{unknown:,} affected persons have no country and were not assessed"
                    if unknown
                    else ""
                ),
            },
            source=f"incident {incident_id}",
        )


def _resident_code(country: str | None, region: str | None) -> str | None:
    """``US-CA`` for a US, Canadian or Australian region; the country otherwise."""
    country = (country or "").strip().upper()
    region = (region or "").strip().upper()
    if not country:
        return None
    if country in {"US", "CA", "AU"} and region:
        return f"{country}-{region.split('-')[-1]}"
    return country


def _obligations(incident_id: str) -> Any:
    return select(Obligation).where(Obligation.incident_id == incident_id)


def _key(row: Obligation) -> str:
    suffix = f":{row.name}" if row.name else ""
    return f"{row.jurisdiction}:{row.recipient}{suffix}"
