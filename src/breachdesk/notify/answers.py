"""The answer to "Was I affected?", mailed to the address asked about and never shown.

It is composed by the outbox worker, not by the portal, so the portal's handling of an
affected and of an unaffected address is the same work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from breachdesk.notify.catalog import translations
from breachdesk.notify.content import Letterhead, local_date


@dataclass(frozen=True)
class LetterContent:
    """A short letter: the templates lay it out as text and HTML."""

    language: str
    subject: str
    title: str
    paragraphs: tuple[str, ...]
    signature: str


def answer_content(
    letterhead: Letterhead,
    language: str,
    *,
    affected: bool,
    notice_sent_at: datetime | None,
) -> LetterContent:
    """The answer in ``language``: affected (with the notice's date) or not."""
    _ = translations(language).gettext
    asked = _(
        "You asked on %(domain)s whether your email address is among those affected by the "
        "data breach at %(controller)s."
    ) % {"domain": letterhead.official_domain, "controller": letterhead.controller}
    if affected and notice_sent_at is not None:
        answer = _(
            "It is. We sent you a notice about it on %(date)s; it explains what happened and "
            "what you can do."
        ) % {"date": local_date(notice_sent_at, language)}
    elif affected:
        answer = _("It is. We will send you a notice explaining what happened and what you can do.")
    else:
        answer = _(
            "It is not: your email address is not among those we have identified as affected."
        )
    paragraphs = (
        asked,
        answer,
        _(
            "We will never ask you for your password, your card details or a payment in an "
            "email, a text message or a phone call about this incident."
        ),
        _(
            "Do not open links or attachments in messages about this incident, even if they "
            "look like ours."
        ),
        _("If you did not ask this question, you can ignore this email."),
    )
    subject = _("%(brand)s: your question about the data breach") % {"brand": letterhead.brand}
    return LetterContent(language, subject, subject, paragraphs, letterhead.controller)
