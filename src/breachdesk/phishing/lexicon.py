"""Urgency, threat and credential language in six languages, loaded from data files.

Each ``data/lexicon/<lang>.yaml`` lists terms by category. Text and terms are folded the
same way (case, accents, width, apostrophes) so ``Vérifiez`` matches ``verifiez``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from breachdesk.errors import ConfigError

CATEGORIES = ("urgency", "threat", "credential")
LANGUAGES = ("en", "fr", "de", "it", "es", "ja")
MAX_SCAN_CHARS = 64 * 1024
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def fold(text: str) -> str:
    """Lower case, no accents, compatibility forms (full-width digits), one space."""
    value = text.lower()
    if not value.isascii():
        value = unicodedata.normalize("NFKD", value.translate(_APOSTROPHES))
        value = _COMBINING.sub("", value)
    return " ".join(value.split())


_WORD = re.compile(r"\w+")
_COMBINING = re.compile("[\u0300-\u036f\u3099\u309a]")


@dataclass(frozen=True)
class Lexicon:
    """Folded terms by category; ``shown`` maps a folded term to how the lexicon writes it.

    Spaced terms are looked up by their first word (one dictionary probe a word of text);
    unspaced (Japanese) terms as substrings.
    """

    by_first_word: dict[str, list[tuple[str, str]]]
    unspaced: list[tuple[str, str]]
    shown: dict[str, str]

    def find(self, text: str) -> dict[str, list[str]]:
        """Category → distinct terms found in ``text`` (as written in the lexicon)."""
        folded = fold(text[:MAX_SCAN_CHARS])
        found: dict[str, dict[str, None]] = {}
        for word in _WORD.finditer(folded):
            for term, category in self.by_first_word.get(word.group(), ()):
                end = word.start() + len(term)
                if folded.startswith(term, word.start()) and not _word_char(folded, end):
                    found.setdefault(category, {})[self.shown[term]] = None
        if not folded.isascii():
            for term, category in self.unspaced:
                if term in folded:
                    found.setdefault(category, {})[self.shown[term]] = None
        return {category: list(terms) for category, terms in found.items()}


def _word_char(text: str, index: int) -> bool:
    return index < len(text) and (text[index].isalnum() or text[index] == "_")


def load_lexicon(languages: Iterable[str] = LANGUAGES) -> Lexicon:
    """The bundled lexicons of ``languages``; ConfigError when a file is malformed."""
    by_first_word: dict[str, list[tuple[str, str]]] = {}
    unspaced: list[tuple[str, str]] = []
    shown: dict[str, str] = {}
    for language in languages:
        for category, terms in _read(language).items():
            for term in terms:
                folded = fold(term)
                if folded in shown:
                    continue
                shown[folded] = term
                first = _WORD.match(folded)
                if folded.isascii() and first is not None:
                    by_first_word.setdefault(first.group(), []).append((folded, category))
                else:
                    unspaced.append((folded, category))
    return Lexicon(by_first_word, unspaced, shown)


@cache
def default_lexicon() -> Lexicon:
    return load_lexicon()


def _read(language: str) -> dict[str, list[str]]:
    name = f"data/lexicon/{language}.yaml"
    try:
        text = resources.files("breachdesk.phishing").joinpath(name).read_text("utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the lexicon: {exc}", path=name) from None
    if not isinstance(data, dict) or data.get("language") != language:
        raise ConfigError(f"lexicon must say 'language: {language}'", path=name)
    result: dict[str, list[str]] = {}
    for category in CATEGORIES:
        terms = data.get(category, [])
        if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms):
            raise ConfigError(f"'{category}' must be a list of terms", path=name)
        result[category] = terms
    unknown = set(data) - {"language", *CATEGORIES}
    if unknown:
        raise ConfigError(f"unknown keys {sorted(unknown)}", path=name)
    return result
