"""Fixtures for phishing tests: the brand, its lookalikes, a scorer, and the mail builder."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from breachdesk.phishing import (
    Brand,
    PhishingScorer,
    ScoringContext,
    Watchlist,
    generate_lookalikes,
)

HERE = Path(__file__).parent
CORPORA = HERE.parents[2] / "shared" / "corpora"


def load_helper(stem: str) -> ModuleType:
    """``<stem>.py`` beside this file (tests are not a package: load it by path)."""
    name = f"breachdesk_tests_{stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / f"{stem}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def mail() -> ModuleType:
    """The realistic brand phishing and legitimate retail mail builder."""
    return load_helper("mailbuilder")


@pytest.fixture(scope="session")
def hostile() -> ModuleType:
    """Builders of hostile MIME structures."""
    return load_helper("hostile")


@pytest.fixture(scope="session")
def brand() -> Brand:
    return Brand.of("Maison Aurelle", ["maison-aurelle.com"])


@pytest.fixture(scope="session")
def watchlist() -> Watchlist:
    return Watchlist.of([generate_lookalikes("maison-aurelle.com")])


@pytest.fixture(scope="session")
def context(brand: Brand, watchlist: Watchlist) -> ScoringContext:
    return ScoringContext.of(brand, watchlist)


@pytest.fixture(scope="session")
def scorer(context: ScoringContext) -> PhishingScorer:
    return PhishingScorer(context)
