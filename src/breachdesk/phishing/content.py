"""Content signals: links, forms, language, attachments, and leaked data quoted back.

Links come from the HTML (href and the text shown) and from URLs written in plain text;
every host is compared in IDNA form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from breachdesk.phishing.context import ScoringContext, Signal
from breachdesk.phishing.domains import (
    is_ip_host,
    is_punycode,
    organisational_domain,
    to_idna,
    to_unicode,
    url_host,
)
from breachdesk.phishing.lexicon import fold
from breachdesk.phishing.markup import Link, Markup, scan_html, text_links
from breachdesk.phishing.parse import ParsedEmail

MAX_HTML_PARTS = 10
_SHOWN_HOST = re.compile(
    r"^\s*(?:https?://)?(?:www\.)?((?:[\w-]+\.)+[a-z\u00a1-\uffff][\w-]{1,62})(?:[/:?#]\S*)?\s*$",
    re.IGNORECASE,
)
_LANGUAGE_SIGNALS = {
    "credential": "credential-language",
    "threat": "threat-language",
    "urgency": "urgency-language",
}


def content_signals(parsed: ParsedEmail, context: ScoringContext) -> Iterator[Signal]:
    markups = [scan_html(html) for html in parsed.html[:MAX_HTML_PARTS]]
    links = [link for markup in markups for link in markup.links]
    links += text_links(parsed.text)
    visible = " ".join([parsed.text, *(m.text for m in markups)])
    subjects = " ".join(e.subject for e in parsed.envelopes)
    yield from _link_signals(links, context)
    yield from _form_signals(markups)
    yield from _language_signals(f"{subjects}\n{visible}", context)
    yield from _attachment_signals(parsed, context)
    yield from _brand_mention(parsed, f"{subjects}\n{visible}", context)
    yield from _leaked_signals(parsed, f"{subjects}\n{visible}", context)


def _link_signals(links: list[Link], context: ScoringContext) -> Iterator[Signal]:
    seen: set[str] = set()
    for link in links:
        href = link.href.strip()
        if not re.match(r"(?i)(https?:|www\.|//)", href):
            continue
        host = url_host("http:" + href if href.startswith("//") else href)
        if host is None:
            continue
        name = to_idna(host) or host
        if is_ip_host(name):
            yield _once(seen, "ip-link", f"a link goes to the IP address {name}")
            continue
        if context.brand.owns(name):
            continue
        org = organisational_domain(name)
        match = context.matcher.classify(name)
        if match is not None:
            yield _once(seen, "lookalike-link", f"a link goes to {match.describe()}")
        if is_punycode(name):
            yield _once(seen, "punycode-link", f"a link goes to {name} ({to_unicode(name)})")
        if org in context.shorteners or name in context.shorteners:
            yield _once(seen, "shortener-link", f"a link goes through the shortener {org}")
        shown = _shown_host(link.text)
        if shown is not None and organisational_domain(shown) != org:
            yield _once(
                seen,
                "link-text-mismatch",
                f"a link shows {to_unicode(shown)} but goes to {to_unicode(name)}",
            )


def _once(seen: set[str], name: str, evidence: str) -> Signal:
    # Same signal from several links: the first evidence is kept by collect_signals.
    seen.add(name)
    return Signal(name, evidence)


def _shown_host(text: str) -> str | None:
    if not text or len(text) > 300:
        return None
    found = _SHOWN_HOST.match(text)
    if found is None:
        return None
    return to_idna(found.group(1))


def _form_signals(markups: list[Markup]) -> Iterator[Signal]:
    for markup in markups:
        if markup.password_fields:
            yield Signal("credential-form", "the email contains a password field")
            return
    for markup in markups:
        if markup.form_actions:
            target = url_host(markup.form_actions[0]) or "(no address)"
            yield Signal("html-form", f"the email contains a form that posts to {target}")
            return


def _language_signals(text: str, context: ScoringContext) -> Iterator[Signal]:
    found = context.lexicon.find(text)
    for category, name in _LANGUAGE_SIGNALS.items():
        terms = found.get(category)
        if terms:
            shown = ", ".join(f"“{t}”" for t in terms[:3])
            yield Signal(name, f"{category} language: {shown}")


def _attachment_signals(parsed: ParsedEmail, context: ScoringContext) -> Iterator[Signal]:
    for attachment in parsed.attachments:
        kind = context.attachments.kind_of(attachment.filename, attachment.content_type)
        name = attachment.filename or f"(unnamed {attachment.content_type})"
        parts = attachment.filename.lower().split(".")
        if len(parts) >= 3 and kind == "executable":
            yield Signal(
                "attachment-executable", f"{name!r} hides an executable behind {parts[-2]}"
            )
        elif kind is not None:
            yield Signal(f"attachment-{kind}", f"attachment {name!r} ({kind.replace('-', ' ')})")


def _brand_mention(parsed: ParsedEmail, text: str, context: ScoringContext) -> Iterator[Signal]:
    senders = [b.domain for e in parsed.envelopes for b in e.from_ if b.domain]
    if not senders or any(context.brand.owns(d) for d in senders):
        return
    term = context.brand.mentioned_in(text)
    if term is not None:
        yield Signal(
            "brand-mentioned-foreign-sender",
            f"the text names the brand but the mail is from {organisational_domain(senders[0])}",
        )


def _leaked_signals(parsed: ParsedEmail, text: str, context: ScoringContext) -> Iterator[Signal]:
    if context.leaked is None:
        return
    recipients = [a for e in parsed.envelopes for a in e.to]
    if not recipients:
        return
    folded = fold(text)
    for person in context.leaked(recipients):
        quoted = person.quoted_in(folded)
        if quoted:
            yield Signal(
                "leaked-data-quoted",
                f"quotes the recipient's {' and '.join(quoted)} as leaked in incident "
                f"{person.incident_id}",
            )
            return
