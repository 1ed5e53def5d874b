"""Vectorised value tests: each shape test is one Arrow (RE2) call over every sampled cell of
a table at once; Luhn is numpy arithmetic; library validators (email-validator, phonenumbers,
python-stdnum) run only on a few regex-matching values per column.

The result is, per test, the share of each column's non-empty sampled values that pass.
"""

from __future__ import annotations

import importlib
import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from email_validator import EmailNotValidError, validate_email
from numpy.typing import NDArray

from breachdesk.inventory.formats import hash_formats, id_schemes, issuers
from breachdesk.inventory.results import HashObservation

Mask = NDArray[np.bool_]
Shares = NDArray[np.float64]

CHECKED_PER_COLUMN = 12
_PHONES_PER_COLUMN = 8
"""Values per column given to a (per-value, Python) library validator."""
_VALIDATE_FROM = 0.2
_DEFAULT_REGIONS = ("US", "GB", "FR", "DE", "ES", "IT", "JP", "CA", "AU", "BR", "CH", "SG")

EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s.]{2,63}$"
PHONE = r"^\+?[0-9(][0-9 ().\-/]{4,22}[0-9](?: ?(?:x|ext\.?) ?[0-9]{1,5})?$"
PHONE_PLAIN = r"^[0-9]+$"
CARD = r"^[0-9](?:[0-9]|[ -][0-9]){11,22}$"
CVV = r"^[0-9]{3,4}$"
EXPIRY = r"^(?:(?:0?[1-9]|1[0-2]) ?[/.-] ?(?:[0-9]{2}|20[0-9]{2})|20[0-9]{2}-(?:0[1-9]|1[0-2]))$"
MONTH = r"^(?:0?[1-9]|1[0-2])$"
YEAR = r"^(?:19|20)[0-9]{2}$"
IBAN = r"^[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]){11,30}$"
ID_SHAPE = r"^[A-Za-z0-9][A-Za-z0-9 ./-]{5,20}$"
DATE = (
    r"^(?:[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4})"
    r"(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)
# Date only (no time), year 1900-2012: what birth dates look like, unlike event timestamps.
BIRTH_DATE = (
    r"^(?:(?:19[0-9]{2}|200[0-9]|201[0-2])[-/.][0-9]{1,2}[-/.][0-9]{1,2}|"
    r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.](?:19[0-9]{2}|200[0-9]|201[0-2]))$"
)
PERSON = r"^[\p{Lu}\p{Lo}][\p{L}\p{M}'’.-]*(?:[ -][\p{L}\p{M}'’.-]+){0,4}$"
STREET_WORD = (
    r"(?i)(?:^|[\s,])(?:p\.? ?o\.? box|street|st\.?|road|rd\.?|avenue|ave\.?|lane|ln\.?|"
    r"drive|dr\.?|boulevard|blvd\.?|way|court|ct\.?|place|pl\.?|square|terrace|crescent|"
    r"highway|rue|chemin|allée|allee|impasse|quai|cours|via|viale|piazza|corso|vicolo|calle|"
    r"avenida|av\.?|plaza|paseo|carrera|rua|travessa|largo|strasse|straße|str\.?|weg|gasse|"
    r"platz|ring|damm|laan|straat|plein|gracht|ulica|ul\.?|utca|tie|katu|vej|gade|gatan|"
    r"vägen|põik|tänav|cho|chome|machi|dori)(?:$|[\s,.0-9])"
)
STREET_LOOSE = r"[0-9]"
ALPHA = r"^[\p{L}\p{M}][\p{L}\p{M} '’.,()/-]*$"
POSTAL = r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$"
DECIMAL = r"^-?[0-9]{1,3}\.[0-9]{3,}$"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4 = rf"^(?:{_OCTET}\.){{3}}{_OCTET}$"
IPV6 = r"^[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%[0-9A-Za-z]+)?$"
USER_AGENT = (
    r"^(?:Mozilla/[0-9]|Opera/[0-9]|Dalvik/|curl/|Wget/|python-requests/|Python-urllib/|"
    r"Go-http-client/|okhttp/|Java/|PostmanRuntime/|Apache-HttpClient/|facebookexternalhit/|"
    r"[A-Za-z][A-Za-z0-9_-]*[Bb]ot/)"
)
BLOOD = r"^(?:A|B|AB|O)[+-]$"
INTEGER = r"^-?[0-9]+$"
BOOLEAN = r"(?i)^(?:true|false|t|f|yes|no|y|n|0|1)$"
USERNAME = r"^[^\s]{2,64}$"


@dataclass
class Cells:
    """Every non-empty sampled cell of a table, flattened, with its column and row."""

    values: pa.Array
    column: NDArray[np.int32]
    row: NDArray[np.int32]
    counts: NDArray[np.int64]
    ncols: int

    def share(self, mask: Mask) -> Shares:
        hits = np.bincount(self.column[mask], minlength=self.ncols).astype(np.float64)
        return np.divide(hits, self.counts, out=np.zeros(self.ncols), where=self.counts > 0)

    def match(self, pattern: str, within: Mask | None = None) -> Mask:
        """Cells matching ``pattern`` (RE2), tested only ``within`` when given."""
        if len(self.values) == 0:
            return np.zeros(0, dtype=bool)
        if within is None:
            return _bools(pc.match_substring_regex(self.values, pattern))
        out = np.zeros(len(self.values), dtype=bool)
        index = np.flatnonzero(within)
        if index.size:
            subset = self.values.take(pa.array(index))
            out[index] = _bools(pc.match_substring_regex(subset, pattern))
        return out

    def per_column(self, mask: Mask, limit: int = CHECKED_PER_COLUMN) -> dict[int, list[int]]:
        """Up to ``limit`` evenly spread cell indexes of ``mask`` for each column."""
        index = np.flatnonzero(mask)
        if index.size == 0:
            return {}
        cols = self.column[index]
        bounds = np.flatnonzero(np.diff(cols)) + 1
        picked: dict[int, list[int]] = {}
        for chunk in np.split(index, bounds):
            step = max(1, chunk.size // limit)
            picked[int(self.column[chunk[0]])] = [int(i) for i in chunk[::step][:limit]]
        return picked

    def texts(self, index: Sequence[int]) -> list[str]:
        return [str(v) for v in self.values.take(pa.array(index, pa.int64())).to_pylist()]


def _bools(array: pa.Array | pa.ChunkedArray) -> Mask:
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def cells_of(columns: Sequence[pa.Array]) -> Cells:
    """The non-empty cells of ``columns`` (string arrays), flattened column by column."""
    ncols = len(columns)
    if ncols == 0 or all(len(c) == 0 for c in columns):
        empty = np.zeros(0, dtype=np.int32)
        return Cells(pa.array([], pa.string()), empty, empty, np.zeros(ncols, np.int64), ncols)
    lengths = np.array([len(c) for c in columns])
    values = pa.concat_arrays([c.cast(pa.string()) for c in columns])
    column = np.repeat(np.arange(ncols, dtype=np.int32), lengths)
    row = np.concatenate([np.arange(n, dtype=np.int32) for n in lengths])
    keep = _bools(pc.greater(pc.utf8_length(values), 0))
    column = column[keep]
    return Cells(
        values=values.filter(pa.array(keep)),
        column=column,
        row=row[keep],
        counts=np.bincount(column, minlength=ncols).astype(np.int64),
        ncols=ncols,
    )


@dataclass
class ValueEvidence:
    """Per test, each column's share of passing values; plus what validators checked."""

    shares: dict[str, Shares]
    checked: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict)
    hashes: dict[int, list[HashObservation]] = field(default_factory=dict)
    id_scheme: dict[int, str] = field(default_factory=dict)
    counts: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))

    def get(self, key: str, column: int) -> float:
        values = self.shares.get(key)
        return 0.0 if values is None else float(values[column])


def analyse(
    cells: Cells,
    *,
    row_regions: Sequence[str | None] | None = None,
    id_hints: set[int] | None = None,
    phone_hints: set[int] | None = None,
) -> ValueEvidence:
    """Run every value test over ``cells``; ``row_regions`` gives each row's country."""
    ev = ValueEvidence(shares={}, counts=cells.counts)
    if len(cells.values) == 0:
        return ev
    lengths = pc.utf8_length(cells.values).to_numpy(zero_copy_only=False)
    has_at = _bools(pc.match_substring(cells.values, "@"))
    digitish = _bools(pc.match_substring_regex(cells.values, r"^[0-9+(][0-9 ()./+-]*$"))
    short = lengths <= 64

    def put(key: str, mask: Mask) -> Mask:
        ev.shares[key] = cells.share(mask)
        return mask

    email = put("email_shape", cells.match(EMAIL, has_at & (lengths <= 320)))
    _validated(ev, cells, "email", email, _email_ok)
    phone = put("phone_shape", cells.match(PHONE, lengths <= 32))
    plain = put("phone_plain", cells.match(PHONE_PLAIN, phone))
    phone &= ~cells.match(r"^-?[0-9]+[.,][0-9]{1,2}$", phone)  # amounts, not numbers
    # Bare digit strings are checked as phone numbers only in columns named like phones.
    hinted = np.isin(cells.column, list(phone_hints or ()))
    _phones(ev, cells, phone & (~plain | hinted), row_regions)
    _cards(ev, cells, digitish & (lengths >= 12) & (lengths <= 23))
    cvv = put("cvv", cells.match(CVV, digitish & (lengths <= 4)))
    ev.shares["cvv_spread"] = _spread(cells, cvv)
    put("expiry", cells.match(EXPIRY, lengths <= 7))
    put("month", cells.match(MONTH, lengths <= 2))
    put("year", cells.match(YEAR, lengths == 4))
    iban = put("iban_shape", cells.match(IBAN, (lengths >= 15) & (lengths <= 42)))
    _validated(ev, cells, "iban", iban, _iban_ok)
    id_shape = cells.match(ID_SHAPE, lengths <= 22)
    id_shape &= cells.match(r"(?:[0-9][^0-9]*){5}", id_shape)  # five digits at least
    id_shape &= ~cells.match(DATE, id_shape) & ~cells.match(r"^-?[0-9]+[.,][0-9]+$", id_shape)
    _national_ids(ev, cells, id_shape, id_hints or set())
    dates = put("date", cells.match(DATE, lengths <= 35))
    put("birth_date", cells.match(BIRTH_DATE, dates))
    person = put("person_shape", cells.match(PERSON, short))
    put("name_words", _name_words(cells, person))
    put("street", cells.match(STREET_WORD, lengths <= 200))
    put("street_loose", cells.match(STREET_LOOSE, (lengths >= 5) & (lengths <= 200)))
    put("alpha", cells.match(ALPHA, short))
    put("iso2", _bools(pc.is_in(cells.values, value_set=region_codes())))
    postal = cells.match(POSTAL, lengths <= 10)
    put("postal", postal & cells.match(r"[0-9]", postal))
    _coordinates(ev, cells, cells.match(DECIMAL, lengths <= 24))
    ipv4 = cells.match(IPV4, lengths <= 15)
    ipv6 = cells.match(IPV6, (lengths >= 2) & (lengths <= 50) & ~ipv4)
    ev.shares["ipv4"] = cells.share(ipv4)
    _validated(ev, cells, "ipv6", ipv6, _ip_ok)
    ev.shares["ip"] = ev.shares["ipv4"] + ev.shares["ipv6"]
    put("user_agent", cells.match(USER_AGENT, lengths >= 8))
    put("blood", cells.match(BLOOD, lengths <= 3))
    put("integer", cells.match(INTEGER, lengths <= 20))
    put("boolean", cells.match(BOOLEAN, lengths <= 5))
    put("username", cells.match(USERNAME, short))
    _passwords(ev, cells, lengths)
    return ev


def _validated(
    ev: ValueEvidence, cells: Cells, key: str, shape: Mask, ok: Callable[[str], bool]
) -> None:
    """Share ``key`` = shape share x the validator's pass rate on a few values per column."""
    shape_share = cells.share(shape)
    rate = np.zeros(cells.ncols)
    checks: dict[int, tuple[int, int]] = {}
    wanted = shape & (shape_share[cells.column] >= _VALIDATE_FROM)
    for column, index in cells.per_column(wanted).items():
        passed = sum(ok(v) for v in cells.texts(index))
        checks[column] = (passed, len(index))
        rate[column] = passed / len(index)
    ev.shares[key] = shape_share * rate
    ev.checked[key] = checks


def _email_ok(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False, test_environment=True)
    except (EmailNotValidError, ValueError):
        return False
    return True


def _iban_ok(value: str) -> bool:
    from stdnum import iban

    try:
        return bool(iban.is_valid(value))
    except Exception:  # a validator must never stop a scan
        return False


def _ip_ok(value: str) -> bool:
    try:
        ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _phones(
    ev: ValueEvidence, cells: Cells, shape: Mask, row_regions: Sequence[str | None] | None
) -> None:
    shape_share = cells.share(shape)
    valid = np.zeros(cells.ncols)
    possible = np.zeros(cells.ncols)
    checks: dict[int, tuple[int, int]] = {}
    wanted = shape & (shape_share[cells.column] >= _VALIDATE_FROM)
    # Regions that parsed numbers of this table before are tried first: a column is
    # usually one country, or a few.
    regions: list[str] = list(_DEFAULT_REGIONS)
    for column, index in cells.per_column(wanted, limit=_PHONES_PER_COLUMN).items():
        rows = cells.row[index]
        n_valid = n_possible = 0
        for seen, (text, row) in enumerate(zip(cells.texts(index), rows, strict=True)):
            if seen == 6 and n_possible == 0:
                index = index[:seen]
                break
            region = (
                row_regions[row] if row_regions is not None and row < len(row_regions) else None
            )
            is_valid, is_possible = _phone_ok(text, region, regions)
            n_valid += is_valid
            n_possible += is_possible
        checks[column] = (n_valid, len(index))
        valid[column] = n_valid / len(index)
        possible[column] = n_possible / len(index)
    ev.shares["phone_valid"] = shape_share * valid
    ev.shares["phone_possible"] = shape_share * possible
    ev.checked["phone"] = checks


def _phone_ok(text: str, region: str | None, learned: list[str]) -> tuple[bool, bool]:
    """(valid, possible) for ``text``, parsed as international, in the row's country, or in
    each region of ``learned`` (which is reordered: the region that worked comes first)."""
    candidates: Sequence[str | None]
    if text.startswith("+"):
        candidates = (None,)
    elif region:
        candidates = (region,)
    else:
        candidates = tuple(learned)
    possible = False
    for candidate in candidates:
        try:
            number = phonenumbers.parse(text, candidate)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            if candidate in learned and learned[0] != candidate:
                learned.remove(candidate)
                learned.insert(0, candidate)
            return True, True
        possible = possible or phonenumbers.is_possible_number(number)
    return False, possible


def _cards(ev: ValueEvidence, cells: Cells, candidates: Mask) -> None:
    """Luhn-valid PANs in a known issuer range: numpy arithmetic over all candidates."""
    shape = cells.match(CARD, candidates)
    ok = np.zeros(len(cells.values), dtype=bool)
    index = np.flatnonzero(shape)
    if index.size:
        digits = pc.replace_substring(cells.values.take(pa.array(index)), " ", "")
        digits = pc.replace_substring(digits, "-", "")
        length = pc.utf8_length(digits).to_numpy(zero_copy_only=False)
        fits = (length >= 12) & (length <= 19)
        padded = pc.utf8_lpad(digits, 19, "0")
        matrix = _digit_matrix(padded)
        good = fits & _luhn(matrix)
        in_range = np.zeros(index.size, dtype=bool)
        for issuer in issuers():
            starts = _bools(pc.match_substring_regex(digits, f"^(?:{issuer.prefix})"))
            in_range |= starts & np.isin(length, issuer.lengths)
        ok[index] = good & in_range
    ev.shares["card"] = cells.share(ok)


def _digit_matrix(padded: pa.Array) -> NDArray[np.int8]:
    raw = b"".join(v.encode("ascii", "replace") for v in padded.to_pylist())
    data = np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 48
    return np.where((data >= 0) & (data <= 9), data, 0).reshape(-1, 19).astype(np.int8)


def _luhn(matrix: NDArray[np.int8]) -> Mask:
    """Luhn check of each row of right-aligned digits (19 columns, left-padded with 0)."""
    doubled = matrix[:, -2::-2].astype(np.int16) * 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    total = matrix[:, -1::-2].sum(axis=1, dtype=np.int32) + doubled.sum(axis=1, dtype=np.int32)
    return np.asarray(total % 10 == 0, dtype=bool)


def _national_ids(ev: ValueEvidence, cells: Cells, shape: Mask, hinted: set[int]) -> None:
    shape_share = cells.share(shape)
    best = np.zeros(cells.ncols)
    strong = np.zeros(cells.ncols)
    checks: dict[int, tuple[int, int]] = {}
    wanted = shape & (np.isin(cells.column, list(hinted)) | (shape_share[cells.column] >= 0.8))
    for column, index in cells.per_column(wanted, limit=16).items():
        texts = cells.texts(index)
        for scheme in id_schemes():
            value_only = scheme.strong or scheme.strong_pattern is not None
            if column not in hinted and not value_only:
                continue
            passed = sum(scheme.check(t) for t in texts[:4])
            if passed == 0 and column not in hinted:
                continue
            passed += sum(scheme.check(t) for t in texts[4:])
            rate = passed / len(texts)
            if rate > best[column]:
                best[column] = rate
                ev.id_scheme[column] = f"{scheme.country} {scheme.name}"
                checks[column] = (passed, len(texts))
            if scheme.strong:
                strong[column] = max(strong[column], rate)
            elif scheme.strong_pattern is not None:
                shaped = sum(re.fullmatch(scheme.strong_pattern, t) is not None for t in texts)
                strong[column] = max(strong[column], min(rate, shaped / len(texts)))
    ev.shares["national_id"] = shape_share * best
    ev.shares["national_id_strong"] = shape_share * strong
    ev.checked["national_id"] = checks


def _spread(cells: Cells, mask: Mask) -> Shares:
    """(max - min) / 999 of each column's numeric values under ``mask``: card codes are
    spread over 000-999, heights or ages are not."""
    out = np.zeros(cells.ncols)
    index = np.flatnonzero(mask)
    if index.size == 0:
        return out
    numbers = pc.cast(cells.values.take(pa.array(index)), pa.int64()).to_numpy()
    cols = cells.column[index]
    high = np.full(cells.ncols, -1, dtype=np.int64)
    low = np.full(cells.ncols, 10_000, dtype=np.int64)
    np.maximum.at(high, cols, numbers)
    np.minimum.at(low, cols, numbers)
    seen = high >= 0
    out[seen] = (high[seen] - low[seen]) / 999
    return out


def _name_words(cells: Cells, person: Mask) -> Mask:
    """Cells (of person-shaped ones) with a word that is a known first or last name."""
    out = np.zeros(len(cells.values), dtype=bool)
    index = np.flatnonzero(person)
    if index.size == 0:
        return out
    words = pc.utf8_split_whitespace(pc.utf8_lower(cells.values.take(pa.array(index))))
    flat = pc.list_flatten(words)
    parents = pc.list_parent_indices(words).to_numpy(zero_copy_only=False)
    known = _bools(pc.is_in(flat, value_set=person_names()))
    hit = np.bincount(parents[known], minlength=index.size) > 0
    out[index] = hit
    return out


def _coordinates(ev: ValueEvidence, cells: Cells, decimal: Mask) -> None:
    lat = np.zeros(len(cells.values), dtype=bool)
    lon = np.zeros(len(cells.values), dtype=bool)
    index = np.flatnonzero(decimal)
    if index.size:
        numbers = pc.cast(cells.values.take(pa.array(index)), pa.float64()).to_numpy()
        lat[index] = np.abs(numbers) <= 90
        lon[index] = np.abs(numbers) <= 180
    ev.shares["latitude"] = cells.share(lat)
    ev.shares["longitude"] = cells.share(lon)


def _passwords(ev: ValueEvidence, cells: Cells, lengths: NDArray[np.int64]) -> None:
    any_hash = np.zeros(len(cells.values), dtype=bool)
    prefixed = np.zeros(len(cells.values), dtype=bool)
    candidates = (lengths >= 13) & (lengths <= 512)
    for fmt in hash_formats():
        mask = cells.match(fmt.pattern, candidates & ~any_hash)
        if not mask.any():
            continue
        any_hash |= mask
        if fmt.prefixed:
            prefixed |= mask
        index = np.flatnonzero(mask)
        params = _params(cells, index, fmt.pattern, fmt.param)
        cols = cells.column[index]
        for column in np.unique(cols):
            in_column = cols == column
            low = None
            if params is not None:
                found = params[in_column]
                found = found[found >= 0]
                low = int(found.min()) if found.size else None
            ev.hashes.setdefault(int(column), []).append(
                HashObservation(fmt.id, int(in_column.sum()), low)
            )
    ev.shares["hash_any"] = cells.share(any_hash)
    ev.shares["hash_prefixed"] = cells.share(prefixed)
    # Plain text: not a known hash, not a long opaque encoding (ciphertext, token), not a date.
    opaque = cells.match(r"^(?:[0-9a-fA-F]{16,}|[A-Za-z0-9+/=_-]{40,})$", ~any_hash)
    plain = ~any_hash & ~opaque & (lengths <= 64)
    plain &= ~cells.match(DATE, plain & (lengths <= 35))
    plain &= ~cells.match(r"^[!*]", plain)
    ev.shares["plain"] = cells.share(plain)


def _params(
    cells: Cells, index: NDArray[np.intp], pattern: str, param: str | None
) -> NDArray[np.int64] | None:
    if param is None or index.size == 0:
        return None
    extracted = pc.extract_regex(cells.values.take(pa.array(index)), pattern)
    out = np.full(index.size, -1, dtype=np.int64)
    for name in (f.name for f in extracted.type):
        if not name.startswith(param):
            continue
        text = pc.struct_field(extracted, name)
        numbers = pc.cast(pc.if_else(pc.equal(text, ""), None, text), pa.int64())
        values = numbers.to_numpy(zero_copy_only=False)
        found = ~np.isnan(values.astype(np.float64))
        out[found] = values[found].astype(np.int64)
    return out


@lru_cache(maxsize=1)
def region_codes() -> pa.Array:
    """ISO 3166 alpha-2 codes (phonenumbers' regions, plus UK)."""
    return pa.array(sorted(phonenumbers.SUPPORTED_REGIONS | {"UK"}))


@lru_cache(maxsize=1)
def person_names() -> pa.Array:
    """Lower-cased first and last names of many locales (from Faker's person providers)."""
    names: set[str] = set()
    for locale in _NAME_LOCALES:
        try:
            module = importlib.import_module(f"faker.providers.person.{locale}")
        except ImportError:
            continue
        provider = getattr(module, "Provider", None)
        for attribute in (
            "first_names",
            "first_names_male",
            "first_names_female",
            "last_names",
            "first_romanized_names",
            "last_romanized_names",
        ):
            values = getattr(provider, attribute, ())
            names.update(str(v).lower() for v in values)
    return pa.array(sorted(n for n in names if len(n) > 1))


_NAME_LOCALES = (
    "en_US",
    "en_GB",
    "en_IE",
    "en_AU",
    "en_CA",
    "en_IN",
    "fr_FR",
    "fr_CA",
    "de_DE",
    "de_AT",
    "de_CH",
    "es_ES",
    "es_MX",
    "es_AR",
    "it_IT",
    "pt_BR",
    "pt_PT",
    "nl_NL",
    "ja_JP",
    "cs_CZ",
    "pl_PL",
    "sl_SI",
    "sk_SK",
    "hu_HU",
    "ro_RO",
    "sv_SE",
    "no_NO",
    "da_DK",
    "fi_FI",
    "et_EE",
    "hr_HR",
    "el_GR",
    "tr_TR",
    "ru_RU",
    "uk_UA",
    "zh_CN",
    "ko_KR",
    "ar_AA",
)
