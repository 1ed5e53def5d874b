"""The public (substitute) notice: for people the direct notice cannot reach.

Where a law allows substitute notice (too many people, too costly, or no contact details:
e.g. Cal. Civ. Code § 1798.82(j)(3), GDPR Art. 34(3)(c)), the text to post on the website and
give to the media. It tells people how to find out, privately, whether they are affected.
"""

from __future__ import annotations

from babel.lists import format_list
from babel.numbers import format_decimal
from sqlalchemy import select

from breachdesk.errors import UserInputError
from breachdesk.model.categories import Category
from breachdesk.notify.catalog import LANGUAGES, translations
from breachdesk.notify.compose import letterhead_for
from breachdesk.notify.content import HEADINGS, TITLE, category_labels, local_date
from breachdesk.notify.plan import official_domain
from breachdesk.store import record_audit
from breachdesk.store.tables import AffectedPerson as PersonRow
from breachdesk.store.tables import Incident
from breachdesk.workspace import Workspace


def affected_path(portal_path: str) -> str:
    """The "Was I affected?" page beside the verification page (``/verify`` → ``/affected``)."""
    return portal_path.rstrip("/").rsplit("/", 1)[0] + "/affected"


def public_notice(
    workspace: Workspace, incident_id: str, *, language: str = "en", actor: str = "cli"
) -> str:
    """The substitute notice in ``language``, as Markdown (audited as ``notify.public-notice``)."""
    if language not in LANGUAGES:
        raise UserInputError(f"--language {language!r}: one of {', '.join(LANGUAGES)}")
    t = translations(language)
    _ = t.gettext
    domain = official_domain(workspace)
    with workspace.store.session() as session:
        if session.get(Incident, incident_id) is None:
            raise UserInputError(f"no incident {incident_id!r} in this workspace")
        letterhead = letterhead_for(session, workspace.settings, incident_id, domain)
        people = 0
        categories: set[Category] = set()
        for (values,) in session.execute(
            select(PersonRow.categories).where(PersonRow.incident_id == incident_id)
        ):
            people += 1
            categories.update(Category(v) for v in values or [])
        record_audit(
            session,
            actor=actor,
            action="notify.public-notice",
            target=f"incident:{incident_id}",
            detail={"language": language, "people": people},
        )
    labels = category_labels(frozenset(categories), t)
    brand = letterhead.brand
    lines = [f"# {letterhead.controller} — {_(TITLE)}", ""]
    lines += [_("We are publishing this notice for customers we could not reach directly."), ""]
    lines += [f"## {_(HEADINGS[0])}", ""]
    lines.append(
        _(
            "On %(date)s we found that an unauthorised person had gained access to part of our "
            "customer records and copied information from them."
        )
        % {"date": local_date(letterhead.aware_at, language) or _("a recent date")}
    )
    if people:
        lines.append(
            _("About %(count)s people are affected.")
            % {"count": format_decimal(people, locale=language)}
        )
    lines += ["", f"## {_(HEADINGS[1])}", "", _("The information taken may include:"), ""]
    lines += [f"- {label}" for label in labels] or ["- —"]
    lines += ["", f"## {_(HEADINGS[2])}", ""]
    lines.append(
        _(
            "We closed the access that was used, are investigating with security specialists "
            "and are watching our systems for any further misuse."
        )
    )
    if letterhead.authorities:
        lines.append(_("We are informing the data protection authorities concerned."))
    lines += ["", f"## {_(HEADINGS[3])}", ""]
    lines.append(
        "- "
        + _(
            "To find out whether you are affected, type %(address)s into your browser yourself "
            "and enter your email address. The answer is sent to that address, never shown on "
            "the page."
        )
        % {"address": f"{domain}{affected_path(workspace.settings.notify.portal_path)}"}
    )
    known = format_list(labels, locale=language) if labels else _("details")
    lines.append(
        "- "
        + _(
            "The people responsible may know your %(known)s. They may use it to write to you "
            "pretending to be %(brand)s."
        )
        % {"known": known, "brand": brand}
    )
    lines.append(
        "- "
        + _(
            "We will never ask you for your password, your card details or a payment in an "
            "email, a text message or a phone call about this incident."
        )
    )
    lines.append(
        "- "
        + _(
            "Do not open links or attachments in messages about this incident, even if they "
            "look like ours."
        )
    )
    lines += ["", f"## {_(HEADINGS[4])}", ""]
    lines.append(
        _("If you have questions, write to our data protection contact at %(contact)s.")
        % {"contact": letterhead.contact_email}
    )
    lines += ["", letterhead.controller, ""]
    return "\n".join(lines)
