"""Per-language pools of names, phone shapes and mail domains, drawn once from Faker.

Calling Faker for every row costs tens of microseconds per field; drawing a few hundred
values per locale once, from a Faker seeded from the run's seed, and combining them with
seeded random streams is as locale-matched and fast enough for millions of rows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from faker import Faker

from breachdesk.demo.seeding import np_stream, stream_seed

# Which Faker locales name the people who speak a language (weights when several).
NAME_LOCALES: dict[str, tuple[tuple[str, float], ...]] = {
    "fr-FR": (("fr_FR", 1.0),),
    "en-GB": (("en_GB", 1.0),),
    "en-US": (("en_US", 1.0),),
    "de-DE": (("de_DE", 1.0),),
    "it-IT": (("it_IT", 1.0),),
    "es-ES": (("es_ES", 1.0),),
    "de-CH": (("de_CH", 1.0),),
    "fr-CH": (("fr_CH", 1.0),),
    "it-CH": (("it_CH", 1.0),),
    "ja-JP": (("ja_JP", 1.0),),
    # Faker has no Singapore locale: romanised Chinese and Indian names, as the city is.
    "en-SG": (("zh_CN", 0.65), ("en_IN", 0.35)),
    "en-AU": (("en_AU", 1.0),),
    "pt-BR": (("pt_BR", 1.0),),
    "en-CA": (("en_CA", 1.0),),
    "fr-CA": (("fr_CA", 1.0),),
}
# Mail providers Faker's lists miss for some markets.
_EXTRA_DOMAINS: dict[str, tuple[str, ...]] = {
    "en-US": ("icloud.com", "outlook.com", "aol.com"),
    "de-CH": ("bluewin.ch", "gmx.ch"),
    "it-CH": ("bluewin.ch",),
    "ja-JP": ("yahoo.co.jp", "docomo.ne.jp", "icloud.com"),
    "en-SG": ("singnet.com.sg", "yahoo.com.sg"),
    "en-AU": ("bigpond.com", "optusnet.com.au"),
    "en-CA": ("rogers.com", "shaw.ca", "sympatico.ca"),
    "fr-CA": ("videotron.ca", "sympatico.ca"),
    "es-ES": ("telefonica.net", "hotmail.es"),
}
_SG_PHONES = ("+65 8### ####", "+65 9### ####", "6### ####")
_POOL_DRAWS = 400
_ASCII_FIX = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ı": "i",
    }
)
LANGUAGES: tuple[str, ...] = tuple(NAME_LOCALES)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text`` (``Müller-Lüdenscheidt`` → ...)."""
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FIX))
    return "".join(ch for ch in folded.lower() if ch.isascii() and ch.isalnum())


@dataclass(frozen=True)
class NamePool:
    """First and last names of one Faker locale, with their ASCII forms for addresses."""

    first: tuple[str, ...]
    last: tuple[str, ...]
    first_ascii: tuple[str, ...]
    last_ascii: tuple[str, ...]
    family_first: bool
    separator: str = " "

    def full_name(self, first: int, last: int) -> str:
        f, l_ = self.first[first % len(self.first)], self.last[last % len(self.last)]
        return f"{l_}{self.separator}{f}" if self.family_first else f"{f} {l_}"


@dataclass(frozen=True)
class LanguagePool:
    """Everything needed to make a customer who speaks ``language``."""

    language: str
    names: tuple[NamePool, ...]
    name_weights: tuple[float, ...]
    phones: tuple[str, ...]  # str.format templates taking four random digits
    domains: tuple[str, ...]


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _name_pool(locale: str, fake: Faker, rng: np.random.Generator) -> NamePool:
    if locale == "ja_JP":
        firsts = [fake.first_name_pair() for _ in range(_POOL_DRAWS)]
        lasts = [fake.last_name_pair() for _ in range(_POOL_DRAWS)]
        first_map = dict((f[0], f[2]) for f in firsts)
        last_map = dict((l_[0], l_[2]) for l_ in lasts)
        return NamePool(
            tuple(first_map),
            tuple(last_map),
            tuple(ascii_fold(v) for v in first_map.values()),
            tuple(ascii_fold(v) for v in last_map.values()),
            family_first=True,
        )
    if locale == "zh_CN":
        syllables = _unique([fake.first_romanized_name() for _ in range(_POOL_DRAWS)])
        pairs = rng.integers(0, len(syllables), size=(_POOL_DRAWS, 2))
        given = _unique([f"{syllables[a]} {syllables[b]}" for a, b in pairs.tolist()])
        family = _unique([fake.last_romanized_name() for _ in range(_POOL_DRAWS)])
        return NamePool(
            given,
            family,
            tuple(ascii_fold(v) for v in given),
            tuple(ascii_fold(v) for v in family),
            family_first=True,
        )
    first = _unique([fake.first_name() for _ in range(_POOL_DRAWS)])
    last = _unique([fake.last_name() for _ in range(_POOL_DRAWS)])
    return NamePool(
        first,
        last,
        tuple(ascii_fold(v) for v in first),
        tuple(ascii_fold(v) for v in last),
        family_first=False,
    )


def _phone_template(number: str) -> str:
    """Faker's number with its last four digits made slots, so each row gets its own."""
    chars = list(number.replace("{", "").replace("}", ""))
    left = 4
    for i in range(len(chars) - 1, -1, -1):
        if left and chars[i].isdigit():
            chars[i] = "{}"
            left -= 1
    return "".join(chars)


@lru_cache(maxsize=4)
def build_pools(seed: int) -> dict[str, LanguagePool]:
    """One pool per language, drawn from Faker seeded from ``seed`` (deterministic)."""
    fakers: dict[str, Faker] = {}
    names: dict[str, NamePool] = {}
    locales = sorted({loc for pairs in NAME_LOCALES.values() for loc, _ in pairs})
    for locale in locales:
        fake = Faker(locale)
        fake.seed_instance(stream_seed(seed, "faker", locale))
        fakers[locale] = fake
        names[locale] = _name_pool(locale, fake, np_stream(seed, "names", locale))
    pools: dict[str, LanguagePool] = {}
    for language, pairs in NAME_LOCALES.items():
        main = fakers[pairs[0][0]]
        if language == "en-SG":
            phones = tuple(t.replace("####", "{}{}{}{}") for t in _SG_PHONES)
        else:
            phones = _unique([_phone_template(main.phone_number()) for _ in range(_POOL_DRAWS)])
        domains = _unique(
            [main.free_email_domain() for _ in range(_POOL_DRAWS)]
            + list(_EXTRA_DOMAINS.get(language, ()))
        )
        pools[language] = LanguagePool(
            language,
            tuple(names[loc] for loc, _ in pairs),
            tuple(weight for _, weight in pairs),
            phones,
            domains,
        )
    return pools
