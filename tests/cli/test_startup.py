"""Help and usage errors stay fast: they must not import the services' heavy libraries.

Each verb imports its service when it runs; these checks catch a module-level import that
would make every ``breachdesk`` invocation pay for Ibis, pyarrow or the web stack again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from breachdesk.cli import inventory_cmd
from breachdesk.inventory import DEFAULT_SAMPLE

HEAVY = (
    "ibis",
    "duckdb",
    "pyarrow",
    "pyspark",
    "pandas",
    "sqlalchemy",
    "sqlglot",
    "psycopg",
    "stix2",
    "fastapi",
    "starlette",
    "uvicorn",
)

# Run main() in a fresh interpreter, then print the exit code and the heavy modules loaded.
PROBE = f"""
import sys
from pathlib import Path
from breachdesk.cli.main import main
code = main(sys.argv[1:])
print(code, *sorted(name for name in {HEAVY!r} if name in sys.modules))
"""


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--help"], 0),
        (["detect", "--help"], 0),
        (["status", "--help"], 0),
        (["incident", "export", "--help"], 0),
        (["notify", "send", "--help"], 0),
        (["scope"], 2),
        (["detect", "--engine", "hadoop"], 2),
    ],
)
def test_help_and_usage_errors_import_no_heavy_library(args: list[str], code: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1].split()
    assert last == [str(code)], f"breachdesk {' '.join(args)} imported {last[1:]}"


def test_inventory_sample_default_is_the_inventorys() -> None:
    assert inventory_cmd.DEFAULT_SAMPLE == DEFAULT_SAMPLE


def test_listing_alerts_imports_no_analytics_library(tmp_path: Path) -> None:
    # Reading stored alerts needs the store, not the engines detection runs on.
    workspace = str(tmp_path)
    init = subprocess.run(
        [sys.executable, "-m", "breachdesk", "-w", workspace, "init"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert init.returncode == 0, init.stderr
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "-w", workspace, "alerts", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1].split()
    assert last[0] == "0"
    analytics = {"ibis", "duckdb", "pyarrow", "pyspark", "pandas"}
    assert not analytics & set(last[1:]), f"breachdesk alerts imported {last[1:]}"
