"""Countries and real places (city, region, postcode shape, language) of the demo customers.

Faker's cities, regions and postcodes are drawn independently of each other, so a Faker
"Lyon" comes with a Marseille postcode; a small table of real places keeps them consistent.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

# Letters that may appear in Canadian postcodes (also fine for British inward codes below).
_CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
# Letters that may end a British postcode's inward code.
_GB_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_TOKEN = re.compile(r"\{(\d+)-(\d+)\}|#|\?|@|[^{#?@]+")


@dataclass(frozen=True)
class Country:
    """A market of the house: share of customers, currency, rough UTC offset, ISP prefixes."""

    code: str
    weight: float
    currency: str
    utc_offset: int
    ip_prefixes: tuple[int, ...]

    @property
    def visits(self) -> float:
        """How often its customers visit the Paris site, relative to Europe's."""
        return 1.0 if -1 <= self.utc_offset <= 2 else 0.45


# Shares of a Paris luxury house's online clientele; offsets are rough (a whole market).
COUNTRIES: tuple[Country, ...] = (
    Country("FR", 0.26, "EUR", 1, (78, 80, 82, 86, 88, 90, 92, 109, 176)),
    Country("US", 0.18, "USD", -6, (24, 47, 67, 68, 71, 73, 76, 98, 174)),
    Country("GB", 0.10, "GBP", 0, (2, 31, 81, 86, 92, 94, 109, 151)),
    Country("DE", 0.07, "EUR", 1, (79, 84, 87, 91, 93, 95, 217)),
    Country("IT", 0.06, "EUR", 1, (2, 5, 79, 87, 93, 151)),
    Country("ES", 0.05, "EUR", 1, (80, 83, 88, 95, 212)),
    Country("CH", 0.05, "CHF", 1, (31, 46, 85, 178, 188)),
    Country("JP", 0.07, "JPY", 9, (60, 114, 126, 133, 153, 180)),
    Country("SG", 0.03, "SGD", 8, (116, 118, 119, 175)),
    Country("AU", 0.03, "AUD", 10, (1, 49, 101, 110, 120, 124)),
    Country("BR", 0.04, "BRL", -3, (177, 179, 186, 187, 189, 201)),
    Country("CA", 0.06, "CAD", -5, (24, 70, 99, 142, 184)),
)
COUNTRY_INDEX: dict[str, int] = {c.code: i for i, c in enumerate(COUNTRIES)}


@dataclass(frozen=True)
class Place:
    country: str
    region: str
    city: str
    language: str
    weight: float
    postcode: Callable[[random.Random], str]


def postcode_maker(pattern: str) -> Callable[[random.Random], str]:
    """A function filling ``pattern``: ``#`` digit, ``?``/``@`` letters, ``{a-b}`` number.

    ``{01-20}`` pads to the width of its bounds, ``{1-20}`` does not; ``|`` separates
    alternatives chosen with equal chance.
    """
    alternatives = [_compile(alt) for alt in pattern.split("|")]

    def make(rng: random.Random) -> str:
        parts = (
            alternatives[rng.randrange(len(alternatives))]
            if len(alternatives) > 1
            else alternatives[0]
        )
        return "".join(part(rng) for part in parts)

    return make


def _number(low: int, high: int, width: int) -> Callable[[random.Random], str]:
    return lambda rng: str(rng.randint(low, high)).zfill(width)


def _letter(letters: str) -> Callable[[random.Random], str]:
    return lambda rng: rng.choice(letters)


def _fixed(text: str) -> Callable[[random.Random], str]:
    return lambda rng: text


def _compile(pattern: str) -> list[Callable[[random.Random], str]]:
    parts: list[Callable[[random.Random], str]] = []
    for match in _TOKEN.finditer(pattern):
        text = match.group(0)
        if match.group(1) is not None:
            low, high = match.group(1), match.group(2)
            parts.append(_number(int(low), int(high), len(low) if low.startswith("0") else 0))
        elif text == "#":
            parts.append(_number(0, 9, 0))
        elif text == "?":
            parts.append(_letter(_CA_LETTERS))
        elif text == "@":
            parts.append(_letter(_GB_LETTERS))
        else:
            parts.append(_fixed(text))
    return parts


def load_places() -> list[Place]:
    """The places table shipped in ``breachdesk/demo/data/places.csv``, in file order."""
    text = resources.files("breachdesk.demo").joinpath("data/places.csv").read_text("utf-8")
    places = []
    for row in csv.DictReader(io.StringIO(text)):
        places.append(
            Place(
                country=row["country"],
                region=row["region"],
                city=row["city"],
                language=row["language"],
                weight=float(row["weight"]),
                postcode=postcode_maker(row["postcode"]),
            )
        )
    return places
