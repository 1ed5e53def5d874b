"""Accuracy of the inventory's column classification, against Presidio on the same samples.

Two labelled sets (benchmarks/inventory_labels.yaml):
- FakeNameGenerator_100.csv (../shared/corpora/pii/, skipped with a note when absent);
- the demo retailer's database: ``breachdesk.demo.generate`` when importable, otherwise a
  database built here with the same contract schema and planted segmentation breaks.

For each: per-category precision and recall, and column-level F1 (micro-averaged over
(column, category) pairs; "none" columns count only through false positives), plus the
share of columns whose category set is exactly right. Presidio (presidio-analyzer +
presidio-structured, NoOpNlpEngine, offline) runs on the very same sampled values; its
entities are mapped to the taxonomy as favourably as they can be (DATE_TIME counts as a
birth date). Prints one JSON object.

    python benchmarks/inventory_eval.py [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from breachdesk.inventory import TableSample, classify_table, open_source, scan_sources

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / ".." / "shared" / "corpora" / "pii" / "FakeNameGenerator_100.csv"
LABELS = Path(__file__).resolve().parent / "inventory_labels.yaml"

PRESIDIO_MAP = {
    "EMAIL_ADDRESS": "contact.email",
    "PHONE_NUMBER": "contact.phone",
    "CREDIT_CARD": "financial.card_number",
    "IBAN_CODE": "financial.bank_account",
    "US_BANK_NUMBER": "financial.bank_account",
    "US_SSN": "identity.national_id",
    "US_ITIN": "identity.national_id",
    "UK_NHS": "identity.national_id",
    "UK_NINO": "identity.national_id",
    "IT_FISCAL_CODE": "identity.national_id",
    "ES_NIF": "identity.national_id",
    "ES_NIE": "identity.national_id",
    "SG_NRIC_FIN": "identity.national_id",
    "AU_TFN": "identity.national_id",
    "IN_AADHAAR": "identity.national_id",
    "US_PASSPORT": "identity.government_id",
    "US_DRIVER_LICENSE": "identity.government_id",
    "IT_PASSPORT": "identity.government_id",
    "IT_DRIVER_LICENSE": "identity.government_id",
    "DATE_TIME": "identity.birth_date",
    "PERSON": "contact.name",
    "LOCATION": "location.city",
    "IP_ADDRESS": "network.ip",
}


# -- the demo database ------------------------------------------------------------------

LOCALES = ["fr_FR", "de_DE", "en_GB", "it_IT", "es_ES", "en_US", "ja_JP"]
COUNTRY = {
    "fr_FR": "FR",
    "de_DE": "DE",
    "en_GB": "GB",
    "it_IT": "IT",
    "es_ES": "ES",
    "en_US": "US",
    "ja_JP": "JP",
}
PLANTED = [
    {"table": "marketing_export_2019", "columns": ["card_number"], "rule": "pan-readable"},
    {"table": "marketing_export_2019", "columns": ["cvv"], "rule": "cvv-stored"},
    {"table": "marketing_export_2019", "columns": ["password"], "rule": "password-plaintext"},
    {"table": "marketing_export_2019", "columns": ["password"], "rule": "password-weak-hash"},
    {
        "table": "marketing_export_2019",
        "columns": ["password", "full_name", "email"],
        "rule": "credentials-with-contact",
    },
    {
        "table": "marketing_export_2019",
        "columns": ["card_number", "cvv", "full_name", "email"],
        "rule": "payment-with-contact",
    },
    {
        "table": "marketing_export_2019",
        "columns": ["full_name", "email"],
        "rule": "personal-data-copied",
    },
]


def _luhn(prefix: str, length: int, rng: random.Random) -> str:
    from stdnum import luhn

    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def build_contract_db(path: Path, *, customers: int = 2000, seed: int = 2019) -> Path:
    """A retailer database with the contract schema and the planted breaks of ``PLANTED``."""
    from argon2 import PasswordHasher
    from faker import Faker

    rng = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in LOCALES}
    for index, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + index)
    hashes = [PasswordHasher().hash(f"pw{i}") for i in range(4)]
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE customers (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT UNIQUE,
            phone TEXT, city TEXT, region TEXT, postal_code TEXT, country TEXT,
            preferred_language TEXT, created_at TEXT);
        CREATE TABLE credentials (customer_id INTEGER PRIMARY KEY, password_hash TEXT,
            updated_at TEXT);
        CREATE TABLE payment_methods (id INTEGER PRIMARY KEY, customer_id INTEGER, token TEXT,
            brand TEXT, last4 TEXT, exp_month INTEGER, exp_year INTEGER);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, placed_at TEXT,
            total_cents INTEGER, currency TEXT, status TEXT, ship_city TEXT, ship_country TEXT);
        CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT, name TEXT, category TEXT,
            price_cents INTEGER);
        CREATE TABLE marketing_export_2019 (full_name TEXT, email TEXT, birth_date TEXT,
            card_number TEXT, cvv TEXT, card_expiry TEXT, password TEXT);
        """
    )
    people = []
    for cid in range(1, customers + 1):
        locale = LOCALES[rng.randrange(len(LOCALES))]
        fake = fakers[locale]
        city = fake.city()
        row = (
            cid,
            fake.name(),
            f"{fake.user_name()}.{cid}@{fake.free_email_domain()}",
            fake.phone_number(),
            city,
            fake.administrative_unit(),
            fake.postcode(),
            COUNTRY[locale],
            locale.replace("_", "-"),
            fake.date_time_this_decade().isoformat() + "Z",
        )
        people.append(row)
        db.execute("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?,?)", row)
        db.execute(
            "INSERT INTO credentials VALUES (?,?,?)",
            (cid, hashes[cid % len(hashes)], "2026-10-01T08:00:00Z"),
        )
        db.execute(
            "INSERT INTO payment_methods VALUES (?,?,?,?,?,?,?)",
            (
                cid,
                cid,
                f"tok_{rng.getrandbits(80):020x}",
                rng.choice(["visa", "mastercard", "amex"]),
                f"{rng.randrange(10000):04d}",
                rng.randint(1, 12),
                rng.randint(2026, 2032),
            ),
        )
        for _ in range(rng.randint(0, 4)):
            db.execute(
                "INSERT INTO orders (customer_id, placed_at, total_cents, currency, status,"
                " ship_city, ship_country) VALUES (?,?,?,?,?,?,?)",
                (
                    cid,
                    fake.date_time_this_year().isoformat() + "Z",
                    rng.randint(2000, 900000),
                    rng.choice(["EUR", "GBP", "USD", "JPY"]),
                    rng.choice(["paid", "shipped", "delivered", "refunded"]),
                    city,
                    COUNTRY[locale],
                ),
            )
    words = [
        "Sac",
        "Foulard",
        "Ceinture",
        "Montre",
        "Bague",
        "Collier",
        "Lune",
        "Soie",
        "Or",
        "Perle",
        "Étoile",
        "Cuir",
    ]
    for pid in range(1, 301):
        db.execute(
            "INSERT INTO products VALUES (?,?,?,?,?)",
            (
                pid,
                f"MA-{pid:05d}",
                f"{rng.choice(words)} {rng.choice(words)} {pid}",
                rng.choice(["bags", "scarves", "jewellery", "watches"]),
                rng.randint(5000, 900000),
            ),
        )
    for index, person in enumerate(rng.sample(people, min(len(people), 600))):
        fake = fakers[rng.choice(LOCALES[:5])]
        if index % 2:
            password = fake.password(length=rng.randint(8, 14))
        else:
            password = hashlib.md5(f"pw-{index}".encode()).hexdigest()
        db.execute(
            "INSERT INTO marketing_export_2019 VALUES (?,?,?,?,?,?,?)",
            (
                person[1],
                person[2],
                fake.date_of_birth(minimum_age=18).isoformat(),
                _luhn(rng.choice(["4", "51", "55"]), 16, rng),
                f"{rng.randrange(1000):03d}",
                f"{rng.randint(1, 12):02d}/{rng.randint(19, 24)}",
                password,
            ),
        )
    db.commit()
    db.close()
    return path


def demo_database(folder: Path, *, quick: bool) -> tuple[Path, list[dict[str, Any]], str]:
    """The demo shop database, its planted breaks, and where it came from."""
    try:
        from breachdesk.demo import GenerateOptions, generate_retailer
    except ImportError:
        pass
    else:
        out = folder / "demo"
        generate_retailer(GenerateOptions(out=out, customers=1000 if quick else 5000, seed=7))
        truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
        return out / "shop.db", truth["segmentation_breaks"], "breachdesk.demo.generate_retailer"
    db = build_contract_db(folder / "shop.db", customers=400 if quick else 2000)
    return db, PLANTED, "contract fallback built by benchmarks/inventory_eval.py"


# -- Presidio ---------------------------------------------------------------------------


def presidio_classifier() -> Callable[[TableSample], dict[str, set[str]]] | None:
    """Presidio's table mode with the no-op NLP engine, offline; None when not installed."""
    try:
        import pandas as pd
        import tldextract.tldextract as tld
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NoOpNlpEngine
        from presidio_structured import PandasAnalysisBuilder
    except ImportError:
        return None
    import logging

    # Offline: the email recogniser's tldextract must use its bundled suffix list.
    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None)
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "noop"}])
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    builder = PandasAnalysisBuilder(analyzer=analyzer)

    def classify(sample: TableSample) -> dict[str, set[str]]:
        frame = pd.DataFrame(
            {c.name: [v or "" for v in c.values.to_pylist()] for c in sample.columns}
        )
        if frame.empty:
            return {c.name: set() for c in sample.columns}
        mapping = builder.generate_analysis(frame).entity_mapping
        out: dict[str, set[str]] = {c.name: set() for c in sample.columns}
        for column, entity in mapping.items():
            out[column] = {PRESIDIO_MAP.get(entity, f"presidio:{entity}")}
        return out

    return classify


# -- scoring ----------------------------------------------------------------------------


def score(truth: dict[str, set[str]], predicted: dict[str, set[str]]) -> dict[str, Any]:
    """Per-category precision/recall and micro F1 over (column, category) pairs."""
    per: dict[str, dict[str, int]] = {}
    exact = 0
    for column, expected in truth.items():
        expected = {c for c in expected if c != "none"}
        got = predicted.get(column, set())
        exact += expected == got
        for category in expected | got:
            counts = per.setdefault(category, {"tp": 0, "fp": 0, "fn": 0})
            if category in expected and category in got:
                counts["tp"] += 1
            elif category in got:
                counts["fp"] += 1
            else:
                counts["fn"] += 1
    tp = sum(c["tp"] for c in per.values())
    fp = sum(c["fp"] for c in per.values())
    fn = sum(c["fn"] for c in per.values())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "columns": len(truth),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "exact_columns": round(exact / len(truth), 3) if truth else 1.0,
        "per_category": {
            k: {
                "precision": round(v["tp"] / (v["tp"] + v["fp"]), 3) if v["tp"] + v["fp"] else None,
                "recall": round(v["tp"] / (v["tp"] + v["fn"]), 3) if v["tp"] + v["fn"] else None,
                "tp": v["tp"],
                "fp": v["fp"],
                "fn": v["fn"],
            }
            for k, v in sorted(per.items())
        },
    }


# FakeNameGenerator's header in French, to measure the multilingual lexicon on a file whose
# names were not the ones the lexicon was written against.
FRENCH = dict(
    zip(
        [
            "Number",
            "Gender",
            "NameSet",
            "Title",
            "GivenName",
            "MiddleInitial",
            "Surname",
            "StreetAddress",
            "City",
            "State",
            "StateFull",
            "ZipCode",
            "Country",
            "CountryFull",
            "EmailAddress",
            "Username",
            "Password",
            "BrowserUserAgent",
            "TelephoneNumber",
            "TelephoneCountryCode",
            "MothersMaiden",
            "Birthday",
            "Age",
            "TropicalZodiac",
            "CCType",
            "CCNumber",
            "CVV2",
            "CCExpires",
            "NationalID",
            "UPS",
            "WesternUnionMTCN",
            "MoneyGramMTCN",
            "Color",
            "Occupation",
            "Company",
            "Vehicle",
            "Domain",
            "BloodType",
            "Pounds",
            "Kilograms",
            "FeetInches",
            "Centimeters",
            "GUID",
            "Latitude",
            "Longitude",
        ],
        [
            "numero",
            "sexe",
            "origine_nom",
            "civilite",
            "prenom",
            "initiale",
            "nom_de_famille",
            "adresse",
            "ville",
            "code_region",
            "region",
            "code_postal",
            "pays",
            "nom_pays",
            "courriel",
            "identifiant",
            "mot_de_passe",
            "navigateur",
            "telephone",
            "indicatif",
            "nom_de_jeune_fille_mere",
            "date_de_naissance",
            "age",
            "signe",
            "type_carte",
            "numero_carte",
            "cryptogramme",
            "date_expiration",
            "numero_securite_sociale",
            "suivi_colis",
            "mtcn_wu",
            "mtcn_mg",
            "couleur",
            "profession",
            "societe",
            "vehicule",
            "domaine",
            "groupe_sanguin",
            "livres",
            "kilos",
            "pieds_pouces",
            "taille_cm",
            "guid",
            "latitude",
            "longitude",
        ],
        strict=True,
    )
)


def renamed(table: TableSample, names: dict[str, str] | None) -> TableSample:
    """``table`` with its columns renamed (``names``), or named c01, c02... when None."""
    columns = tuple(
        replace(c, name=(names or {}).get(c.name, c.name) if names else f"c{i:02d}")
        for i, c in enumerate(table.columns, 1)
    )
    return replace(table, columns=columns)


def evaluate_source(
    spec: str,
    labels: dict[str, dict[str, list[str]]],
    presidio: Callable[[TableSample], dict[str, set[str]]] | None,
    sample: int,
    *,
    rename: Callable[[TableSample], TableSample] | None = None,
) -> dict[str, Any]:
    """Both classifiers on the same samples of every labelled table of ``spec``."""
    truth: dict[str, set[str]] = {}
    ours: dict[str, set[str]] = {}
    theirs: dict[str, set[str]] = {}
    unlabelled: list[str] = []
    ours_seconds = presidio_seconds = 0.0
    cells = 0
    source = open_source(spec, sample=sample)
    try:
        for table in source.tables():
            table_labels = labels.get(table.table)
            if table_labels is None:
                unlabelled.append(table.table)
                continue
            original = [c.name for c in table.columns]
            if rename is not None:
                table = rename(table)
            start = time.perf_counter()
            report = classify_table(table)
            ours_seconds += time.perf_counter() - start
            cells += table.sampled_rows * len(table.columns)
            if presidio is not None:
                start = time.perf_counter()
                presidio_found = presidio(table)
                presidio_seconds += time.perf_counter() - start
            for name, column in zip(original, report.columns, strict=True):
                if name not in table_labels:
                    unlabelled.append(f"{table.table}.{name}")
                    continue
                key = f"{table.table}.{column.name}"
                truth[key] = set(table_labels[name])
                ours[key] = {m.category.value for m in column.categories}
                if presidio is not None:
                    theirs[key] = presidio_found.get(column.name, set())
    finally:
        source.close()
    result: dict[str, Any] = {
        "cells": cells,
        "breachdesk": score(truth, ours) | {"seconds": round(ours_seconds, 3)},
        "unlabelled": unlabelled,
        "errors": {
            "breachdesk": {
                k: sorted(ours[k] ^ {c for c in truth[k] if c != "none"})
                for k in truth
                if ours[k] != {c for c in truth[k] if c != "none"}
            },
        },
    }
    if presidio is not None:
        result["presidio"] = score(truth, theirs) | {"seconds": round(presidio_seconds, 3)}
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller demo database")
    parser.add_argument("--sample", type=int, default=1000, help="rows sampled per table")
    args = parser.parse_args(argv)
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    presidio = presidio_classifier()
    out: dict[str, Any] = {"presidio_available": presidio is not None, "sample": args.sample}
    corpus = CORPUS.resolve()
    if corpus.exists():
        out["fakenamegenerator"] = evaluate_source(
            str(corpus), {corpus.name: labels["fakenamegenerator"]}, presidio, args.sample
        )
        fng = {corpus.name: labels["fakenamegenerator"]}
        # Same values, other headers: French names, then no usable names at all (values only).
        out["fakenamegenerator_french_headers"] = evaluate_source(
            str(corpus), fng, None, args.sample, rename=lambda t: renamed(t, FRENCH)
        )
        out["fakenamegenerator_headers_hidden"] = evaluate_source(
            str(corpus), fng, None, args.sample, rename=lambda t: renamed(t, None)
        )
    else:
        out["fakenamegenerator"] = {"skipped": f"{corpus} is absent"}
    with tempfile.TemporaryDirectory() as folder:
        db, breaks, origin = demo_database(Path(folder), quick=args.quick)
        out["demo"] = {"database": origin} | evaluate_source(
            str(db), labels["demo"], presidio, args.sample
        )
        report = scan_sources([str(db)], sample=args.sample, primary_tables=["customers"])
        got = {(f.rule, f.table) for f in report.findings}
        planted = {(str(b["rule"]), str(b["table"])) for b in breaks}
        out["demo"]["segmentation"] = {
            "planted": len(planted),
            "found": len(planted & got),
            "missed": sorted(f"{r} {t}" for r, t in planted - got),
            "false_breaks_on_other_tables": sorted(
                f"{r} {t}" for r, t in got if t not in {t for _, t in planted}
            ),
        }
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
