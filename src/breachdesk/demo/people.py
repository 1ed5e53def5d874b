"""Locale-matched customers, generated in batches from pools drawn once from Faker.

Calling Faker for every row costs tens of microseconds per field; instead each locale's
names, phone shapes and mail domains are drawn from a seeded Faker once, then combined with
seeded random streams. The result is as locale-matched as Faker and fast enough for millions.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from faker import Faker

from breachdesk.demo.places import COUNTRIES, COUNTRY_INDEX, Place, load_places
from breachdesk.demo.seeding import np_stream, py_stream, stream_seed

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
CANARY_DOMAIN = "courrier-saintonge.fr"
SHOP_OPENED = np.datetime64("2017-03-01T00:00:00", "s")


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


@dataclass
class CustomerBatch:
    """Rows of ``customers`` for ids ``start`` .. ``start + len(rows) - 1``."""

    start: int
    rows: list[tuple[object, ...]]
    country: np.ndarray  # index into COUNTRIES, one per row
    language: list[str]
    created: np.ndarray  # datetime64[s]


class CustomerMaker:
    """Makes customers 1..n batch by batch; only the set of used emails is kept."""

    def __init__(self, seed: int, count: int, end: np.datetime64, canaries: dict[int, str]):
        self.seed = seed
        self.count = count
        self.end = end
        self.canaries = canaries
        self.pools = build_pools(seed)
        self.places: list[Place] = load_places()
        country_weight = {c.code: c.weight for c in COUNTRIES}
        totals: dict[str, float] = {}
        for place in self.places:
            totals[place.country] = totals.get(place.country, 0.0) + place.weight
        probs = np.array(
            [country_weight[p.country] * p.weight / totals[p.country] for p in self.places]
        )
        self.place_probs = probs / probs.sum()
        self._emails: set[str] = set()

    def created_times(self, ids: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Sign-up times growing with the id: the shop gains more customers every year."""
        span = (self.end - SHOP_OPENED).astype(np.int64)
        share = ((ids - 0.5) / self.count) ** 0.6
        jitter = rng.integers(-6 * 3600, 6 * 3600, size=len(ids))
        offsets = np.clip((share * span).astype(np.int64) + jitter, 0, span - 7200)
        times: np.ndarray = SHOP_OPENED + offsets.astype("timedelta64[s]")
        return times

    def batches(self, size: int = 20_000) -> Iterator[CustomerBatch]:
        for number, start in enumerate(range(1, self.count + 1, size)):
            yield self._batch(number, start, min(size, self.count - start + 1))

    def _batch(self, number: int, start: int, size: int) -> CustomerBatch:
        rng = np_stream(self.seed, "customers", number)
        prng = py_stream(self.seed, "customers", number)
        ids = np.arange(start, start + size, dtype=np.int64)
        place_idx = rng.choice(len(self.places), size=size, p=self.place_probs)
        name_pick = rng.random(size)
        first_idx = rng.integers(0, 1 << 30, size=size)
        last_idx = rng.integers(0, 1 << 30, size=size)
        pattern = rng.integers(0, 8, size=size)
        numbers = rng.integers(1, 100, size=size)
        years = rng.integers(55, 105, size=size) % 100
        phone_digits = rng.integers(0, 10_000, size=size)
        pick = rng.integers(0, 1 << 30, size=(size, 2))
        opt_in = rng.random(size) < 0.45
        created = self.created_times(ids, rng)
        changed = rng.random(size) < 0.35
        later = (rng.random(size) * (self.end - created).astype(np.int64)).astype(np.int64)
        updated = created + np.where(changed, later, 0).astype("timedelta64[s]")
        created_text = np.datetime_as_string(created, unit="s").tolist()
        updated_text = np.datetime_as_string(updated, unit="s").tolist()
        rows: list[tuple[object, ...]] = []
        languages: list[str] = []
        for i in range(size):
            place = self.places[place_idx[i]]
            pool = self.pools[place.language]
            names = pool.names[0]
            if len(pool.names) > 1 and name_pick[i] >= pool.name_weights[0]:
                names = pool.names[1]
            fi, li = int(first_idx[i]), int(last_idx[i])
            full_name = names.full_name(fi, li)
            customer_id = start + i
            email = self._email(
                names,
                fi,
                li,
                int(pattern[i]),
                int(numbers[i]),
                int(years[i]),
                pool,
                int(pick[i, 0]),
                customer_id,
            )
            digits = f"{int(phone_digits[i]):04d}"
            phone = pool.phones[int(pick[i, 1]) % len(pool.phones)].format(*digits)
            rows.append(
                (
                    customer_id,
                    full_name,
                    email,
                    phone,
                    place.city,
                    place.region,
                    place.postcode(prng),
                    place.country,
                    place.language,
                    created_text[i] + "Z",
                    updated_text[i] + "Z",
                    int(opt_in[i]),
                )
            )
            languages.append(place.language)
        country = np.array([COUNTRY_INDEX[self.places[p].country] for p in place_idx], np.uint8)
        return CustomerBatch(start, rows, country, languages, created)

    def _email(
        self,
        names: NamePool,
        fi: int,
        li: int,
        pattern: int,
        number: int,
        year: int,
        pool: LanguagePool,
        pick: int,
        customer_id: int,
    ) -> str:
        first = names.first_ascii[fi % len(names.first_ascii)] or "client"
        last = names.last_ascii[li % len(names.last_ascii)] or "client"
        if customer_id in self.canaries:
            domain = CANARY_DOMAIN
            pattern = 0
        else:
            domain = pool.domains[pick % len(pool.domains)]
            if pick % 10 < 3:  # about one customer in three uses Gmail, wherever they live
                domain = "gmail.com"
        local = (
            f"{first}.{last}",
            f"{first[0]}{last}",
            f"{first}{last}",
            f"{first}_{last}",
            f"{first}.{last}{number}",
            f"{last}.{first}",
            f"{first}{year:02d}",
            f"{first[0]}.{last}{number}",
        )[pattern]
        email = f"{local}@{domain}"
        extra = 1
        while email in self._emails:
            extra += 1
            email = f"{local}{extra}@{domain}"
        self._emails.add(email)
        if customer_id in self.canaries:
            self.canaries[customer_id] = email
        return email
