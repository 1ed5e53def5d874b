"""``breachdesk demo generate``: a synthetic luxury retailer, its logs, a breach and its mail.

``generate_retailer`` writes a ready workspace: ``shop.db``, ``logs/``, ``emails/``,
``breachdesk.toml`` and ``truth.json``. The same seed gives the same files (for the same
installed Faker); memory stays flat in the number of customers (streamed in batches).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from breachdesk.config import CONFIG_NAME, load_settings
from breachdesk.demo.attack import (
    API_COLUMNS,
    API_PRINCIPAL,
    DB_COLUMNS,
    DB_PRINCIPAL,
    plan_attack,
    run_attack,
)
from breachdesk.demo.clock import period
from breachdesk.demo.database import database_day
from breachdesk.demo.logfiles import LogWriter
from breachdesk.demo.mail import write_emails
from breachdesk.demo.people import CustomerMaker
from breachdesk.demo.pools import LANGUAGES
from breachdesk.demo.products import Catalogue
from breachdesk.demo.settings_file import settings_text
from breachdesk.demo.shop import ShopWriter
from breachdesk.demo.staff import staff_day
from breachdesk.demo.traffic import public_day
from breachdesk.demo.truth import Truth
from breachdesk.demo.world import World
from breachdesk.errors import UserInputError
from breachdesk.workspace import STATE_DIR, init_workspace

MARKER = ".breachdesk-demo.json"
# What a generation owns in its folder; a new generation replaces exactly these.
OUTPUTS = ("shop.db", "logs", "emails", "truth.json", CONFIG_NAME, STATE_DIR, MARKER)
MIN_CUSTOMERS, MAX_CUSTOMERS = 100, 10_000_000
MIN_DAYS, MAX_DAYS = 14, 366

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class GenerateOptions:
    out: Path
    customers: int = 5000  # the default size keeps the whole demo under a minute
    days: int = 14
    seed: int = 7


@dataclass(frozen=True)
class GenerateReport:
    out: Path
    customers: int
    days: int
    seed: int
    rows: int  # database rows + log lines + emails
    bytes: int  # bytes of the generated files on disk
    files: int
    seconds: float
    log_lines: dict[str, int]  # per source: nginx, gateway, pgaudit
    truth: Path


def validate_options(options: GenerateOptions) -> Path:
    """The absolute output folder; UserInputError (one line) when an option cannot be used."""
    if not MIN_CUSTOMERS <= options.customers <= MAX_CUSTOMERS:
        raise UserInputError(
            f"--customers must be between {MIN_CUSTOMERS} and {MAX_CUSTOMERS:,}, "
            f"got {options.customers}"
        )
    if not MIN_DAYS <= options.days <= MAX_DAYS:
        raise UserInputError(
            f"--days must be between {MIN_DAYS} and {MAX_DAYS}, got {options.days}"
        )
    out = options.out.expanduser().absolute()
    if out.exists() and not out.is_dir():
        raise UserInputError(f"{out} exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UserInputError(
            f"{out} is not empty and was not made by 'breachdesk demo generate'; "
            "choose an empty or new folder with --out"
        )
    return out


def _prepare(out: Path, options: GenerateOptions) -> None:
    """Remove a previous generation's outputs (only those), then mark the folder ours."""
    for name in OUTPUTS:
        target = out / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
    out.mkdir(parents=True, exist_ok=True)
    _write_marker(out, options, complete=False)


def _write_marker(out: Path, options: GenerateOptions, *, complete: bool) -> None:
    marker = {
        "generator": "breachdesk demo generate",
        "customers": options.customers,
        "days": options.days,
        "seed": options.seed,
        "complete": complete,
    }
    (out / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")


def generate_retailer(options: GenerateOptions, progress: Progress | None = None) -> GenerateReport:
    """Generate the retailer into ``options.out`` and make it a ready workspace."""
    started = time.perf_counter()
    out = validate_options(options)
    try:
        _prepare(out, options)
    except OSError as exc:
        raise UserInputError(f"cannot write the demo into {out}: {exc.strerror}") from None
    seed, days = options.seed, period(options.days)
    plan = plan_attack(seed, options.customers, options.days)
    canaries: dict[int, str] = dict.fromkeys(plan.canaries, "")
    end = np.datetime64(days[-1].end // 1000, "s")
    maker = CustomerMaker(seed, options.customers, end, canaries)
    shop_db = out / "shop.db"
    facts = ShopWriter(shop_db, seed, LANGUAGES).write(maker, progress)
    world = World(seed, days, facts, shop_db, canaries=frozenset(plan.canaries))
    writer = LogWriter(out, len(days), seed)
    try:
        attack = run_attack(plan, days[plan.day_index], shop_db, world.tokens[API_PRINCIPAL], seed)
        catalogue = Catalogue(facts.products)
        for day in days:
            hits = public_day(world, day, catalogue) + staff_day(world, day)
            entries = database_day(world, day)
            if day.index == plan.day_index:
                hits += attack.hits
                entries += attack.entries
            writer.write_day(day, hits, entries)
            if progress:
                progress("logs", day.index + 1, len(days))
        phishing, legit = write_emails(world, out, sorted(attack.affected), attack.end_ms, seed)
        if progress:
            progress("emails", len(phishing) + len(legit), len(phishing) + len(legit))
    finally:
        world.close()
    truth = Truth(
        seed=seed,
        start_ms=attack.start_ms,
        end_ms=attack.end_ms,
        principals=(API_PRINCIPAL, DB_PRINCIPAL),
        ips=plan.ips,
        customer_ids=tuple(sorted(attack.affected)),
        columns=tuple(dict.fromkeys(API_COLUMNS + DB_COLUMNS)),
        canaries=plan.canaries,
        phishing=tuple(phishing),
        legit=tuple(legit),
    )
    truth_path = out / "truth.json"
    truth.write(truth_path)
    workspace = init_workspace(out, settings_text=settings_text(seed, canaries))
    workspace.close()
    load_settings(out / CONFIG_NAME)
    _write_marker(out, options, complete=True)
    sizes = [p.stat().st_size for p in _generated_files(out)]
    return GenerateReport(
        out=out,
        customers=options.customers,
        days=options.days,
        seed=seed,
        rows=sum(facts.rows.values()) + sum(writer.lines.values()) + len(phishing) + len(legit),
        bytes=sum(sizes),
        files=len(sizes),
        seconds=round(time.perf_counter() - started, 3),
        log_lines=dict(writer.lines),
        truth=truth_path,
    )


def _generated_files(out: Path) -> list[Path]:
    """Files this generator wrote (the workspace's own ``.breachdesk/`` state excluded)."""
    files = []
    for name in OUTPUTS:
        target = out / name
        if name == STATE_DIR:
            continue
        if target.is_dir():
            files += sorted(p for p in target.rglob("*") if p.is_file())
        elif target.is_file():
            files.append(target)
    return files
