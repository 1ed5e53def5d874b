"""Where a campaign stands, who needs another channel, and a preview of one notice."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from breachdesk.errors import UserInputError
from breachdesk.model.categories import Category
from breachdesk.notify.compose import letterhead_for, sender_for
from breachdesk.notify.content import Recipient, notice_content
from breachdesk.notify.outbox import BOUNCED, FAILED, OTHER_CHANNEL, PENDING, STATES
from breachdesk.notify.plan import PERSON_EMAIL, PERSON_KEY, PERSON_NAME
from breachdesk.notify.render import build_message, render_html, render_text
from breachdesk.notify.sanitize import BadAddress, clean_address, clean_name
from breachdesk.store import record_audit
from breachdesk.store.notify_tables import Campaign
from breachdesk.store.tables import AffectedPerson as PersonRow
from breachdesk.store.tables import Notice
from breachdesk.workspace import Workspace

MASKED_CODE = "XXXX-XXXX-XXXX-XXXX"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class CampaignStatus:
    campaign: str
    incident_id: str
    total: int
    by_state: dict[str, int]
    by_language: dict[str, int]
    by_jurisdiction: dict[str, int]
    uncertain: int
    settlements: dict[str, int]
    retry_scheduled: int
    needs_other_channel: int
    first_sent_at: str | None
    last_sent_at: str | None
    done: bool

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def campaign_status(workspace: Workspace, campaign: str) -> CampaignStatus:
    """Counts by state, language and jurisdiction; uncertain ones and how they were settled."""
    with workspace.store.session() as session:
        row = session.get(Campaign, campaign)
        if row is None:
            raise UserInputError(
                f"no campaign {campaign!r}; plan one with 'breachdesk notify plan'"
            )
        states: Counter[str] = Counter({s: 0 for s in STATES})
        languages: Counter[str] = Counter()
        jurisdictions: Counter[str] = Counter()
        settlements: Counter[str] = Counter()
        uncertain = retry = 0
        first: datetime | None = None
        last: datetime | None = None
        query = select(
            Notice.state,
            Notice.language,
            Notice.jurisdictions,
            Notice.uncertain_at,
            Notice.settlement,
            Notice.next_attempt_at,
            Notice.sent_at,
        ).where(Notice.campaign == campaign)
        for state, language, codes, uncertain_at, settlement, due, sent_at in session.execute(
            query
        ):
            states[state] += 1
            languages[language] += 1
            jurisdictions.update(list(codes or []) or ["(voluntary)"])
            if uncertain_at is not None:
                uncertain += 1
                settlements[settlement or "unsettled"] += 1
            if state == PENDING and due is not None:
                retry += 1
            if sent_at is not None:
                first = sent_at if first is None or sent_at < first else first
                last = sent_at if last is None or sent_at > last else last
        total = sum(states.values())
        other = states[FAILED] + states[BOUNCED] + states[OTHER_CHANNEL]
        return CampaignStatus(
            campaign=campaign,
            incident_id=row.incident_id,
            total=total,
            by_state=dict(states),
            by_language=dict(sorted(languages.items())),
            by_jurisdiction=dict(sorted(jurisdictions.items())),
            uncertain=uncertain,
            settlements=dict(settlements),
            retry_scheduled=retry,
            needs_other_channel=other,
            first_sent_at=_iso(first),
            last_sent_at=_iso(last),
            done=states[PENDING] + states["sending"] + states["uncertain"] == 0,
        )


@dataclass(frozen=True)
class OtherChannel:
    """A person the email notice did not reach: post them a letter or use substitute notice."""

    notice_id: str
    person_key: str
    country: str | None
    state: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def needs_other_channel(
    workspace: Workspace, campaign: str | None = None, *, actor: str = "cli"
) -> list[OtherChannel]:
    """Notices failed, bounced or without a usable address (audited: it lists people)."""
    store = workspace.store
    with store.session() as session:
        query = (
            select(
                Notice.id,
                Notice.state,
                Notice.last_error,
                PersonRow.person_key_enc,
                PersonRow.country,
            )
            .join(PersonRow, PersonRow.id == Notice.person_id)
            .where(Notice.state.in_([FAILED, BOUNCED, OTHER_CHANNEL]))
            .order_by(Notice.id)
        )
        if campaign is not None:
            query = query.where(Notice.campaign == campaign)
        out = [
            OtherChannel(
                notice_id=nid,
                person_key=store.cipher.decrypt(key_enc, PERSON_KEY),
                country=country,
                state=state,
                reason=error or state,
            )
            for nid, state, error, key_enc, country in session.execute(query)
        ]
        if out:
            record_audit(
                session,
                actor=actor,
                action="notify.other-channel",
                target=f"campaign:{campaign or '*'}",
                detail={"people": len(out)},
            )
        return out


@dataclass(frozen=True)
class Preview:
    notice_id: str
    campaign: str
    language: str
    state: str
    subject: str
    text: str
    html: str
    message_size: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def preview_notice(workspace: Workspace, notice_id: str, *, actor: str = "cli") -> Preview:
    """The notice as it will be sent, with its verification code masked (audited)."""
    store = workspace.store
    cipher = store.cipher
    with store.session() as session:
        notice = session.get(Notice, notice_id)
        if notice is None:
            raise UserInputError(
                f"no notice {notice_id!r}; 'breachdesk notify status' lists campaigns"
            )
        campaign = session.get(Campaign, notice.campaign)
        person = session.get(PersonRow, notice.person_id)
        if campaign is None or person is None:
            raise UserInputError(f"notice {notice_id} has lost its campaign or person")
        letterhead = letterhead_for(
            session, workspace.settings, campaign.incident_id, campaign.official_domain
        )
        name = clean_name(cipher.decrypt_optional(person.name_enc, PERSON_NAME))
        content = notice_content(
            letterhead,
            Recipient(
                notice_id=notice.id,
                language=notice.language,
                name=name,
                categories=frozenset(Category(c) for c in person.categories or []),
                jurisdictions=tuple(notice.jurisdictions or ()),
                code=MASKED_CODE,
                first_access=person.first_access,
                last_access=person.last_access,
            ),
        )
        try:
            address = clean_address(cipher.decrypt_optional(person.email_enc, PERSON_EMAIL))
            size = len(
                build_message(
                    content,
                    notice_id=notice.id,
                    to_address=address,
                    to_name=name,
                    sender=sender_for(workspace.settings, campaign.official_domain),
                )
            )
        except BadAddress:
            size = 0
        record_audit(
            session, actor=actor, action="notify.preview", target=f"notice:{notice_id}", detail={}
        )
        return Preview(
            notice_id=notice.id,
            campaign=notice.campaign,
            language=notice.language,
            state=notice.state,
            subject=content.subject,
            text=render_text(content),
            html=render_html(content),
            message_size=size,
        )
