"""A small generated retailer shared by the demo tests, and its logs parsed once."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from breachdesk.demo import GenerateOptions, GenerateReport, generate_retailer

SMALL = {"customers": 300, "days": 14, "seed": 11}
NGINX_LINE = re.compile(
    r'^(?P<ip>\S+) - (?P<user>\S+) \[(?P<time>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{3}) '
    r'(?P<bytes>\d+) "(?P<referer>[^"]*)" "(?P<agent>[^"]*)"$'
)
PG_PREFIX = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC (?P<user>\S*) (?P<db>\S*) "
    r"\[(?P<pid>\d+)\]: (?P<message>.*)$"
)


@dataclass(frozen=True)
class Small:
    out: Path
    report: GenerateReport
    truth: dict[str, object]


@dataclass(frozen=True)
class PgRecord:
    time: str
    user: str
    db: str
    pid: int
    message: str  # continuation lines joined with "\n"
    file: str

    def audit(self) -> list[str] | None:
        """The pgAudit fields (CSV), or None when this is not an AUDIT message."""
        if not self.message.startswith("LOG:  AUDIT: "):
            return None
        return next(csv.reader(io.StringIO(self.message[len("LOG:  AUDIT: ") :])))


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> Small:
    out = tmp_path_factory.mktemp("demo") / "shop"
    report = generate_retailer(GenerateOptions(out=out, **SMALL))
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return Small(out, report, truth)


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8")


@pytest.fixture(scope="session")
def nginx_lines(small: Small) -> list[tuple[str, str]]:
    """(file name, line) of every nginx line, oldest file first."""
    return [
        (path.name, line)
        for path in sorted((small.out / "logs" / "nginx").iterdir())
        for line in read_text(path).splitlines()
    ]


@pytest.fixture(scope="session")
def gateway_records(small: Small) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for path in sorted((small.out / "logs" / "gateway").iterdir())
        for line in read_text(path).splitlines()
    ]


@pytest.fixture(scope="session")
def pg_records(small: Small) -> list[PgRecord]:
    records: list[PgRecord] = []
    for path in sorted((small.out / "logs" / "pgaudit").iterdir()):
        for line in read_text(path).splitlines():
            match = PG_PREFIX.match(line)
            if match:
                records.append(
                    PgRecord(
                        match["time"],
                        match["user"],
                        match["db"],
                        int(match["pid"]),
                        match["message"],
                        path.name,
                    )
                )
            else:
                assert records, f"{path.name} starts with a continuation line"
                last = records[-1]
                records[-1] = PgRecord(
                    last.time, last.user, last.db, last.pid, last.message + "\n" + line, last.file
                )
    return records
