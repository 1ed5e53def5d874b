"""Lexicons: six languages as data, matched whole-word, case and accent insensitive."""

from __future__ import annotations

import pytest

from breachdesk.phishing.lexicon import LANGUAGES, default_lexicon, fold, load_lexicon


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_every_category(language: str) -> None:
    lexicon = load_lexicon([language])
    categories = {category for _, category in lexicon.unspaced}
    categories |= {c for terms in lexicon.by_first_word.values() for _, c in terms}
    assert categories == {"urgency", "threat", "credential"}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Please VERIFY your account now", "credential"),
        ("Vérifiez votre identité", "credential"),
        ("verifiez votre identite", "credential"),
        ("Ihr Konto wurde gesperrt", "threat"),
        ("entro 24 ore", "urgency"),
        ("su cuenta será cerrada", "threat"),
        ("２４時間以内にご確認ください", "urgency"),
    ],
)
def test_lexicon_finds_terms(text: str, category: str) -> None:
    assert category in default_lexicon().find(text)


def test_lexicon_matches_whole_words_only() -> None:
    assert default_lexicon().find("the urgently-needed urgentness") == {"urgency": ["urgently"]}
    assert default_lexicon().find("nothing to see here") == {}


def test_fold() -> None:
    assert fold("L’ACCÈS  Non\tautorisé") == "l'acces non autorise"
