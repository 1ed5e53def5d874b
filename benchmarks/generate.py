"""Benchmark: how fast ``breachdesk demo generate`` writes the synthetic retailer.

Prints one JSON object: the whole generation (rows/s, MB/s, seconds, peak RSS), and the
customer rows alone made from seeded Faker pools against the baseline of calling Faker
row by row (the obvious way), measured in the same process on a sample and extrapolated.

    python benchmarks/generate.py [--quick] [--customers N] [--days D]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from faker import Faker

from breachdesk.demo import GenerateOptions, generate_retailer
from breachdesk.demo.people import CustomerMaker
from breachdesk.demo.places import COUNTRIES
from breachdesk.demo.pools import NAME_LOCALES, build_pools

# The baseline's locales and shares: one Faker per market, as a first version would do.
_MARKET_LOCALES = {
    "FR": "fr_FR",
    "US": "en_US",
    "GB": "en_GB",
    "DE": "de_DE",
    "IT": "it_IT",
    "ES": "es_ES",
    "CH": "de_CH",
    "JP": "ja_JP",
    "SG": "en_GB",
    "AU": "en_AU",
    "BR": "pt_BR",
    "CA": "en_CA",
}


def faker_row_by_row(count: int, seed: int) -> float:
    """Seconds to make ``count`` customer rows by calling Faker for every field."""
    fakers = {}
    for code, locale in _MARKET_LOCALES.items():
        fake = Faker(locale)
        fake.seed_instance(seed)
        fakers[code] = fake
    rng = np.random.default_rng(seed)
    markets = rng.choice(
        [c.code for c in COUNTRIES],
        size=count,
        p=np.array([c.weight for c in COUNTRIES]) / sum(c.weight for c in COUNTRIES),
    )
    started = time.perf_counter()
    rows = []
    for customer_id, market in enumerate(markets.tolist(), 1):
        fake = fakers[market]
        region = fake.administrative_unit() if hasattr(fake, "administrative_unit") else ""
        rows.append(
            (
                customer_id,
                fake.name(),
                fake.unique.email(),
                fake.phone_number(),
                fake.city(),
                region,
                fake.postcode(),
                market,
                fake.date_time_between("-8y").isoformat(),
            )
        )
    return time.perf_counter() - started


def pooled(count: int, seed: int) -> tuple[float, float]:
    """Seconds to draw the pools once, and to make ``count`` customer rows from them."""
    build_pools.cache_clear()
    started = time.perf_counter()
    maker = CustomerMaker(seed, count, np.datetime64("2026-11-15T23:00:00", "s"), {})
    drawn = time.perf_counter()
    made = sum(len(batch.rows) for batch in maker.batches())
    assert made == count
    return drawn - started, time.perf_counter() - drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run (1,000 customers)")
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    customers = args.customers or (1000 if args.quick else 5000)
    with tempfile.TemporaryDirectory(prefix="breachdesk-bench-") as tmp:
        report = generate_retailer(
            GenerateOptions(
                out=Path(tmp) / "demo", customers=customers, days=args.days, seed=args.seed
            )
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    sample = min(customers, 1000 if args.quick else 5000)
    faker_seconds = faker_row_by_row(sample, args.seed)
    pool_seconds, pooled_seconds = pooled(customers, args.seed)
    faker_rate = sample / faker_seconds
    pooled_rate = customers / pooled_seconds
    megabytes = report.bytes / 1e6
    print(
        json.dumps(
            {
                "customers": customers,
                "days": args.days,
                "seconds": report.seconds,
                "rows": report.rows,
                "rows_per_s": round(report.rows / report.seconds),
                "mb": round(megabytes, 1),
                "mb_per_s": round(megabytes / report.seconds, 1),
                "files": report.files,
                "log_lines": report.log_lines,
                "peak_rss_mb": round(peak_mb),
                "customer_rows": {
                    "pooled_rows_per_s": round(pooled_rate),
                    "faker_row_by_row_rows_per_s": round(faker_rate),
                    "faker_sample_rows": sample,
                    "faker_extrapolated_seconds": round(customers / faker_rate, 1),
                    "pooled_seconds": round(pooled_seconds, 2),
                    "pool_drawing_seconds": round(pool_seconds, 2),
                    "speedup": round(pooled_rate / faker_rate, 1),
                },
                "languages": len(NAME_LOCALES),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
