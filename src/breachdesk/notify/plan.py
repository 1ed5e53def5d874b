"""Planning a campaign: one notice per affected person, covering all their obligations at once.

A person in several jurisdictions (a Californian with a French account, or a state and its
country) gets one notice that satisfies every obligation requiring that they be told. Ids
and codes are deterministic, so planning again after scope grew adds only the new people.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from breachdesk.errors import UserInputError
from breachdesk.notify.catalog import language_of
from breachdesk.notify.codes import code_index, notice_id, verification_code
from breachdesk.notify.sanitize import BadAddress, clean_address
from breachdesk.store import FieldCipher, record_audit
from breachdesk.store.notify_tables import Campaign
from breachdesk.store.tables import AffectedPerson as PersonRow
from breachdesk.store.tables import Incident, Notice, Obligation
from breachdesk.workspace import Workspace

PERSON_KEY = "affected_persons.person_key"
PERSON_EMAIL = "affected_persons.email"
PERSON_NAME = "affected_persons.name"
CAMPAIGN_SECRET = "notify_campaigns.secret"  # noqa: S105 (a column name, not a secret)
_SUBDIVIDED = {"US", "CA", "AU"}
_CHUNK = 1000


@dataclass(frozen=True)
class CampaignPlan:
    """What ``plan`` did and what the campaign now holds."""

    campaign: str
    incident_id: str
    voluntary: bool
    obligations: list[str]
    planned: int
    added: int
    not_required: int
    by_language: dict[str, int] = field(default_factory=dict)
    by_jurisdiction: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    other_channel_reasons: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def default_campaign(incident_id: str) -> str:
    return f"{incident_id}-C1"


def official_domain(workspace: Workspace) -> str:
    """The domain people are told to type: ``notify.official_domain`` or the brand's first."""
    settings = workspace.settings
    domain = settings.notify.official_domain or next(iter(settings.brand.domains), "")
    if not domain:
        raise UserInputError(
            "no official domain for the notices: set notify.official_domain (or brand.domains) "
            "in breachdesk.toml"
        )
    return domain.strip().lower()


def plan_campaign(
    workspace: Workspace,
    incident_id: str,
    *,
    campaign: str | None = None,
    voluntary: bool = False,
    actor: str = "cli",
) -> CampaignPlan:
    """Plan (or extend) the incident's campaign; audited as ``notify.plan``."""
    name = campaign or default_campaign(incident_id)
    _check_campaign_name(name)
    store = workspace.store
    cipher = store.cipher
    default_language = workspace.settings.notify.default_language
    with store.session() as session:
        if session.get(Incident, incident_id) is None:
            raise UserInputError(f"no incident {incident_id!r} in this workspace")
        duties = required_individual_duties(session, incident_id)
        if not duties and not voluntary:
            raise UserInputError(
                f"no obligation requires telling individuals for {incident_id}: run "
                f"'breachdesk law assess {incident_id}' first, or plan with --voluntary to "
                "notify every affected person anyway"
            )
        row = session.get(Campaign, name)
        if row is None:
            row = Campaign(
                id=name,
                incident_id=incident_id,
                secret_enc=cipher.encrypt(secrets.token_urlsafe(32), CAMPAIGN_SECRET),
                official_domain=official_domain(workspace),
                voluntary=voluntary,
                obligations=sorted(f"{code}:individuals" for code in duties),
                created_by=actor,
            )
            session.add(row)
            session.flush()
        elif row.incident_id != incident_id:
            raise UserInputError(f"campaign {name!r} belongs to incident {row.incident_id}")
        else:
            # Re-planning after a new assessment: the campaign covers the duties as they stand.
            row.obligations = sorted(set(row.obligations) | {f"{c}:individuals" for c in duties})
            row.voluntary = row.voluntary or voluntary
        secret = cipher.decrypt(row.secret_enc, CAMPAIGN_SECRET)
        voluntary = row.voluntary
        added, not_required = _add_notices(
            session, cipher, incident_id, name, secret, set(duties), voluntary, default_language
        )
        record_audit(
            session,
            actor=actor,
            action="notify.plan",
            target=f"campaign:{name}",
            detail={"incident": incident_id, "added": added, "not_required": not_required},
        )
        return _summary(session, row, added, not_required)


def required_individual_duties(session: Session, incident_id: str) -> list[str]:
    """Jurisdiction codes whose rules require telling the individuals (as assessed)."""
    rows = session.scalars(
        select(Obligation.jurisdiction).where(
            Obligation.incident_id == incident_id,
            Obligation.recipient == "individuals",
            Obligation.required.is_(True),
        )
    )
    return sorted(set(rows))


def person_jurisdictions(country: str | None, region: str | None) -> list[str]:
    """Codes a person may fall under: ``US-CA`` then ``US``; a country alone otherwise."""
    code = (country or "").strip().upper()
    if not code:
        return []
    out: list[str] = []
    text = (region or "").strip()
    if code in _SUBDIVIDED and text:
        sub = _region_code(code, text)
        if sub:
            out.append(f"{code}-{sub}")
    out.append(code)
    return out


def _region_code(country: str, region: str) -> str | None:
    short = region.split("-")[-1].strip().upper()
    if 1 < len(short) <= 3 and short.isalpha():
        return short
    if country == "US":
        return _us_state_codes().get(region.strip().casefold())
    return None


@cache
def _us_state_codes() -> dict[str, str]:
    from breachdesk.law import packaged_rules

    return {
        entry.jurisdiction.name.casefold(): entry.jurisdiction.code.split("-", 1)[1]
        for entry in packaged_rules()
        if entry.jurisdiction.code.startswith("US-")
    }


def _add_notices(
    session: Session,
    cipher: FieldCipher,
    incident_id: str,
    campaign: str,
    secret: str,
    duties: set[str],
    voluntary: bool,
    default_language: str,
) -> tuple[int, int]:
    existing = set(session.scalars(select(Notice.person_id).where(Notice.campaign == campaign)))
    added = not_required = 0
    pending: list[dict[str, Any]] = []
    query = (
        select(
            PersonRow.id,
            PersonRow.person_key_enc,
            PersonRow.email_enc,
            PersonRow.language,
            PersonRow.country,
            PersonRow.region,
        )
        .where(PersonRow.incident_id == incident_id)
        .order_by(PersonRow.id)
    )
    for person_id, key_enc, email_enc, language, country, region in session.execute(query):
        if person_id in existing:
            continue
        codes = [c for c in person_jurisdictions(country, region) if c in duties]
        if not codes and not voluntary:
            not_required += 1
            continue
        key = cipher.decrypt(key_enc, PERSON_KEY)
        nid = notice_id(cipher, incident_id, campaign, key)
        code = verification_code(cipher, secret, nid)
        channel, state, reason = "email", "pending", None
        try:
            clean_address(cipher.decrypt_optional(email_enc, PERSON_EMAIL))
        except BadAddress as exc:
            channel, state, reason = "post", "other-channel", exc.message
        pending.append(
            {
                "id": nid,
                "incident_id": incident_id,
                "campaign": campaign,
                "person_id": person_id,
                "channel": channel,
                "language": language_of(language, default_language),
                "verification_index": code_index(cipher, code),
                "state": state,
                "attempts": 0,
                "last_error": reason,
                "jurisdictions": codes,
            }
        )
        if len(pending) >= _CHUNK:
            added += _insert(session, pending)
    added += _insert(session, pending)
    return added, not_required


def _insert(session: Session, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    session.execute(insert(Notice), rows)
    count = len(rows)
    rows.clear()
    return count


def _summary(session: Session, row: Campaign, added: int, not_required: int) -> CampaignPlan:
    languages: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    jurisdictions: Counter[str] = Counter()
    query = select(
        Notice.language, Notice.channel, Notice.jurisdictions, Notice.state, Notice.last_error
    ).where(Notice.campaign == row.id)
    total = 0
    for language, channel, codes, state, error in session.execute(query):
        total += 1
        languages[language] += 1
        channels[channel] += 1
        jurisdictions.update(_list(codes) or ["(voluntary)"])
        if state == "other-channel":
            reasons[error or "no email"] += 1
    return CampaignPlan(
        campaign=row.id,
        incident_id=row.incident_id,
        voluntary=row.voluntary,
        obligations=list(row.obligations),
        planned=total,
        added=added,
        not_required=not_required,
        by_language=dict(sorted(languages.items())),
        by_jurisdiction=dict(sorted(jurisdictions.items())),
        by_channel=dict(sorted(channels.items())),
        other_channel_reasons=dict(sorted(reasons.items())),
    )


def _list(value: Iterable[str] | None) -> list[str]:
    return list(value or [])


def _check_campaign_name(name: str) -> None:
    if not name or len(name) > 64 or not all(c.isalnum() or c in "-_." for c in name):
        raise UserInputError(
            f"campaign name {name[:70]!r}: use 1-64 letters, digits, '-', '_' or '.'"
        )


def campaign_count(session: Session, campaign: str) -> int:
    return int(session.scalar(select(func.count()).where(Notice.campaign == campaign)) or 0)
