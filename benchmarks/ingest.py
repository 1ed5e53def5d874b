"""Ingest throughput: Breachdesk's full ingest against a plain DuckDB conversion and a plain read.

Generates a combined-format access log (1 GiB by default; ``--quick``: 64 MiB) and, in the same
process, measures MB/s for
  * ``read``: reading the file in 32 MiB blocks (the floor);
  * ``duckdb``: DuckDB ``read_csv(delim=' ', quote='"', escape='\\')`` with the timestamp
    parsed, written straight to one Parquet file (the baseline);
  * ``breachdesk``: the full ingest (routes, object ids, exposure map, actions, rejects,
    manifest, Parquet partitioned by source and date).
Each is run ``--runs`` times, interleaved; best and median are reported, with the ratios
breachdesk/duckdb. The machine may be shared: read the medians with that in mind.

    python benchmarks/ingest.py [--quick] [--size-mb N] [--runs N] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from breachdesk.ingest import IngestOptions, ingest_paths
from breachdesk.workspace import open_workspace

SETTINGS = """
[[exposure]]
route = "/api/v1/customers/{id}"
table = "customers"
key = "id"
kind = "object"
columns = ["id", "full_name", "email", "city", "region", "country"]

[[exposure]]
route = "/api/v1/customers"
table = "customers"
kind = "list"
order_by = "id"
columns = ["id", "full_name", "email", "city", "region", "country"]

[[exposure]]
route = "/api/v1/customers/search"
table = "customers"
kind = "search"
columns = ["id", "full_name", "email"]

[[exposure]]
route = "/api/v1/orders/{id}"
table = "orders"
key = "id"
columns = ["id", "customer_id", "total_cents"]
"""

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "python-requests/2.32.3",
    "order-sync/4.2 (+https://maison-aurelle.com)",
    "curl/8.5.0",
]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def request(rng: random.Random) -> tuple[str, str, int]:
    """(user, request line, status) with a retailer's mix of storefront and API traffic."""
    roll = rng.random()
    if roll < 0.30:
        return "-", f"GET /products/{rng.randint(1, 12000)} HTTP/1.1", 200
    if roll < 0.45:
        return "-", f"GET /static/app.{rng.randint(1, 40):04x}.js HTTP/2.0", 200
    if roll < 0.52:
        return "-", rng.choice(["GET / HTTP/1.1", "GET /cart HTTP/1.1", "POST /cart HTTP/1.1"]), 200
    if roll < 0.57:
        return (
            "-",
            f"GET /category/{rng.choice(['bags', 'rings'])}?page={rng.randint(1, 9)} HTTP/1.1",
            200,
        )
    if roll < 0.80:
        user = rng.choice(["-", "svc-order-sync", "agent:jmartin", "agent:lbernard"])
        return (
            user,
            f"GET /api/v1/customers/{rng.randint(1, 250000)} HTTP/1.1",
            rng.choice([200, 200, 200, 404]),
        )
    if roll < 0.88:
        page = rng.randint(1, 2500)
        return "svc-crm", f"GET /api/v1/customers?page={page}&per_page=100 HTTP/1.1", 200
    if roll < 0.92:
        return (
            "agent:lbernard",
            f"GET /api/v1/customers/search?q={rng.choice(['dupont', 'martin', 'lee'])} HTTP/1.1",
            200,
        )
    if roll < 0.98:
        return "-", f"GET /api/v1/orders/{rng.randint(1, 900000)} HTTP/1.1", 200
    return "-", f"PATCH /api/v1/customers/{rng.randint(1, 250000)} HTTP/1.1", 204


def generate(path: Path, size: int, seed: int = 7) -> None:
    """A combined-format log of about ``size`` bytes, times ascending over two days."""
    rng = random.Random(seed)
    ips = [
        f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        for _ in range(40000)
    ]
    start = datetime(2026, 11, 2, tzinfo=UTC)
    lines_estimate = size // 190
    step = 2 * 86400 / max(lines_estimate, 1)
    written = 0
    number = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        while written < size:
            batch = []
            for _ in range(20000):
                when = start + timedelta(seconds=number * step) + timedelta(hours=1)
                stamp = f"{when.day:02d}/{MONTHS[when.month - 1]}/{when.year}:{when:%H:%M:%S} +0100"
                user, line, status = request(rng)
                size_sent = rng.randint(200, 60000)
                batch.append(
                    f'{rng.choice(ips)} - {user} [{stamp}] "{line}" {status} {size_sent} '
                    f'"https://maison-aurelle.com/" "{rng.choice(AGENTS)}"\n'
                )
                number += 1
            text = "".join(batch)
            out.write(text)
            written += len(text)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def plain_read(path: Path) -> float:
    buffer = bytearray(32 << 20)
    view = memoryview(buffer)
    started = time.perf_counter()
    with open(path, "rb", buffering=0) as handle:
        while handle.readinto(view):
            pass
    return time.perf_counter() - started


def duckdb_convert(path: Path, out: Path) -> float:
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(10))
    sql = f"""
    COPY (
      SELECT c0 AS ip, c1 AS ident, c2 AS remote_user,
             strptime(c3 || ' ' || c4, '[%d/%b/%Y:%H:%M:%S %z]') AS time,
             c5 AS request, TRY_CAST(c6 AS INTEGER) AS status, TRY_CAST(c7 AS BIGINT) AS bytes,
             c8 AS referer, c9 AS user_agent
      FROM read_csv('{path}', delim=' ', quote='"', escape='\\', header=false,
                    auto_detect=false, columns={{{columns}}})
    ) TO '{out}' (FORMAT parquet)
    """
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(sql)
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def breachdesk_ingest(path: Path, root: Path, workers: int) -> tuple[float, int]:
    shutil.rmtree(root, ignore_errors=True)
    (root / ".breachdesk" / "events").mkdir(parents=True)
    (root / ".breachdesk" / "rejects").mkdir(parents=True)
    (root / "breachdesk.toml").write_text(SETTINGS, encoding="utf-8")
    workspace = open_workspace(root)
    started = time.perf_counter()
    # As `breachdesk ingest` runs it: the CLI's process exists for the ingest and lets it keep
    # freed memory for reuse (IngestOptions.tune_memory; off for library callers).
    options = IngestOptions(workers=workers, tune_memory=True)
    report = ingest_paths(workspace, [str(path)], "nginx", "nginx", options=options)
    elapsed = time.perf_counter() - started
    return elapsed, report.events


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="64 MiB instead of 1 GiB")
    parser.add_argument("--size-mb", type=int, default=None, help="log size in MiB")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here (reused)")
    args = parser.parse_args(argv)
    size_mb = args.size_mb or (64 if args.quick else 1024)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="breachdesk-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / f"access-{size_mb}MiB.log"
    if not log.exists() or log.stat().st_size < size_mb << 20:
        generate(log, size_mb << 20)
    size = log.stat().st_size
    megabytes = size / 1e6
    timings: dict[str, list[float]] = {"read": [], "duckdb": [], "breachdesk": []}
    cpu: dict[str, list[float]] = {"read": [], "duckdb": [], "breachdesk": []}
    events = 0
    for _ in range(args.runs):
        before = _cpu()
        timings["read"].append(plain_read(log))
        cpu["read"].append(_cpu() - before)
        before = _cpu()
        timings["duckdb"].append(duckdb_convert(log, workdir / "duckdb.parquet"))
        cpu["duckdb"].append(_cpu() - before)
        before = _cpu()
        elapsed, events = breachdesk_ingest(log, workdir / "workspace", args.workers)
        cpu["breachdesk"].append(_cpu() - before)
        timings["breachdesk"].append(elapsed)
    rates = {name: [megabytes / t for t in values] for name, values in timings.items()}
    best = {name: round(max(values), 1) for name, values in rates.items()}
    median = {name: round(statistics.median(values), 1) for name, values in rates.items()}
    result = {
        "file_mb": round(megabytes, 1),
        "lines_events": events,
        "runs": args.runs,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "mb_per_s_best": best,
        "mb_per_s_median": median,
        "ratio_breachdesk_to_duckdb_best": round(best["breachdesk"] / best["duckdb"], 3),
        "ratio_breachdesk_to_duckdb_median": round(median["breachdesk"] / median["duckdb"], 3),
        "ratio_breachdesk_to_read_best": round(best["breachdesk"] / best["read"], 4),
        "ratio_breachdesk_to_read_median": round(median["breachdesk"] / median["read"], 4),
        "seconds": {k: [round(t, 3) for t in v] for k, v in timings.items()},
        # CPU seconds (all threads) per GB of log: what each costs whatever the machine's load.
        "cpu_seconds_per_gb_median": {
            k: round(statistics.median(v) / (size / 1e9), 2) for k, v in cpu.items()
        },
        "ratio_breachdesk_to_duckdb_cpu": round(
            statistics.median(cpu["duckdb"]) / statistics.median(cpu["breachdesk"]), 3
        ),
        # Runs are interleaved (read, duckdb, breachdesk): each pair saw the same load.
        "ratio_breachdesk_to_duckdb_paired_median": round(
            statistics.median(
                d / b for d, b in zip(timings["duckdb"], timings["breachdesk"], strict=True)
            ),
            3,
        ),
    }
    print(json.dumps(result, indent=2))
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
