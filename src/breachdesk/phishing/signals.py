"""What makes a reported email look like brand phishing: every signal, collected.

Signals only observe; their weights live in ``data/weights.yaml`` (see ``score.py``).
Sender signals are in ``sender.py``, content signals in ``content.py``.
"""

from __future__ import annotations

from breachdesk.phishing.content import content_signals
from breachdesk.phishing.context import ScoringContext, Signal
from breachdesk.phishing.parse import ParsedEmail
from breachdesk.phishing.sender import sender_signals

# Every signal the scorer knows, in the order reasons are listed when weights tie.
SIGNALS = (
    "lookalike-sender",
    "brand-domain-spoofed",
    "brand-name-foreign-sender",
    "display-name-address",
    "punycode-sender",
    "lookalike-link",
    "punycode-link",
    "link-text-mismatch",
    "ip-link",
    "shortener-link",
    "credential-form",
    "html-form",
    "credential-language",
    "threat-language",
    "urgency-language",
    "leaked-data-quoted",
    "attachment-executable",
    "attachment-disk-image",
    "attachment-macro-document",
    "attachment-html",
    "attachment-archive",
    "reply-to-mismatch",
    "return-path-mismatch",
    "spf-fail",
    "dkim-fail",
    "dmarc-fail",
    "parser-tricks",
    "structure-capped",
    "brand-mentioned-foreign-sender",
    "brand-authenticated",
)


def collect_signals(parsed: ParsedEmail, context: ScoringContext) -> list[Signal]:
    """Every signal ``parsed`` shows, one per name (the first evidence found is kept)."""
    found: dict[str, Signal] = {}
    for signal in [*sender_signals(parsed, context), *content_signals(parsed, context)]:
        found.setdefault(signal.name, signal)
    # A spoof or lookalike is never "authenticated as the brand", whatever its headers say.
    if "brand-authenticated" in found and found.keys() & {
        "brand-domain-spoofed",
        "display-name-address",
        "parser-tricks",
    }:
        del found["brand-authenticated"]
    return list(found.values())
