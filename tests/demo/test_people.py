from __future__ import annotations

import random
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from breachdesk.demo.people import CANARY_DOMAIN, CustomerMaker
from breachdesk.demo.places import COUNTRIES, load_places, postcode_maker
from breachdesk.demo.pools import LANGUAGES, ascii_fold

END = np.datetime64("2026-11-15T23:00:00", "s")
POSTCODES = {
    "FR": r"\d{5}",
    "GB": r"[A-Z]{1,2}\d{1,2}[A-Z]? \d[A-Z]{2}",
    "US": r"\d{5}",
    "DE": r"\d{5}",
    "IT": r"\d{5}",
    "ES": r"\d{5}",
    "CH": r"\d{4}",
    "JP": r"\d{3}-\d{4}",
    "SG": r"\d{6}",
    "AU": r"\d{4}",
    "BR": r"\d{5}-\d{3}",
    "CA": r"[A-Z]\d[A-Z] \d[A-Z]\d",
}
LANGUAGE_OF = {
    "FR": {"fr-FR"},
    "GB": {"en-GB"},
    "US": {"en-US"},
    "DE": {"de-DE"},
    "IT": {"it-IT"},
    "ES": {"es-ES"},
    "CH": {"de-CH", "fr-CH", "it-CH"},
    "JP": {"ja-JP"},
    "SG": {"en-SG"},
    "AU": {"en-AU"},
    "BR": {"pt-BR"},
    "CA": {"en-CA", "fr-CA"},
}


@pytest.fixture(scope="module")
def default_size() -> list[tuple[object, ...]]:
    """The customers of a default-size (5,000) generation, without writing anything."""
    maker = CustomerMaker(7, 5000, END, {42: ""})
    return [row for batch in maker.batches() for row in batch.rows]


def test_customers_cover_every_market_with_its_language(
    default_size: list[tuple[object, ...]],
) -> None:
    countries = Counter(str(row[7]) for row in default_size)
    assert set(countries) == {c.code for c in COUNTRIES}
    for row in default_size:
        assert row[8] in LANGUAGE_OF[str(row[7])], row
        assert re.fullmatch(POSTCODES[str(row[7])], str(row[6])), row
    assert {row[8] for row in default_size} >= {"de-CH", "fr-CH", "en-CA", "fr-CA"}


def test_customers_us_states_include_the_big_four(default_size: list[tuple[object, ...]]) -> None:
    states = {row[5] for row in default_size if row[7] == "US"}
    assert states >= {"CA", "NY", "TX", "FL"}


def test_customers_emails_are_unique_and_canaries_marked(
    default_size: list[tuple[object, ...]],
) -> None:
    emails = [str(row[2]) for row in default_size]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]+", e) for e in emails)
    assert emails[41].endswith("@" + CANARY_DOMAIN)
    assert sum(e.endswith("@" + CANARY_DOMAIN) for e in emails) == 1


def test_customers_names_match_their_locale(default_size: list[tuple[object, ...]]) -> None:
    japanese = [str(row[1]) for row in default_size if row[7] == "JP"]
    assert japanese
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", n) for n in japanese)
    assert all(n.isascii() for n in (str(r[1]) for r in default_size if r[7] == "US"))


def test_customers_are_deterministic_and_ordered() -> None:
    first = [row for b in CustomerMaker(3, 300, END, {}).batches(size=128) for row in b.rows]
    second = [row for b in CustomerMaker(3, 300, END, {}).batches(size=128) for row in b.rows]
    assert first == second
    assert [row[0] for row in first] == list(range(1, 301))
    created = [str(row[9]) for row in first]
    assert created[0] < created[-1]
    assert all(str(row[9]) <= str(row[10]) for row in first)


def test_languages_cover_the_places_table() -> None:
    assert {p.language for p in load_places()} == set(LANGUAGES)


@given(st.integers(0, 2**32))
def test_postcode_maker_fills_every_slot(seed: int) -> None:
    rng = random.Random(seed)
    assert re.fullmatch(r"750(0[1-9]|1\d|20)", postcode_maker("750{01-20}")(rng))
    assert re.fullmatch(r"M[4-6][A-Z] [1-9][A-Z][1-9]", postcode_maker("M{4-6}? {1-9}?{1-9}")(rng))
    assert re.fullmatch(r"(SW1X|EC2A) \d[A-Z]{2}", postcode_maker("SW1X #@@|EC2A #@@")(rng))


@given(st.text())
def test_ascii_fold_keeps_only_ascii_letters_and_digits(text: str) -> None:
    assert re.fullmatch(r"[a-z0-9]*", ascii_fold(text))


def test_ascii_fold_transliterates() -> None:
    assert ascii_fold("Müller-Straße") == "mullerstrasse"
    assert ascii_fold("Łukasz Ørsted") == "lukaszorsted"
    assert ascii_fold("João d'Ávila") == "joaodavila"
