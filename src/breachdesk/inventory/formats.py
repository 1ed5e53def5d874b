"""Value formats that change with the world, loaded from data files and validated:
password-hash formats, card issuer ranges, national identification numbers.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from breachdesk.inventory.rulefiles import RuleFileError, load_data_file, require

HASH_FILE = "password_hashes.yaml"
ISSUER_FILE = "card_issuers.yaml"
ID_FILE = "national_ids.yaml"


@dataclass(frozen=True)
class HashFormat:
    """A password-hash storage format recognised by its shape."""

    id: str
    label: str
    pattern: str
    salted: bool
    prefixed: bool
    param: str | None


@dataclass(frozen=True)
class Issuer:
    """A card scheme: leading digits (RE2 alternatives) and the PAN lengths it issues."""

    id: str
    prefix: str
    lengths: tuple[int, ...]


@dataclass(frozen=True)
class IdScheme:
    """A national identification number and how to check one."""

    country: str
    name: str
    check: Callable[[str], bool]
    strong: bool
    strong_pattern: str | None


def _check_pattern(pattern: str, where: str, name: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise RuleFileError(f"{where}: bad pattern: {exc}", path=name) from None
    # Arrow's extract_regex only accepts named groups.
    require(compiled.groups == len(compiled.groupindex), f"{where}: unnamed group", name)
    return compiled


@lru_cache(maxsize=1)
def hash_formats() -> tuple[HashFormat, ...]:
    """The password-hash formats of ``password_hashes.yaml``."""
    data = load_data_file(HASH_FILE)
    items = data.get("formats")
    require(isinstance(items, list) and bool(items), "formats must be a non-empty list", HASH_FILE)
    assert isinstance(items, list)
    formats: list[HashFormat] = []
    for item in items:
        require(isinstance(item, dict), "each format must be a mapping", HASH_FILE)
        fid = str(item.get("id", ""))
        pattern = str(item.get("pattern", ""))
        require(bool(fid) and bool(pattern), "each format needs an id and a pattern", HASH_FILE)
        compiled = _check_pattern(pattern, fid, HASH_FILE)
        param = item.get("param")
        if param is not None:
            require(
                any(g.startswith(str(param)) for g in compiled.groupindex),
                f"{fid}: param {param!r} is not a group of its pattern",
                HASH_FILE,
            )
        formats.append(
            HashFormat(
                id=fid,
                label=str(item.get("label", fid)),
                pattern=pattern,
                salted=bool(item.get("salted", True)),
                prefixed=bool(item.get("prefixed", True)),
                param=None if param is None else str(param),
            )
        )
    return tuple(formats)


@lru_cache(maxsize=1)
def issuers() -> tuple[Issuer, ...]:
    """Card issuer ranges of ``card_issuers.yaml``."""
    data = load_data_file(ISSUER_FILE)
    items = data.get("issuers")
    require(
        isinstance(items, list) and bool(items), "issuers must be a non-empty list", ISSUER_FILE
    )
    assert isinstance(items, list)
    found: list[Issuer] = []
    for item in items:
        require(isinstance(item, dict), "each issuer must be a mapping", ISSUER_FILE)
        prefix = str(item.get("prefix", ""))
        _check_pattern(prefix.replace("(", "(?:"), str(item.get("id")), ISSUER_FILE)
        lengths = item.get("lengths")
        require(
            isinstance(lengths, list)
            and all(isinstance(n, int) and 12 <= n <= 19 for n in lengths),
            f"{item.get('id')}: lengths must be integers from 12 to 19",
            ISSUER_FILE,
        )
        assert isinstance(lengths, list)
        found.append(Issuer(str(item.get("id")), prefix.replace("(", "(?:"), tuple(lengths)))
    return tuple(found)


@lru_cache(maxsize=1)
def id_schemes() -> tuple[IdScheme, ...]:
    """National id schemes of ``national_ids.yaml`` with their validators."""
    data = load_data_file(ID_FILE)
    items = data.get("schemes")
    require(isinstance(items, list) and bool(items), "schemes must be a non-empty list", ID_FILE)
    assert isinstance(items, list)
    schemes: list[IdScheme] = []
    for item in items:
        require(isinstance(item, dict), "each scheme must be a mapping", ID_FILE)
        name = str(item.get("name", ""))
        check: Callable[[str], bool]
        if "module" in item:
            module_name = str(item["module"])
            require(module_name.startswith("stdnum."), f"{name}: module must be stdnum", ID_FILE)
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                raise RuleFileError(f"{name}: no module {module_name}", path=ID_FILE) from None
            check = _stdnum_check(module.is_valid)
        elif "pattern" in item:
            compiled = _check_pattern(str(item["pattern"]), name, ID_FILE)
            check = _pattern_check(compiled)
        else:
            raise RuleFileError(f"{name}: needs a module or a pattern", path=ID_FILE)
        strong_pattern = item.get("strong_pattern")
        if strong_pattern is not None:
            _check_pattern(str(strong_pattern), name, ID_FILE)
        schemes.append(
            IdScheme(
                country=str(item.get("country", "")),
                name=name,
                check=check,
                strong=bool(item.get("strong", False)),
                strong_pattern=None if strong_pattern is None else str(strong_pattern),
            )
        )
    return tuple(schemes)


def _stdnum_check(is_valid: Callable[[str], bool]) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            return bool(is_valid(value))
        except Exception:  # a validator must never stop a scan
            return False

    return check


def _pattern_check(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        return pattern.fullmatch(value.upper()) is not None

    return check
