"""Turning claimed outbox entries into messages: decrypt the person, derive the code, render.

Campaign-wide facts (the letterhead, the sender, the code secret) are read once per campaign.
Nothing personal is written back: the rendered message lives only in memory until sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.config import Settings
from breachdesk.model.categories import Category
from breachdesk.notify.answers import answer_content
from breachdesk.notify.codes import verification_code
from breachdesk.notify.content import Letterhead, Recipient, notice_content
from breachdesk.notify.dkim import DkimSigner, load_signer
from breachdesk.notify.outbox import SENT, Claim, Outcome
from breachdesk.notify.plan import CAMPAIGN_SECRET, PERSON_EMAIL, PERSON_NAME
from breachdesk.notify.render import Sender, build_letter, build_message
from breachdesk.notify.sanitize import BadAddress, clean_address, clean_name, domain_of
from breachdesk.store import Store
from breachdesk.store.notify_tables import Campaign, PortalInquiry
from breachdesk.store.tables import AffectedPerson as PersonRow
from breachdesk.store.tables import Incident, Notice, Obligation

INQUIRY_ADDRESS = "portal_inquiries.address"


@dataclass(frozen=True)
class Prepared:
    """A message ready for SMTP."""

    claim: Claim
    sender: str
    recipient: str
    data: bytes

    @property
    def domain(self) -> str:
        return domain_of(self.recipient)


@dataclass(frozen=True)
class _CampaignFacts:
    secret: str
    letterhead: Letterhead
    sender: Sender


def sender_for(settings: Settings, domain: str) -> Sender:
    notify = settings.notify
    return Sender(
        address=notify.from_address or f"notices@{domain}",
        name=notify.from_name or settings.brand.name,
        reply_to=notify.reply_to,
    )


def letterhead_for(
    session: Session, settings: Settings, incident_id: str | None, domain: str
) -> Letterhead:
    """The campaign-wide facts of a notice: controller, domain, awareness, authorities."""
    aware_at = None
    authorities: dict[str, str] = {}
    if incident_id is not None:
        incident = session.get(Incident, incident_id)
        aware_at = incident.aware_at if incident is not None else None
        for code, name in session.execute(
            select(Obligation.jurisdiction, Obligation.authority).where(
                Obligation.incident_id == incident_id, Obligation.recipient == "authority"
            )
        ):
            if name:
                authorities.setdefault(code, name)
    return Letterhead(
        controller=settings.controller.name,
        brand=settings.brand.name,
        contact_email=settings.controller.contact_email,
        official_domain=domain,
        portal_path=settings.notify.portal_path,
        aware_at=aware_at,
        authorities=authorities,
        allow_links=settings.notify.allow_links,
    )


class Composer:
    """Prepares claimed notices and portal answers as signed (optionally) messages."""

    def __init__(self, store: Store, settings: Settings, base: Path):
        self.store = store
        self.settings = settings
        self.base = base
        self._campaigns: dict[str, _CampaignFacts] = {}
        self._signers: dict[str, DkimSigner | None] = {}

    def prepare(self, claims: list[Claim]) -> list[Prepared | Outcome]:
        out: list[Prepared | Outcome] = []
        with self.store.session() as session:
            notices = [c for c in claims if c.kind == "notice"]
            persons = self._persons(session, [c.person_id for c in notices if c.person_id])
            for claim in notices:
                out.append(self._notice(session, claim, persons.get(claim.person_id or -1)))
            for claim in claims:
                if claim.kind == "inquiry":
                    out.append(self._answer(session, claim))
        return out

    def _persons(self, session: Session, ids: list[int]) -> dict[int, PersonRow]:
        if not ids:
            return {}
        rows = session.scalars(select(PersonRow).where(PersonRow.id.in_(ids)))
        return {row.id: row for row in rows}

    def _facts(self, session: Session, campaign: str) -> _CampaignFacts:
        facts = self._campaigns.get(campaign)
        if facts is None:
            row = session.get(Campaign, campaign)
            if row is None:
                raise LookupError(f"campaign {campaign} is not in the store")
            facts = _CampaignFacts(
                secret=self.store.cipher.decrypt(row.secret_enc, CAMPAIGN_SECRET),
                letterhead=letterhead_for(
                    session, self.settings, row.incident_id, row.official_domain
                ),
                sender=sender_for(self.settings, row.official_domain),
            )
            self._campaigns[campaign] = facts
        return facts

    def _sign(self, data: bytes, sender: Sender) -> bytes:
        domain = sender.domain
        if domain not in self._signers:
            self._signers[domain] = load_signer(self.settings.notify, self.base, domain)
        signer = self._signers[domain]
        return signer.sign(data) if signer is not None else data

    def _notice(
        self, session: Session, claim: Claim, person: PersonRow | None
    ) -> Prepared | Outcome:
        cipher = self.store.cipher
        if person is None or claim.campaign is None:
            return Outcome(claim, "failed", None, "the affected person is no longer in the store")
        facts = self._facts(session, claim.campaign)
        try:
            address = clean_address(cipher.decrypt_optional(person.email_enc, PERSON_EMAIL))
        except BadAddress as exc:
            return Outcome(claim, "failed", None, exc.message)
        name = clean_name(cipher.decrypt_optional(person.name_enc, PERSON_NAME))
        content = notice_content(
            facts.letterhead,
            Recipient(
                notice_id=claim.id,
                language=claim.language,
                name=name,
                categories=frozenset(Category(c) for c in person.categories or []),
                jurisdictions=claim.jurisdictions,
                code=verification_code(cipher, facts.secret, claim.id),
                first_access=person.first_access,
                last_access=person.last_access,
            ),
        )
        data = build_message(
            content, notice_id=claim.id, to_address=address, to_name=name, sender=facts.sender
        )
        return Prepared(claim, facts.sender.address, address, self._sign(data, facts.sender))

    def _answer(self, session: Session, claim: Claim) -> Prepared | Outcome:
        cipher = self.store.cipher
        row = session.get(PortalInquiry, int(claim.id))
        if row is None:
            return Outcome(claim, "failed", None, "the inquiry is no longer in the store")
        try:
            address = clean_address(cipher.decrypt(row.address_enc, INQUIRY_ADDRESS))
        except BadAddress as exc:
            return Outcome(claim, "failed", None, exc.message)
        affected, sent_at = self._affected(session, address)
        domain = self._portal_domain(session)
        sender = sender_for(self.settings, domain)
        letterhead = letterhead_for(session, self.settings, None, domain)
        content = answer_content(
            letterhead, claim.language, affected=affected, notice_sent_at=sent_at
        )
        data = build_letter(content, key=f"inquiry-{claim.id}", to_address=address, sender=sender)
        return Prepared(claim, sender.address, address, self._sign(data, sender))

    def _affected(self, session: Session, address: str) -> tuple[bool, datetime | None]:
        index = self.store.cipher.blind_index(address, PERSON_EMAIL)
        ids = list(session.scalars(select(PersonRow.id).where(PersonRow.email_index == index)))
        if not ids:
            return False, None
        sent = session.scalars(
            select(Notice.sent_at)
            .where(Notice.person_id.in_(ids), Notice.state == SENT, Notice.sent_at.is_not(None))
            .order_by(Notice.sent_at)
            .limit(1)
        ).first()
        return True, sent

    def _portal_domain(self, session: Session) -> str:
        notify = self.settings.notify
        domain = notify.official_domain or next(iter(self.settings.brand.domains), "")
        if not domain:
            latest = session.scalars(
                select(Campaign.official_domain).order_by(Campaign.created_at.desc()).limit(1)
            ).first()
            domain = latest or "localhost.localdomain"
        return domain
