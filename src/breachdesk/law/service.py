"""The law service as the CLI, the web app and the demo call it: assess, override, list rules."""

from __future__ import annotations

from dataclasses import dataclass

from breachdesk.errors import UserInputError
from breachdesk.law.assess import Assessment, assess
from breachdesk.law.case import Case
from breachdesk.law.drafts import Controller
from breachdesk.law.loader import RuleBook, packaged_rules
from breachdesk.law.records import (
    case_from_scope,
    overrides_for,
    record_override,
    save_assessment,
    stored_case,
)
from breachdesk.workspace import Workspace


def assess_case(case: Case, rules: RuleBook | None = None) -> Assessment:
    """Assess a case that is not (yet) an incident: nothing is stored."""
    return assess(case, rules)


def assess_incident(
    workspace: Workspace,
    incident_id: str,
    *,
    case: Case | None = None,
    cause: str | None = None,
    encrypted: bool = False,
    key_compromised: bool = False,
    actor: str = "cli",
    rules: RuleBook | None = None,
) -> Assessment:
    """Assess an incident and store the obligations on it (audited).

    The case is, in order: the one given; the one of the incident's last assessment; one built
    from the incident's affected persons (scope) and ``aware_at``, which needs ``cause``.
    """
    store = workspace.store
    if case is None:
        case = stored_case(store, incident_id)
    if case is None:
        if cause is None:
            raise UserInputError(
                "the cause of the breach is not known from scope: give --cause "
                "malicious|accidental|internal, or the whole case with --case FILE.json"
            )
        case = case_from_scope(
            store,
            incident_id,
            cause=cause,
            controller_establishment=workspace.settings.controller.country,
            encrypted=encrypted,
            key_compromised=key_compromised,
        )
    with store.session() as session:
        risk_override, overrides = overrides_for(session, incident_id)
    assessment = assess(case, rules, risk_override=risk_override, overrides=overrides)
    save_assessment(store, incident_id, assessment, actor)
    return assessment


def current_assessment(
    workspace: Workspace, incident_id: str, rules: RuleBook | None = None
) -> Assessment:
    """The incident's assessment as it stands (stored case and overrides), without storing."""
    store = workspace.store
    case = stored_case(store, incident_id)
    if case is None:
        raise UserInputError(
            f"incident {incident_id} has not been assessed yet: run "
            f"'breachdesk law assess {incident_id}' first"
        )
    with store.session() as session:
        risk_override, overrides = overrides_for(session, incident_id)
    return assess(case, rules, risk_override=risk_override, overrides=overrides)


def override_conclusion(
    workspace: Workspace,
    incident_id: str,
    target: str,
    *,
    justification: str,
    actor: str,
    required: bool | None = None,
    level: str | None = None,
) -> Assessment:
    """Record a lawyer's override (audited), then re-assess the incident with it applied."""
    record_override(
        workspace.store,
        incident_id,
        target=normalise_target(target),
        justification=justification,
        actor=actor,
        required=required,
        level=level,
    )
    return assess_incident(workspace, incident_id, actor=actor)


def normalise_target(target: str) -> str:
    """``risk``, or a conclusion key ``FR:authority`` / ``JP:authority:final-report``."""
    text = target.strip()
    if text.lower() == "risk":
        return "risk"
    parts = text.split(":")
    if len(parts) < 2 or len(parts) > 3:
        raise UserInputError(
            f"override target {target!r}: use 'risk' or JURISDICTION:RECIPIENT[:NAME], "
            "e.g. FR:individuals (see 'breachdesk law assess INCIDENT --json' for the keys)"
        )
    return ":".join([parts[0].upper(), *(p.lower() for p in parts[1:])])


def controller_of(workspace: Workspace | None) -> Controller:
    if workspace is None:
        return Controller()
    settings = workspace.settings.controller
    return Controller(settings.name, settings.country, settings.contact_email)


@dataclass(frozen=True)
class Coverage:
    """One jurisdiction the rules cover: what law, which authority, how sure."""

    code: str
    name: str
    regime: str
    law: str
    authority: str
    recipients: list[str]
    confidence: str
    authority_confidence: str
    file: str
    effective_from: str

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def coverage(rules: RuleBook | None = None) -> list[Coverage]:
    book = rules or packaged_rules()
    rows: list[Coverage] = []
    for entry in book:
        rules_file = entry.rules
        recipients = sorted({str(o.recipient) for o in rules_file.obligations})
        rows.append(
            Coverage(
                code=entry.jurisdiction.code,
                name=entry.jurisdiction.name,
                regime=rules_file.regime,
                law=rules_file.law,
                authority=entry.jurisdiction.authority.name,
                recipients=list(recipients),
                confidence=rules_file.confidence,
                authority_confidence=entry.jurisdiction.confidence or rules_file.confidence,
                file=entry.path,
                effective_from=rules_file.effective_from.isoformat(),
            )
        )
    return rows
