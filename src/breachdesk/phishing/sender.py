"""Sender signals: who the email claims to be from, who it really is from, and what the
receiving server's Authentication-Results said about it (SPF, DKIM, DMARC via ``authres``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import authres

from breachdesk.phishing.context import ScoringContext, Signal
from breachdesk.phishing.domains import is_punycode, organisational_domain, to_unicode
from breachdesk.phishing.headers import Mailbox
from breachdesk.phishing.parse import Envelope, ParsedEmail

# Anomalies that only a crafted message has, and what to tell a support agent about each.
TRICKS = {
    "duplicate-from": "two From headers (clients show one, filters check the other)",
    "several-from-addresses": "several addresses in From",
    "ambiguous-address": "an address header that parsers read two ways (CVE-2023-27043)",
    "malformed-address": "a From, Reply-To or Return-Path address that does not parse",
    "encoded-newline": "an encoded header that decodes to a line break (header injection)",
    "nul-in-header": "a NUL character in a header",
    "nul-bytes": "NUL bytes in the raw message",
    "parts-after-boundary": "content hidden after the closing MIME boundary",
    "duplicate-subject": "two Subject headers",
}
CAPS = {
    "size-capped": "larger than the size cap",
    "header-capped": "headers longer than the header cap",
    "parts-capped": "more MIME parts than the part cap",
    "multiparts-capped": "more nested containers than the cap",
    "depth-capped": "MIME nesting deeper than the depth cap",
    "parse-timeout": "parsing exceeded the time cap",
}
_FAIL = {"fail", "softfail", "permerror"}
_FALLBACK = re.compile(r"(?i)\b(spf|dkim|dmarc)\s*=\s*([a-z]+)")


@dataclass(frozen=True)
class AuthResults:
    """The verdicts of one Authentication-Results header."""

    spf: str | None = None
    dkim: str | None = None
    dmarc: str | None = None
    dkim_pass_domains: frozenset[str] = frozenset()


def parse_auth(value: str) -> AuthResults:
    """SPF, DKIM and DMARC results of an Authentication-Results value (RFC 8601)."""
    verdicts: dict[str, str] = {}
    passing: set[str] = set()
    try:
        header = authres.AuthenticationResultsHeader.parse_value(value)
        for result in header.results:
            method, verdict = str(result.method).lower(), str(result.result).lower()
            if method == "dkim" and verdict == "pass":
                for prop in result.properties:
                    if prop.type == "header" and prop.name in ("d", "i"):
                        passing.add(str(prop.value).rpartition("@")[2].lower())
            if method not in verdicts or verdict == "pass":
                verdicts[method] = verdict
    except Exception:  # a third-party parser on hostile input must not stop scoring
        for method, verdict in _FALLBACK.findall(value):
            verdicts.setdefault(method.lower(), verdict.lower())
    return AuthResults(
        verdicts.get("spf"), verdicts.get("dkim"), verdicts.get("dmarc"), frozenset(passing)
    )


def sender_signals(parsed: ParsedEmail, context: ScoringContext) -> Iterator[Signal]:
    for envelope in parsed.envelopes:
        yield from _envelope_signals(envelope, context)
    tricks = sorted(a for a in parsed.anomalies if a in TRICKS)
    if tricks:
        yield Signal("parser-tricks", "; ".join(TRICKS[a] for a in tricks))
    caps = sorted(a for a in parsed.anomalies if a in CAPS)
    if caps:
        yield Signal("structure-capped", "; ".join(CAPS[a] for a in caps))


def _envelope_signals(envelope: Envelope, context: ScoringContext) -> Iterator[Signal]:
    brand = context.brand
    auth = parse_auth(envelope.auth_results[0]) if envelope.auth_results else None
    senders = [box for box in envelope.from_ if box.domain]
    sender_orgs = {organisational_domain(box.domain or "") for box in senders}
    for box in senders:
        domain = box.domain or ""
        if brand.owns(domain):
            yield from _brand_sender(box, auth, context)
        else:
            yield from _foreign_sender(box, context)
        if box.display_address:
            shown = box.display_address.rpartition("@")[2]
            if organisational_domain(shown) != organisational_domain(domain):
                yield Signal(
                    "display-name-address",
                    f"the name shows {box.display_address}, the mail is from {box.address}",
                )
    allowed = sender_orgs | set(envelope.list_domains)
    yield from _mismatch(
        "reply-to-mismatch", "replies go to", envelope.reply_to, sender_orgs, allowed
    )
    yield from _mismatch(
        "return-path-mismatch", "bounces go to", envelope.return_path, sender_orgs, allowed
    )
    if auth is not None:
        for name, verdict in (("spf", auth.spf), ("dkim", auth.dkim), ("dmarc", auth.dmarc)):
            if verdict in _FAIL:
                yield Signal(f"{name}-fail", f"{name}={verdict} in Authentication-Results")


def _brand_sender(
    box: Mailbox, auth: AuthResults | None, context: ScoringContext
) -> Iterator[Signal]:
    domain = box.domain or ""
    if auth is None:
        return
    if auth.dmarc in _FAIL or (auth.dmarc is None and auth.spf in _FAIL and auth.dkim != "pass"):
        yield Signal(
            "brand-domain-spoofed",
            f"claims to be from {domain} but fails authentication "
            f"(dmarc={auth.dmarc or 'none'}, spf={auth.spf or 'none'})",
        )
        return
    org = organisational_domain(domain)
    dkim_brand = any(organisational_domain(d) == org for d in auth.dkim_pass_domains)
    if auth.dmarc == "pass" or dkim_brand:
        how = "DMARC" if auth.dmarc == "pass" else "DKIM"
        yield Signal("brand-authenticated", f"{how} pass for {domain}")


def _foreign_sender(box: Mailbox, context: ScoringContext) -> Iterator[Signal]:
    domain = box.domain or ""
    match = context.matcher.classify(domain)
    if match is not None:
        yield Signal("lookalike-sender", f"sender domain {match.describe()}")
    if is_punycode(domain):
        yield Signal("punycode-sender", f"sender domain {domain} shows as {to_unicode(domain)}")
    for where, text in (("display name", box.display), ("address", box.local)):
        term = context.brand.named_in(text) if text else None
        if term is not None:
            yield Signal(
                "brand-name-foreign-sender",
                f"the {where} names the brand ({text[:60]!r}) but the mail is from "
                f"{organisational_domain(domain)}",
            )
            break


def _mismatch(
    name: str, verb: str, boxes: tuple[Mailbox, ...], sender_orgs: set[str], allowed: set[str]
) -> Iterator[Signal]:
    if not sender_orgs:
        return
    for box in boxes:
        if box.domain and organisational_domain(box.domain) not in allowed:
            shown = ", ".join(sorted(sender_orgs))
            yield Signal(name, f"{verb} {box.address}, the sender is {shown}")
            return
