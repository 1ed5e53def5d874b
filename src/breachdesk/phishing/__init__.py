"""Phishing defence: lookalike domains of the brand, and scoring of reported emails.

``record_lookalikes`` fills the workspace's watch list, ``match_workspace_feed`` checks a
feed of observed domains, ``email_scorer`` judges emails with reasons an agent can read out.
"""

from breachdesk.phishing.context import ScoringContext, Signal
from breachdesk.phishing.defence import (
    domain_matcher,
    email_scorer,
    match_workspace_feed,
    record_lookalikes,
    workspace_brand,
)
from breachdesk.phishing.domains import Brand, organisational_domain, to_idna, to_unicode
from breachdesk.phishing.lookalikes import (
    LookalikeSet,
    Permutation,
    generate_lookalikes,
    read_word_file,
)
from breachdesk.phishing.match import DomainMatch, DomainMatcher, FeedReport, match_feed
from breachdesk.phishing.parse import Limits, ParsedEmail, parse_message
from breachdesk.phishing.score import (
    PhishingScorer,
    Reason,
    Verdict,
    Weights,
    load_weights,
)
from breachdesk.phishing.signals import SIGNALS
from breachdesk.phishing.watchlist import Watchlist, read_watchlist, store_watchlist

__all__ = [
    "SIGNALS",
    "Brand",
    "DomainMatch",
    "DomainMatcher",
    "FeedReport",
    "Limits",
    "LookalikeSet",
    "ParsedEmail",
    "Permutation",
    "PhishingScorer",
    "Reason",
    "ScoringContext",
    "Signal",
    "Verdict",
    "Watchlist",
    "Weights",
    "domain_matcher",
    "email_scorer",
    "generate_lookalikes",
    "load_weights",
    "match_feed",
    "match_workspace_feed",
    "organisational_domain",
    "parse_message",
    "read_watchlist",
    "read_word_file",
    "record_lookalikes",
    "store_watchlist",
    "to_idna",
    "to_unicode",
    "workspace_brand",
]
