"""Column classification: name evidence + declared type + value evidence → categories.

A name alone proposes; values confirm or overrule (strict categories), or suffice alone for
self-describing formats (emails, card numbers, hashes). Table context settles ambiguous
names ("name", "state") and finds account keys and purchase history.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.inventory.names import PASSWORD, Lexicon, NameHit, default_lexicon
from breachdesk.inventory.results import (
    CategoryMatch,
    ColumnReport,
    Evidence,
    HashObservation,
    TableReport,
)
from breachdesk.inventory.sample import ColumnSample, TableSample, mask_value
from breachdesk.inventory.values import ValueEvidence, analyse, cells_of, region_codes
from breachdesk.model.categories import Category

C = Category
ACCEPT = 0.5
_MIN_VALUES = 3
_NUMERIC_TYPE = re.compile(
    r"^(?:tiny|small|medium|big|unsigned |u)?int(?:eger|\d+)?\b|numeric|decimal|^real\b|"
    r"double|float|serial|^number",
    re.I,
)
_BOOL_TYPE = re.compile(r"bool", re.I)
_TEXT_ONLY = {
    C.CONTACT_EMAIL,
    C.CONTACT_NAME,
    C.CONTACT_ADDRESS,
    C.LOCATION_CITY,
    C.LOCATION_REGION,
    C.LOCATION_COUNTRY,
    C.ACCOUNT_USERNAME,
    C.DEVICE_USER_AGENT,
    C.CREDENTIAL_SECURITY_ANSWER,
}
# Categories that make a table "about people": ambiguous names in it are read as personal.
_ANCHORS = {
    C.CONTACT_EMAIL,
    C.CONTACT_PHONE,
    C.CONTACT_ADDRESS,
    C.IDENTITY_BIRTH_DATE,
    C.IDENTITY_NATIONAL_ID,
    C.IDENTITY_GOVERNMENT_ID,
    C.FINANCIAL_CARD_NUMBER,
    C.ACCOUNT_USERNAME,
    C.CREDENTIAL_PASSWORD_HASH,
    C.CREDENTIAL_PASSWORD_PLAIN,
}
# Direct identifiers: a table holding one of these is a person table; its key is account.id.
_IDENTIFIERS = {
    C.CONTACT_EMAIL,
    C.CONTACT_PHONE,
    C.CONTACT_NAME,
    C.CONTACT_ADDRESS,
    C.IDENTITY_NATIONAL_ID,
    C.IDENTITY_GOVERNMENT_ID,
    C.IDENTITY_BIRTH_DATE,
}
_SOFT = {C.CONTACT_NAME, C.CONTACT_ADDRESS, C.IDENTITY_BIRTH_DATE, C.LOCATION_COUNTRY}
_KEY_NAMES = {"id", "uuid", "guid", "pk", "key"}


@dataclass(frozen=True)
class _Rule:
    """How values bear on a category: the share that confirms a name, the share that is
    enough alone (None: never), and whether values below ``confirm`` overrule the name."""

    confirm: float
    alone: float | None
    strict: bool
    label: str
    cap: float = 0.95


RULES: dict[Category, _Rule] = {
    C.CONTACT_EMAIL: _Rule(0.3, 0.8, True, "valid email addresses"),
    C.CONTACT_PHONE: _Rule(0.3, 0.7, True, "valid phone numbers"),
    C.CONTACT_NAME: _Rule(0.5, 0.4, True, "shaped like person names"),
    C.CONTACT_ADDRESS: _Rule(0.3, 0.6, True, "shaped like street addresses"),
    C.LOCATION_CITY: _Rule(0.6, None, True, "place names"),
    C.LOCATION_REGION: _Rule(0.6, None, True, "region names or codes"),
    C.LOCATION_COUNTRY: _Rule(0.6, 0.95, True, "country names or ISO codes", cap=0.65),
    C.LOCATION_POSTAL_CODE: _Rule(0.6, None, True, "shaped like postal codes"),
    C.LOCATION_GEO: _Rule(0.8, None, True, "coordinates in range"),
    C.IDENTITY_BIRTH_DATE: _Rule(0.6, 0.9, True, "dates", cap=0.65),
    C.IDENTITY_NATIONAL_ID: _Rule(0.3, 0.8, False, "valid national id numbers"),
    C.IDENTITY_GOVERNMENT_ID: _Rule(0.5, None, False, "document-number shaped"),
    C.ACCOUNT_USERNAME: _Rule(0.5, None, True, "single-word handles"),
    C.ACCOUNT_ID: _Rule(0.8, None, False, "key-shaped"),
    C.CREDENTIAL_SECURITY_ANSWER: _Rule(0.0, None, False, "free text"),
    C.FINANCIAL_CARD_NUMBER: _Rule(0.5, 0.8, True, "Luhn-valid card numbers in issuer ranges"),
    C.FINANCIAL_CARD_SECURITY_CODE: _Rule(0.8, None, True, "3-4 digit codes"),
    C.FINANCIAL_CARD_EXPIRY: _Rule(0.8, None, True, "month/year values"),
    C.FINANCIAL_BANK_ACCOUNT: _Rule(0.3, 0.8, False, "valid IBANs"),
    C.HEALTH_ANY: _Rule(0.0, 0.9, False, "blood groups"),
    C.NETWORK_IP: _Rule(0.5, 0.8, True, "IP addresses"),
    C.DEVICE_USER_AGENT: _Rule(0.3, 0.6, True, "browser user agents"),
}


def _share(ev: ValueEvidence, category: Category, col: int) -> float:
    """Share of the column's values that fit ``category``'s value test."""
    g = ev.get
    match category:
        case C.CONTACT_EMAIL:
            return g("email", col)
        case C.CONTACT_PHONE:
            return max(g("phone_valid", col), g("phone_possible", col) * 0.9)
        case C.CONTACT_NAME:
            return g("person_shape", col)
        case C.CONTACT_ADDRESS:
            return max(g("street", col), g("street_loose", col) * 0.9)
        case C.LOCATION_CITY:
            return g("alpha", col)
        case C.LOCATION_REGION:
            return max(g("alpha", col), g("iso2", col))
        case C.LOCATION_COUNTRY:
            return max(g("alpha", col), g("iso2", col))
        case C.LOCATION_POSTAL_CODE:
            return g("postal", col)
        case C.LOCATION_GEO:
            return g("longitude", col)
        case C.IDENTITY_BIRTH_DATE:
            return g("date", col)
        case C.IDENTITY_NATIONAL_ID:
            return g("national_id", col)
        case C.IDENTITY_GOVERNMENT_ID:
            return g("username", col)
        case C.ACCOUNT_USERNAME:
            return g("username", col)
        case C.ACCOUNT_ID:
            return g("username", col)
        case C.FINANCIAL_CARD_NUMBER:
            return g("card", col)
        case C.FINANCIAL_CARD_SECURITY_CODE:
            return g("cvv", col)
        case C.FINANCIAL_CARD_EXPIRY:
            return max(g("expiry", col), g("month", col), g("year", col))
        case C.FINANCIAL_BANK_ACCOUNT:
            return g("iban", col)
        case C.HEALTH_ANY:
            return g("blood", col)
        case C.NETWORK_IP:
            return g("ip", col)
        case C.DEVICE_USER_AGENT:
            return g("user_agent", col)
        case _:
            return 0.0


def _alone(ev: ValueEvidence, category: Category, col: int) -> float:
    """Share that counts when there is no name evidence (stricter than ``_share``)."""
    g = ev.get
    match category:
        case C.CONTACT_PHONE:
            # Bare digit strings, decimals and dates are not phone numbers without a name.
            if max(g("phone_plain", col), g("latitude", col), g("date", col)) >= 0.3:
                return 0.0
            return g("phone_valid", col)
        case C.CONTACT_NAME:
            # Most values are capitalised words, and many are known first or last names.
            return g("name_words", col) if g("person_shape", col) >= 0.9 else 0.0
        case C.CONTACT_ADDRESS:
            street = g("street", col)
            if street < 0.6 and street >= 0.35 and g("street_loose", col) >= 0.9:
                return 0.6  # international addresses: a street word in many, a number in all
            return street
        case C.IDENTITY_BIRTH_DATE:
            return g("birth_date", col)
        case C.LOCATION_COUNTRY:
            return g("iso2", col)
        case C.IDENTITY_NATIONAL_ID:
            return g("national_id_strong", col)
        case _:
            return _share(ev, category, col)


@dataclass
class _Column:
    index: int
    name: str
    declared_type: str
    hits: tuple[NameHit, ...]
    non_empty: int
    matches: dict[Category, CategoryMatch]


def classify_table(
    sample: TableSample, *, lexicon: Lexicon | None = None, examples: bool = False
) -> TableReport:
    """Classify every column of ``sample``; examples (masked) only when asked for."""
    lexicon = lexicon or default_lexicon()
    columns = list(sample.columns)
    hits = [lexicon.match(c.name) for c in columns]
    cells = cells_of([c.values for c in columns])
    id_hints = {i for i, h in enumerate(hits) if _hit(h, C.IDENTITY_NATIONAL_ID)}
    phone_hints = {i for i, h in enumerate(hits) if _hit(h, C.CONTACT_PHONE)}
    ev = analyse(
        cells,
        row_regions=_row_regions(columns, hits),
        id_hints=id_hints,
        phone_hints=phone_hints,
    )
    work = [
        _Column(
            i,
            c.name,
            c.declared_type,
            hits[i],
            int(cells.counts[i]) if len(cells.counts) else 0,
            {},
        )
        for i, c in enumerate(columns)
    ]
    kinds = lexicon.table_kinds(sample.table)
    for column in work:
        _decide(column, ev, ambiguous=False)
    personal = "person" in kinds or any(
        k in _ANCHORS or (k == C.CONTACT_NAME and m.confidence >= 0.7)
        for c in work
        for k, m in c.matches.items()
    )
    for column in work:
        if personal:
            _decide(column, ev, ambiguous=True)
    _card_context(work, ev)
    _geo_pairs(work, ev)
    _keys(work, columns)
    _purchases(work, kinds, lexicon)
    reports = tuple(_report(c, columns[c.index].values, ev, examples=examples) for c in work)
    return TableReport(
        source=sample.source,
        table=sample.table,
        kind=sample.kind,
        row_count=sample.row_count,
        row_count_exact=sample.row_count_exact,
        sampled_rows=sample.sampled_rows,
        columns=reports,
        notes=sample.notes,
    )


def _hit(hits: Sequence[NameHit], category: Category) -> NameHit | None:
    return next((h for h in hits if h.category == category.value), None)


def _row_regions(
    columns: Sequence[ColumnSample], hits: list[tuple[NameHit, ...]]
) -> list[str | None] | None:
    """Each row's ISO country code, from a column named like a country that holds codes."""
    for column, column_hits in zip(columns, hits, strict=True):
        if not _hit(column_hits, C.LOCATION_COUNTRY) or len(column.values) == 0:
            continue
        upper = pc.utf8_upper(column.values)
        known = pc.is_in(upper, value_set=region_codes()).fill_null(False)
        if (pc.mean(pc.cast(known, pa.int8())).as_py() or 0) >= 0.6:
            codes = pc.if_else(known, upper, pa.scalar(None, pa.string()))
            return [None if v is None else str(v) for v in codes.to_pylist()]
    return None


def _decide(column: _Column, ev: ValueEvidence, *, ambiguous: bool) -> None:
    col = column.index
    enough_values = column.non_empty >= _MIN_VALUES
    type_text = column.declared_type or ""
    numeric = bool(_NUMERIC_TYPE.search(type_text)) and "char" not in type_text.lower()
    if _BOOL_TYPE.search(type_text):
        return
    for hit in column.hits:
        if hit.ambiguous != ambiguous:
            continue
        if hit.category == PASSWORD:
            if not ambiguous or hit.strength > 0:
                _password(column, ev, hit)
            continue
        category = Category(hit.category)
        if category in column.matches:
            continue
        rule = RULES.get(category)
        if rule is None:
            continue
        if numeric and category in _TEXT_ONLY:
            continue
        evidence = [Evidence("name", f"column name matches {hit.phrase!r}", hit.strength)]
        if not enough_values:
            confidence = 0.1 + 0.6 * hit.strength / 0.9 if not ambiguous else 0.5
            evidence.append(
                Evidence("values", f"only {column.non_empty} non-empty values sampled", 0.0)
            )
            column.matches[category] = CategoryMatch(category, confidence, tuple(evidence))
            continue
        share = _share(ev, category, col)
        if rule.strict and share < rule.confirm:
            continue
        if ev.get("boolean", col) >= 0.9 and category not in {C.HEALTH_ANY}:
            continue
        evidence.extend(_value_evidence(ev, category, col, share, rule))
        if rule.strict or share >= rule.confirm:
            confidence = 0.5 + 0.25 * hit.strength / 0.9 + 0.25 * share
        else:
            confidence = 0.4 + 0.3 * hit.strength / 0.9
        if ambiguous:
            confidence = min(confidence, 0.55 + 0.35 * share)
            evidence.append(Evidence("context", "table holds other personal data", 1.0))
        column.matches[category] = CategoryMatch(category, min(confidence, 0.99), tuple(evidence))
    if ambiguous:
        return
    if not enough_values:
        return
    # Values alone: self-describing formats, whatever the column is called; softer guesses
    # (names, addresses, dates, country codes) only where the name said nothing.
    best: tuple[float, Category] | None = None
    for category, rule in RULES.items():
        if rule.alone is None or category in column.matches:
            continue
        if column.matches and category in _SOFT:
            continue
        if numeric and category in _TEXT_ONLY:
            continue
        share = _alone(ev, category, col)
        if share >= rule.alone and (best is None or share > best[0]):
            best = (share, category)
    if best is not None:
        share, category = best
        rule = RULES[category]
        evidence = _value_evidence(ev, category, col, share, rule)
        confidence = min(rule.cap, 0.45 + 0.5 * share)
        column.matches[category] = CategoryMatch(category, confidence, tuple(evidence))
    if not any(h.category == PASSWORD for h in column.hits):
        prefixed = ev.get("hash_prefixed", col)
        if prefixed >= 0.8:
            _add_hash(column, ev, prefixed, None)


def _value_evidence(
    ev: ValueEvidence, category: Category, col: int, share: float, rule: _Rule
) -> list[Evidence]:
    n = int(ev.counts[col]) if len(ev.counts) > col else 0
    out = [Evidence("values", f"{share:.0%} of {n} sampled values are {rule.label}", share)]
    key = {
        C.CONTACT_EMAIL: ("email", "email-validator"),
        C.CONTACT_PHONE: ("phone", "phonenumbers"),
        C.FINANCIAL_BANK_ACCOUNT: ("iban", "python-stdnum iban"),
        C.IDENTITY_NATIONAL_ID: ("national_id", "python-stdnum"),
    }.get(category)
    if key is not None:
        passed, checked = ev.checked.get(key[0], {}).get(col, (0, 0))
        if checked:
            what = key[1]
            if category == C.IDENTITY_NATIONAL_ID and col in ev.id_scheme:
                what = f"{what} ({ev.id_scheme[col]})"
            out.append(
                Evidence(
                    "validator", f"{what}: {passed}/{checked} checked values pass", passed / checked
                )
            )
    if category == C.FINANCIAL_CARD_NUMBER:
        out.append(Evidence("validator", "Luhn check and issuer range (vectorised)", share))
    return out


def _password(column: _Column, ev: ValueEvidence, hit: NameHit) -> None:
    col = column.index
    name_ev = Evidence("name", f"column name matches {hit.phrase!r}", hit.strength)
    if column.non_empty < _MIN_VALUES:
        hashed = any(w in hit.phrase for w in ("hash", "digest", "crypt"))
        category = C.CREDENTIAL_PASSWORD_HASH if hashed else C.CREDENTIAL_PASSWORD_PLAIN
        detail = f"only {column.non_empty} non-empty values sampled"
        column.matches[category] = CategoryMatch(
            category, 0.5, (name_ev, Evidence("values", detail, 0.0))
        )
        return
    hashed_share = ev.get("hash_any", col)
    plain_share = ev.get("plain", col)
    if hashed_share >= 0.05:
        _add_hash(column, ev, hashed_share, name_ev)
    if plain_share >= 0.1:
        n = int(ev.counts[col])
        evidence = (
            name_ev,
            Evidence(
                "values",
                f"{plain_share:.0%} of {n} sampled values have no hash format",
                plain_share,
            ),
        )
        confidence = 0.5 + 0.25 * hit.strength / 0.9 + 0.25 * plain_share
        column.matches[C.CREDENTIAL_PASSWORD_PLAIN] = CategoryMatch(
            C.CREDENTIAL_PASSWORD_PLAIN, min(confidence, 0.99), evidence
        )


def _add_hash(column: _Column, ev: ValueEvidence, share: float, name_ev: Evidence | None) -> None:
    observed = ev.hashes.get(column.index, [])
    formats = ", ".join(f"{h.format} ×{h.count}" for h in observed) or "none"
    evidence = [
        Evidence("values", f"{share:.0%} of sampled values are password hashes ({formats})", share)
    ]
    if name_ev is not None:
        evidence.insert(0, name_ev)
    confidence = 0.5 + 0.25 * (name_ev.score / 0.9 if name_ev else 0.6) + 0.25 * share
    column.matches[C.CREDENTIAL_PASSWORD_HASH] = CategoryMatch(
        C.CREDENTIAL_PASSWORD_HASH, min(confidence, 0.99), tuple(evidence)
    )


def _card_context(work: list[_Column], ev: ValueEvidence) -> None:
    """A CVV beside a card-number column is surer, without one less sure; beside one, codes
    spread over 000-999 and month/year values are card data even without a telling name."""
    has_card = any(C.FINANCIAL_CARD_NUMBER in c.matches for c in work)
    if has_card:
        for column in work:
            if column.matches or column.non_empty < _MIN_VALUES:
                continue
            col = column.index
            context = Evidence("context", "beside a card-number column", 1.0)
            if ev.get("cvv", col) >= 0.9 and ev.get("cvv_spread", col) >= 0.6:
                share = ev.get("cvv", col)
                detail = f"{share:.0%} of values are 3-4 digit codes spread over 000-999"
                evidence = (Evidence("values", detail, share), context)
                column.matches[C.FINANCIAL_CARD_SECURITY_CODE] = CategoryMatch(
                    C.FINANCIAL_CARD_SECURITY_CODE, 0.7, evidence
                )
            elif ev.get("expiry", col) >= 0.9:
                share = ev.get("expiry", col)
                evidence = (
                    Evidence("values", f"{share:.0%} of values are month/year", share),
                    context,
                )
                column.matches[C.FINANCIAL_CARD_EXPIRY] = CategoryMatch(
                    C.FINANCIAL_CARD_EXPIRY, 0.7, evidence
                )
    for column in work:
        for category in (C.FINANCIAL_CARD_SECURITY_CODE,):
            match = column.matches.get(category)
            if match is None:
                continue
            if any(e.kind == "context" for e in match.evidence):
                continue
            if has_card:
                note = Evidence("context", "beside a card-number column", 1.0)
                confidence = min(0.99, match.confidence + 0.05)
            else:
                note = Evidence("context", "no card-number column beside it", 0.0)
                confidence = min(match.confidence, 0.6)
            column.matches[category] = CategoryMatch(category, confidence, (*match.evidence, note))


def _geo_pairs(work: list[_Column], ev: ValueEvidence) -> None:
    """Coordinates come in pairs: alone, a latitude-named column is less sure; two adjacent
    unnamed columns of decimal latitudes then longitudes are a pair."""
    for first, second in pairwise(work):
        if first.matches or second.matches or min(first.non_empty, second.non_empty) < 10:
            continue
        lat, lon = ev.get("latitude", first.index), ev.get("longitude", second.index)
        if lat >= 0.95 and lon >= 0.95:
            detail = "adjacent columns of decimal degrees in latitude then longitude range"
            evidence = (Evidence("values", detail, min(lat, lon)),)
            for column in (first, second):
                column.matches[C.LOCATION_GEO] = CategoryMatch(C.LOCATION_GEO, 0.6, evidence)
    geo = [c for c in work if C.LOCATION_GEO in c.matches]
    if len(geo) == 1:
        column = geo[0]
        match = column.matches[C.LOCATION_GEO]
        note = Evidence("context", "no latitude/longitude partner column", 0.0)
        column.matches[C.LOCATION_GEO] = CategoryMatch(
            C.LOCATION_GEO, min(match.confidence, 0.55), (*match.evidence, note)
        )


def _keys(work: list[_Column], columns: Sequence[ColumnSample]) -> None:
    """account.id by name was decided already; else the key of a table about people."""
    if any(C.ACCOUNT_ID in c.matches for c in work):
        return
    if not any(k in _IDENTIFIERS for c in work for k in c.matches):
        return
    for column in work:
        sample = columns[column.index]
        if column.matches:
            continue
        if sample.primary_key or column.name.lower() in _KEY_NAMES:
            detail = (
                "declared primary key"
                if sample.primary_key
                else f"key-named column {column.name!r}"
            )
            evidence = (Evidence("context", f"{detail} of a table holding personal data", 1.0),)
            column.matches[C.ACCOUNT_ID] = CategoryMatch(C.ACCOUNT_ID, 0.8, evidence)
            return


def _purchases(work: list[_Column], kinds: frozenset[str], lexicon: Lexicon) -> None:
    if "order" not in kinds or not any(C.ACCOUNT_ID in c.matches for c in work):
        return
    for column in work:
        if column.matches or not lexicon.is_purchase_column(column.name):
            continue
        evidence = (
            Evidence("context", "order table keyed to a customer", 1.0),
            Evidence("name", f"column name {column.name!r} describes a purchase", 0.6),
        )
        column.matches[C.COMMERCE_PURCHASE_HISTORY] = CategoryMatch(
            C.COMMERCE_PURCHASE_HISTORY, 0.65, evidence
        )


def _report(
    column: _Column, values: pa.Array, ev: ValueEvidence, *, examples: bool
) -> ColumnReport:
    matches = tuple(
        sorted(
            (m for m in column.matches.values() if m.confidence >= ACCEPT),
            key=lambda m: -m.confidence,
        )
    )
    hashes: tuple[HashObservation, ...] = ()
    if any(m.category == C.CREDENTIAL_PASSWORD_HASH for m in matches):
        hashes = tuple(ev.hashes.get(column.index, ()))
    shown: tuple[str, ...] = ()
    if examples:
        present = [v for v in values.to_pylist()[:200] if v]
        step = max(1, len(present) // 3)
        shown = tuple(mask_value(str(v)) for v in present[::step][:3])
    return ColumnReport(
        name=column.name,
        declared_type=column.declared_type,
        non_empty=column.non_empty,
        sampled=len(values),
        categories=matches,
        hashes=hashes,
        plain_share=ev.get("plain", column.index) if len(ev.counts) else 0.0,
        examples=shown,
    )


__all__ = ["RULES", "classify_table"]
