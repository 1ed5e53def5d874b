"""Speed of ``inventory scan`` against Presidio's table mode, on the same samples.

1. The demo retailer's database (``breachdesk.demo.generate`` when importable, else the
   contract-schema database of inventory_eval.py).
2. A generated table of 200 columns x 100,000 rows (Parquet; mixed personal and other
   data, half the columns with opaque names).

Breachdesk's time is measured end to end (open, sample, classify, audit) and for the
classification alone; Presidio (presidio-analyzer + presidio-structured, NoOpNlpEngine,
offline) classifies the very same sampled values in the same process. Prints one JSON object.

    python benchmarks/inventory.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from breachdesk.inventory import TableSample, classify_table, open_source, scan_sources
from inventory_eval import demo_database, presidio_classifier

TARGET_RATIO = 100

NAMED = [
    "email",
    "courriel",
    "telefono",
    "full_name",
    "vorname",
    "city",
    "pays",
    "postal_code",
    "geburtsdatum",
    "card_number",
    "password_hash",
    "ip_address",
    "user_agent",
    "customer_id",
    "iban",
    "namae",
    "denwa_bangou",
    "jusho",
    "created_at",
    "status",
]


def _pools(seed: int) -> dict[str, list[str]]:
    """About 2,000 distinct values of each kind, from Faker and simple generators."""
    from faker import Faker
    from stdnum import luhn

    fake = Faker(["fr_FR", "de_DE", "en_GB", "es_ES", "it_IT"])
    fake.seed_instance(seed)
    rng = random.Random(seed)
    n = 2000

    def pan() -> str:
        body = rng.choice(["4", "51", "55"]) + "".join(str(rng.randrange(10)) for _ in range(14))
        return body + luhn.calc_check_digit(body)

    bcrypt = "$2b$12$" + "".join(
        rng.choice("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        for _ in range(53)
    )
    return {
        "email": [fake.email() for _ in range(n)],
        "phone": [fake.phone_number() for _ in range(n)],
        "name": [fake.name() for _ in range(n)],
        "city": [fake.city() for _ in range(n)],
        "country": [fake.country_code() for _ in range(n)],
        "postal": [fake.postcode() for _ in range(n)],
        "birth": [fake.date_of_birth().isoformat() for _ in range(n)],
        "card": [pan() for _ in range(n)],
        "hash": [bcrypt[:-4] + f"{i:04d}" for i in range(n)],
        "ip": [fake.ipv4() for _ in range(n)],
        "ua": [fake.user_agent() for _ in range(n)],
        "id": [str(i) for i in range(n)],
        "iban": [fake.iban() for _ in range(n)],
        "address": [fake.street_address() for _ in range(n)],
        "timestamp": [fake.date_time_this_year().isoformat() for _ in range(n)],
        "status": [rng.choice(["paid", "shipped", "open", "closed"]) for _ in range(n)],
        "text": [fake.sentence() for _ in range(n)],
        "amount": [f"{rng.uniform(1, 5000):.2f}" for _ in range(n)],
        "uuid": [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(n)],
        "word": [fake.word() for _ in range(n)],
    }


def write_wide_table(path: Path, *, rows: int, columns: int, seed: int = 200) -> Path:
    """A Parquet table of ``columns`` mixed columns, half of them with opaque names."""
    pools = {k: pa.array(v) for k, v in _pools(seed).items()}
    kinds = list(pools)
    rng = np.random.default_rng(seed)
    arrays = {}
    for index in range(columns):
        kind = kinds[index % len(kinds)]
        name = f"{NAMED[index % len(NAMED)]}_{index}" if index % 2 == 0 else f"col_{index:03d}"
        picks = rng.integers(0, len(pools[kind]), size=rows)
        arrays[name] = pools[kind].take(pa.array(picks))
    pq.write_table(pa.table(arrays), path, row_group_size=50_000)
    return path


def _time_ours(samples: list[TableSample]) -> tuple[float, int]:
    cells = sum(s.sampled_rows * len(s.columns) for s in samples)
    start = time.perf_counter()
    for sample in samples:
        classify_table(sample)
    return time.perf_counter() - start, cells


def _time_presidio(samples: list[TableSample]) -> float | None:
    presidio = presidio_classifier()
    if presidio is None:
        return None
    presidio(_warm_up_table())  # both tools start warm: engines built, patterns compiled
    start = time.perf_counter()
    for sample in samples:
        presidio(sample)
    return time.perf_counter() - start


def _warm_up_table() -> TableSample:
    from breachdesk.inventory import ColumnSample
    from breachdesk.inventory.sample import text_column

    values = text_column(pa.array(["Marie Dupont", "marie@example.com", "+33 1 23 45 67 89"]))
    return TableSample("warm-up", "t", "test", 3, True, (ColumnSample("c", "text", values),))


def _figures(spec: str, sample: int) -> dict[str, Any]:
    classify_table(_warm_up_table())
    start = time.perf_counter()
    report = scan_sources([spec], sample=sample)
    end_to_end = time.perf_counter() - start
    samples = list(open_source(spec, sample=sample).tables())
    classify_seconds, cells = _time_ours(samples)
    presidio_seconds = _time_presidio(samples)
    ours = {
        "seconds_end_to_end": round(end_to_end, 3),
        "seconds_classify": round(classify_seconds, 3),
        "cells_per_s_end_to_end": round(report.cells_sampled / end_to_end),
        "cells_per_s_classify": round(cells / classify_seconds),
    }
    out: dict[str, Any] = {
        "tables": len(samples),
        "sample_rows": sample,
        "cells": cells,
        "findings": len(report.findings),
        "breachdesk": ours,
    }
    if presidio_seconds is not None:
        theirs = round(cells / presidio_seconds, 1)
        out["presidio"] = {"seconds": round(presidio_seconds, 3), "cells_per_s": theirs}
        out["ratio_classify"] = round(ours["cells_per_s_classify"] / theirs, 1)
        out["ratio_end_to_end"] = round(ours["cells_per_s_end_to_end"] / theirs, 1)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data and samples")
    args = parser.parse_args(argv)
    rows = 20_000 if args.quick else 100_000
    sample = 100 if args.quick else 500
    out: dict[str, Any] = {
        "quick": args.quick,
        "cpus": os.cpu_count(),
        "target_ratio": TARGET_RATIO,
    }
    with tempfile.TemporaryDirectory() as folder:
        db, _breaks, origin = demo_database(Path(folder), quick=args.quick)
        out["demo_db"] = {"database": origin} | _figures(str(db), 1000 if not args.quick else 200)
        path = write_wide_table(Path(folder) / "wide.parquet", rows=rows, columns=200)
        wide = _figures(str(path), sample)
        wide |= {"rows": rows, "columns": 200, "file_mb": round(path.stat().st_size / 2**20, 1)}
        large = 2_000 if args.quick else 10_000
        big_samples = list(open_source(str(path), sample=large).tables())
        seconds, cells = _time_ours(big_samples)
        wide["breachdesk_large_sample"] = {
            "sample_rows": big_samples[0].sampled_rows,
            "cells": cells,
            "seconds_classify": round(seconds, 3),
            "cells_per_s_classify": round(cells / seconds),
        }
        out["wide_table"] = wide
    ratios = [out[k].get("ratio_classify") for k in ("demo_db", "wide_table")]
    out["target_met"] = all(r is not None and r >= TARGET_RATIO for r in ratios)
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
