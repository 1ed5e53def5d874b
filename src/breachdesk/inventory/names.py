"""Column and table names read as words in several languages (``column_names.yaml``).

``Lexicon.match("Adresse_électronique")`` gives the categories a name points to and how
clearly; values then confirm or overrule (``classify``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from breachdesk.inventory.rulefiles import load_data_file, require, string_list
from breachdesk.model.categories import Category

LEXICON_FILE = "column_names.yaml"
PASSWORD = "credential.password"  # noqa: S105 - a category name, not a secret
"""Virtual category of the lexicon: a password column, plain or hashed as the values say."""
NONE = "none"

WHOLE = 0.9
PARTIAL = 0.6
COMPOUND = 0.7
AMBIGUOUS = 0.5
_MAX_TOKENS = 12
_COMPOUND_MIN = 5


@dataclass(frozen=True)
class NameHit:
    """A category a name points to: the phrase that matched and how clearly (0..1)."""

    category: str
    phrase: str
    strength: float
    ambiguous: bool = False


@dataclass(frozen=True)
class _Entry:
    joined: str
    phrase: str
    category: str
    ambiguous: bool


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    entry: _Entry
    compound: bool = False


def words(name: str) -> list[str]:
    """``name`` as lower-case ASCII words: accents dropped, camelCase and digits split."""
    text = unicodedata.normalize("NFKD", name[:200].replace("ß", "ss"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", " ", text)
    text = re.sub(r"(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])", " ", text)
    return re.findall(r"[a-z0-9]+", text.lower())[:_MAX_TOKENS]


class Lexicon:
    """The column-name lexicon, loaded from its data file and validated."""

    def __init__(self, data: dict[str, object]) -> None:
        name = LEXICON_FILE
        self.filler = frozenset(string_list(data.get("filler", []), "filler", name))
        self.negative = frozenset(string_list(data.get("negative", []), "negative", name))
        entries: list[_Entry] = []
        for phrase in string_list(data.get("none", []), "none", name):
            entries.append(_entry(phrase, NONE, ambiguous=False))
        categories = data.get("categories")
        require(isinstance(categories, dict), "categories must be a mapping", name)
        assert isinstance(categories, dict)
        valid = {c.value for c in Category} | {PASSWORD}
        for category, spec in categories.items():
            require(category in valid, f"unknown category {category!r}", name)
            require(isinstance(spec, dict), f"{category}: expected phrases/ambiguous", name)
            for phrase in string_list(spec.get("phrases", []), f"{category}.phrases", name):
                entries.append(_entry(phrase, category, ambiguous=False))
            for phrase in string_list(spec.get("ambiguous", []), f"{category}.ambiguous", name):
                entries.append(_entry(phrase, category, ambiguous=True))
        self._by_joined: dict[str, list[_Entry]] = {}
        for entry in entries:
            require(bool(entry.joined), f"empty phrase under {entry.category}", name)
            self._by_joined.setdefault(entry.joined, []).append(entry)
        self._compoundable = [e for e in entries if len(e.joined) >= _COMPOUND_MIN]
        self._cache: dict[str, tuple[NameHit, ...]] = {}
        tables = data.get("tables", {})
        require(isinstance(tables, dict), "tables must be a mapping", name)
        assert isinstance(tables, dict)
        self.table_words = {
            kind: frozenset("".join(words(w)) for w in string_list(values, f"tables.{kind}", name))
            for kind, values in tables.items()
        }

    def match(self, name: str) -> tuple[NameHit, ...]:
        """The categories ``name`` points to (empty when none, or when a negative word is in it)."""
        hits = self._cache.get(name)
        if hits is None:
            if len(self._cache) > 8192:
                self._cache.clear()
            hits = self._cache[name] = _compute(self, name)
        return hits

    def table_kinds(self, table: str) -> frozenset[str]:
        """Which of the lexicon's table kinds (person, order) a table name says it is."""
        tokens = words(table.rsplit("/", 1)[-1].split(".", 1)[0])
        joined = "".join(tokens)
        kinds = set()
        for kind, vocabulary in self.table_words.items():
            if kind == "purchase_columns":
                continue
            if any(t in vocabulary for t in tokens) or joined in vocabulary:
                kinds.add(kind)
        return frozenset(kinds)

    def is_purchase_column(self, name: str) -> bool:
        tokens = words(name)
        vocabulary = self.table_words.get("purchase_columns", frozenset())
        return any(t in vocabulary for t in tokens) or "".join(tokens) in vocabulary

    def spans(self, tokens: list[str]) -> list[_Span]:
        found: list[_Span] = []
        for start in range(len(tokens)):
            joined = ""
            for end in range(start + 1, len(tokens) + 1):
                joined += tokens[end - 1]
                for entry in self._by_joined.get(joined, ()):
                    found.append(_Span(start, end, entry))
        for index, token in enumerate(tokens):
            if len(token) <= _COMPOUND_MIN:
                continue
            for entry in self._compoundable:
                if entry.joined != token and entry.joined in token:
                    found.append(_Span(index, index + 1, entry, compound=True))
        return found


def _entry(phrase: str, category: str, *, ambiguous: bool) -> _Entry:
    return _Entry("".join(words(phrase)), phrase, category, ambiguous)


def _compute(lexicon: Lexicon, name: str) -> tuple[NameHit, ...]:
    tokens = words(name)
    if not tokens:
        return ()
    spans = lexicon.spans(tokens)
    # Longest phrase first; a shorter phrase inside a taken one does not count.
    spans.sort(key=lambda s: (-len(s.entry.joined), s.compound, s.start))
    taken: list[_Span] = []
    covered: set[int] = set()
    for span in spans:
        positions = set(range(span.start, span.end))
        if span.compound:
            if any(t.compound and t.start == span.start for t in taken):
                continue
            if any(not t.compound and positions & set(range(t.start, t.end)) for t in taken):
                continue
        elif positions & covered:
            continue
        taken.append(span)
        covered |= positions
    rest = [t for i, t in enumerate(tokens) if i not in covered]
    if any(t in lexicon.negative for t in rest):
        return ()
    meaningful = [t for t in rest if t not in lexicon.filler and not t.isdigit()]
    hits: dict[str, NameHit] = {}
    for span in taken:
        entry = span.entry
        if entry.category == NONE:
            continue
        if entry.ambiguous:
            strength = AMBIGUOUS
        elif span.compound:
            strength = COMPOUND
        else:
            strength = WHOLE if not meaningful else PARTIAL
        hit = NameHit(entry.category, entry.phrase, strength, entry.ambiguous)
        best = hits.get(entry.category)
        if best is None or hit.strength > best.strength:
            hits[entry.category] = hit
    # "nom_pays" is a country name, not a person's: a clear phrase beats an ambiguous word.
    if any(not h.ambiguous for h in hits.values()):
        hits = {k: h for k, h in hits.items() if not h.ambiguous}
    return tuple(sorted(hits.values(), key=lambda h: -h.strength))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon shipped with Breachdesk."""
    return Lexicon(load_data_file(LEXICON_FILE))
