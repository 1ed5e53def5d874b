"""What a notice says, in the person's language: sections, their categories, the warnings.

One structure serves every jurisdiction: California's title and five headings in order
(Cal. Civ. Code § 1798.82(d)(1)), holding the GDPR Art. 34(2) content (nature of the breach,
contact point, likely consequences, measures) and what Canada, Japan, Singapore and
Australia add (the period of access, steps people can take, the right to complain).
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date
from babel.lists import format_list

from breachdesk.model.categories import Category, Group
from breachdesk.notify.catalog import translations

# Msgids; the English text is California's wording (checked against us-ca.yaml by a test).
TITLE = "Notice of Data Breach"
HEADINGS = (
    "What Happened?",
    "What Information Was Involved?",
    "What We Are Doing.",
    "What You Can Do.",
    "For More Information.",
)
_PASSWORDS = frozenset(
    {
        Category.CREDENTIAL_PASSWORD_PLAIN,
        Category.CREDENTIAL_PASSWORD_HASH,
        Category.CREDENTIAL_SECURITY_ANSWER,
    }
)
_CONTACTS = frozenset({Category.CONTACT_EMAIL, Category.CONTACT_PHONE, Category.CONTACT_ADDRESS})
_HOME = frozenset({Category.CONTACT_ADDRESS, Category.LOCATION_GEO})


@dataclass(frozen=True)
class Letterhead:
    """What every notice of a campaign shares: who writes, where to check, whom to complain to."""

    controller: str
    brand: str
    contact_email: str
    official_domain: str
    portal_path: str = "/verify"
    aware_at: datetime | None = None
    # Jurisdiction code → the authority a resident may complain to.
    authorities: Mapping[str, str] = field(default_factory=dict)
    allow_links: bool = False

    @property
    def portal_address(self) -> str:
        return f"{self.official_domain}{self.portal_path}"


@dataclass(frozen=True)
class Recipient:
    """One person as the notice addresses them (name already cleaned)."""

    notice_id: str
    language: str
    name: str | None
    categories: frozenset[Category]
    jurisdictions: tuple[str, ...]
    code: str
    first_access: datetime | None = None
    last_access: datetime | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoticeContent:
    """The words of one notice; the templates lay them out as text and HTML."""

    language: str
    subject: str
    title: str
    greeting: str
    # The greeting around the name, so HTML can isolate the name's direction (<bdi>).
    greeting_parts: tuple[str, str]
    name: str | None
    intro: str
    sections: tuple[Section, ...]
    verify_lead: str
    code: str
    verify_url: str | None
    signature: str


def notice_content(letterhead: Letterhead, person: Recipient) -> NoticeContent:
    """Compose the notice for ``person`` in ``person.language``."""
    t = translations(person.language)
    _ = t.gettext
    lang = person.language
    cats = person.categories
    labels = category_labels(cats, t)
    happened = [
        _(
            "On %(date)s we found that an unauthorised person had gained access to part of our "
            "customer records and copied information from them."
        )
        % {"date": local_date(letterhead.aware_at, lang) or _("a recent date")}
    ]
    if (
        person.first_access
        and person.last_access
        and (person.first_access.date() != person.last_access.date())
    ):
        happened.append(
            _("Your record was accessed between %(first)s and %(last)s.")
            % {
                "first": local_date(person.first_access, lang),
                "last": local_date(person.last_access, lang),
            }
        )
    elif person.first_access or person.last_access:
        when = person.first_access or person.last_access
        happened.append(
            _("Your record was accessed on %(date)s.") % {"date": local_date(when, lang)}
        )
    involved_after = [_("What this may mean for you:")]
    involved_after += [f"– {line}" for line in consequences(cats, letterhead.brand, t)]
    if not cats & (_PASSWORDS | {Category.FINANCIAL_CARD_NUMBER, Category.FINANCIAL_BANK_ACCOUNT}):
        involved_after.append(
            _("The information taken did not include passwords or payment card details.")
        )
    doing = [
        _(
            "We closed the access that was used, are investigating with security specialists "
            "and are watching our systems for any further misuse."
        )
    ]
    if letterhead.authorities:
        doing.append(_("We are informing the data protection authorities concerned."))
    can_do = [
        _(
            "The people responsible know your %(known)s. They may use it to write to you "
            "pretending to be %(brand)s."
        )
        % {
            "known": _spoken_list(tuple(labels), lang) if labels else _("details"),
            "brand": letterhead.brand,
        },
        _(
            "We will never ask you for your password, your card details or a payment in an "
            "email, a text message or a phone call about this incident."
        ),
        _(
            "Do not open links or attachments in messages about this incident, even if they "
            "look like ours."
        ),
    ]
    if cats & _PASSWORDS:
        can_do.append(
            _(
                "Change your %(brand)s password, and the password of any other account where "
                "you use the same one."
            )
            % {"brand": letterhead.brand}
        )
    if cats & {Category.FINANCIAL_CARD_NUMBER, Category.FINANCIAL_BANK_ACCOUNT}:
        can_do.append(
            _(
                "Check your bank and card statements and tell your bank about any payment you "
                "do not recognise."
            )
        )
    more = [
        _("If you have questions, write to our data protection contact at %(contact)s.")
        % {"contact": letterhead.contact_email}
    ]
    for name in _authorities(letterhead, person):
        more.append(
            _("You have the right to lodge a complaint with %(authority)s.") % {"authority": name}
        )
    verify_lead = _(
        "This notice contains no link. To check that it is genuine, type %(address)s into your "
        "browser yourself and enter this code:"
    ) % {"address": letterhead.portal_address}
    greeting_format = _("Dear %(name)s,")
    before, _marker, after = greeting_format.partition("%(name)s")
    greeting = greeting_format % {"name": person.name} if person.name else _("Dear customer,")
    return NoticeContent(
        language=lang,
        subject=_("%(brand)s: Notice of Data Breach") % {"brand": letterhead.brand},
        title=_(TITLE),
        greeting=greeting,
        greeting_parts=(before, after),
        name=person.name,
        intro=_(
            "We are writing to tell you about a security incident at %(controller)s that "
            "involved your personal information, what we are doing about it and what you "
            "can do."
        )
        % {"controller": letterhead.controller},
        sections=(
            Section(_(HEADINGS[0]), tuple(happened)),
            Section(
                _(HEADINGS[1]),
                (_("The information taken about you is:"),),
                tuple(labels),
                tuple(involved_after),
            ),
            Section(_(HEADINGS[2]), tuple(doing)),
            Section(_(HEADINGS[3]), tuple(can_do)),
            Section(_(HEADINGS[4]), tuple(more)),
        ),
        verify_lead=verify_lead,
        code=person.code,
        verify_url=(f"https://{letterhead.portal_address}" if letterhead.allow_links else None),
        signature=letterhead.controller,
    )


def category_labels(categories: frozenset[Category], t: gettext.NullTranslations) -> list[str]:
    """The categories in plain words, most harmful first, in the catalogue's language."""
    ordered = sorted(categories, key=lambda c: (-c.info.harm, c.value))
    return [t.gettext(c.info.label) for c in ordered]


def consequences(
    categories: frozenset[Category], brand: str, t: gettext.NullTranslations
) -> list[str]:
    """Likely consequences (GDPR Art. 33(3)(c)) in plain words, from what was taken."""
    _ = t.gettext
    out: list[str] = []
    if categories & _CONTACTS:
        out.append(
            _(
                "You may receive emails, text messages or calls that pretend to come from "
                "%(brand)s and use your details to seem genuine."
            )
            % {"brand": brand}
        )
    if categories & _PASSWORDS:
        out.append(
            _(
                "Someone could try to sign in to your account, or to other sites where you use "
                "the same password."
            )
        )
    if any(c.group is Group.FINANCIAL for c in categories):
        out.append(_("Someone could try to use your payment details."))
    if categories & {Category.IDENTITY_NATIONAL_ID, Category.IDENTITY_GOVERNMENT_ID}:
        out.append(_("Someone could try to use your identity."))
    if Category.HEALTH_ANY in categories:
        out.append(_("Information about your health could be disclosed."))
    if categories & _HOME:
        out.append(_("Someone could contact you at home or by post."))
    return out or [_("We consider the risk to you limited, but please stay alert.")]


def _authorities(letterhead: Letterhead, person: Recipient) -> list[str]:
    names: list[str] = []
    for code in person.jurisdictions:
        name = letterhead.authorities.get(code)
        if name and name not in names:
            names.append(name)
    return names


def local_date(moment: datetime | None, language: str) -> str:
    if moment is None:
        return ""
    return _long_date(moment.date(), language)


# Babel's formatting parses the locale on every call; a campaign has few dates and lists.
@lru_cache(maxsize=4096)
def _long_date(day: date, language: str) -> str:
    return str(format_date(day, format="long", locale=language))


@lru_cache(maxsize=4096)
def _spoken_list(items: tuple[str, ...], language: str) -> str:
    return str(format_list(list(items), locale=language))
