"""Phishing defence for one workspace: what the CLI, the web and the demo call.

The brand comes from the settings, the watch list and the leaked fields from the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from breachdesk.phishing.context import ScoringContext
from breachdesk.phishing.domains import Brand
from breachdesk.phishing.leaked import LeakedLookup
from breachdesk.phishing.lookalikes import LookalikeSet, generate_lookalikes, read_word_file
from breachdesk.phishing.match import DomainMatcher, FeedReport, match_feed
from breachdesk.phishing.parse import Limits
from breachdesk.phishing.score import PhishingScorer, Weights
from breachdesk.phishing.watchlist import store_watchlist, watchlist_for
from breachdesk.workspace import Workspace


def workspace_brand(workspace: Workspace) -> Brand:
    settings = workspace.settings.brand
    return Brand.of(settings.name, settings.domains)


def record_lookalikes(
    workspace: Workspace,
    domains: Sequence[str],
    *,
    dictionary: Path | None = None,
    tlds: Path | None = None,
) -> list[LookalikeSet]:
    """Generate the lookalikes of ``domains`` and store them as the workspace's watch list."""
    words = read_word_file(dictionary) if dictionary else None
    suffixes = read_word_file(tlds, kind="tlds") if tlds else None
    results = [generate_lookalikes(d, dictionary=words, tlds=suffixes) for d in domains]
    for lookalikes in results:
        store_watchlist(workspace.store, lookalikes)
    return results


def domain_matcher(workspace: Workspace) -> DomainMatcher:
    brand = workspace_brand(workspace)
    return DomainMatcher(brand, watchlist_for(workspace.store, brand))


def match_workspace_feed(workspace: Workspace, feed: Path) -> FeedReport:
    """The entries of ``feed`` that imitate the workspace's brand."""
    return match_feed(feed, domain_matcher(workspace))


def email_scorer(
    workspace: Workspace, *, weights: Weights | None = None, limits: Limits | None = None
) -> PhishingScorer:
    """A scorer for the workspace: its brand, watch list, and its incidents' leaked fields."""
    brand = workspace_brand(workspace)
    store = workspace.store
    leaked = LeakedLookup(store)
    context = ScoringContext.of(
        brand, watchlist_for(store, brand), leaked.for_recipients if leaked else None
    )
    return PhishingScorer(context, weights, limits)
