"""Jurisdiction codes: ISO 3166-1 alpha-2 countries and the ISO 3166-2 subdivisions we resolve.

A residents key must be one of these; anything else is an error naming the key, never a
jurisdiction silently skipped.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from breachdesk.errors import UserInputError

# Territories that are both an ISO 3166-1 country code and a US subdivision: one jurisdiction.
ALIASES = {"PR": "US-PR", "GU": "US-GU", "VI": "US-VI", "AS": "US-AS", "MP": "US-MP"}
# Countries whose breach laws are per subdivision, so the country alone cannot be assessed.
SPLIT_BY_SUBDIVISION = frozenset({"US"})
# Countries whose subdivisions Breachdesk resolves (to the country's federal regime for CA, AU).
WITH_SUBDIVISIONS = frozenset({"US", "CA", "AU"})


@cache
def _codes() -> tuple[frozenset[str], frozenset[str]]:
    text = resources.files("breachdesk.law.data").joinpath("iso3166.txt").read_text("utf-8")
    section = ""
    countries: set[str] = set()
    subdivisions: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        (countries if section == "[countries]" else subdivisions).update(line.split())
    return frozenset(countries), frozenset(subdivisions)


def countries() -> frozenset[str]:
    return _codes()[0]


def subdivisions() -> frozenset[str]:
    return _codes()[1]


def normalise_code(raw: str, *, where: str = "residents") -> str:
    """``raw`` as a canonical code (``fr`` → ``FR``, ``PR`` → ``US-PR``); UserInputError if not."""
    code = raw.strip().upper().replace("_", "-")
    code = ALIASES.get(code, code)
    if "-" in code:
        country = code.split("-", 1)[0]
        if country not in countries():
            raise UserInputError(f"{where}: unknown country in {raw!r} (ISO 3166-1 alpha-2)")
        if country not in WITH_SUBDIVISIONS:
            known = ", ".join(sorted(WITH_SUBDIVISIONS))
            raise UserInputError(
                f"{where}: subdivision {raw!r} is not used for {country}; give the country code "
                f"{country!r} (subdivisions are resolved for {known})"
            )
        if code not in subdivisions():
            raise UserInputError(f"{where}: unknown ISO 3166-2 subdivision {raw!r}")
        return code
    if code == "UK":
        raise UserInputError(f"{where}: {raw!r} is not an ISO 3166-1 code; the UK is 'GB'")
    if code == "EL":
        raise UserInputError(f"{where}: {raw!r} is the EU's code for Greece; ISO 3166-1 is 'GR'")
    if code not in countries():
        raise UserInputError(f"{where}: unknown jurisdiction code {raw!r} (ISO 3166-1 alpha-2)")
    return code


def country_of(code: str) -> str:
    return code.split("-", 1)[0]
