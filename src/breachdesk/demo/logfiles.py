"""The three log formats and their daily files: nginx, the API gateway, PostgreSQL+pgAudit.

Generators hand over one day of ``Hit`` and ``DbEntry`` values; this module sorts them and
writes each source's file for that Paris day (logrotate runs at local midnight), gzipping
nginx days older than the last two as logrotate's ``delaycompress`` leaves them.
"""

from __future__ import annotations

import bisect
import gzip
import json
import random
from pathlib import Path
from typing import IO, NamedTuple

from breachdesk.demo.clock import Day, iso_utc, nginx_time, postgres_time

NGINX, GATEWAY, BOTH = 1, 2, 3
UNCOMPRESSED_DAYS = 2


class Hit(NamedTuple):
    """One HTTP request; ``where`` says whether nginx, the gateway or both logged it."""

    ms: int
    ip: str
    method: str
    path: str
    query: str
    status: int
    size: int
    referer: str
    user_agent: str
    principal: str | None = None
    token_id: str | None = None
    rows: int = 0
    latency_ms: int = 0
    where: int = NGINX


class DbEntry(NamedTuple):
    """One PostgreSQL log message; ``message`` starts with its level (``LOG:  ...``)."""

    ms: int
    user: str
    database: str
    pid: int
    message: str


def nginx_escape(text: str) -> str:
    """Escape as nginx does in ``escape=default`` log variables: ``"``, ``\\``, controls, 8-bit."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return text
    out = []
    for byte in text.encode("utf-8"):
        if byte in (0x22, 0x5C) or byte < 0x20 or byte >= 0x7F:
            out.append(f"\\x{byte:02X}")
        else:
            out.append(chr(byte))
    return "".join(out)


def nginx_line(hit: Hit) -> str:
    target = f"{hit.path}?{hit.query}" if hit.query else hit.path
    request = nginx_escape(f"{hit.method} {target} HTTP/1.1")
    referer = nginx_escape(hit.referer) if hit.referer else "-"
    agent = nginx_escape(hit.user_agent) if hit.user_agent else "-"
    return (
        f'{hit.ip} - - [{nginx_time(hit.ms)}] "{request}" {hit.status} {hit.size} '
        f'"{referer}" "{agent}"\n'
    )


def gateway_line(hit: Hit, request_id: str) -> str:
    record = {
        "ts": iso_utc(hit.ms),
        "request_id": request_id,
        "principal": hit.principal or "anonymous",
        "token_id": hit.token_id,
        "client_ip": hit.ip,
        "method": hit.method,
        "path": hit.path,
        "query": hit.query,
        "status": hit.status,
        "bytes": hit.size,
        "user_agent": hit.user_agent,
        "latency_ms": hit.latency_ms,
        "rows": hit.rows,
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def postgres_lines(entry: DbEntry) -> str:
    """The entry after ``log_line_prefix = '%m %u %d [%p]: '``; continuation lines as is."""
    prefix = f"{postgres_time(entry.ms)} {entry.user} {entry.database} [{entry.pid}]: "
    return prefix + entry.message + "\n"


def csv_field(text: str) -> str:
    """pgAudit's CSV quoting of the statement: only when needed, quotes doubled."""
    if any(ch in text for ch in '",\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def audit_messages(
    statement_id: int, klass: str, command: str, objects: list[tuple[str, str]], statement: str
) -> list[str]:
    """pgAudit session messages for one statement, one per relation (``log_relation = on``)."""
    text = csv_field(statement)
    head = f"LOG:  AUDIT: SESSION,{statement_id},1,{klass},{command}"
    if not objects:
        return [f"{head},,,{text},<not logged>"]
    return [f"{head},{kind},{name},{text},<not logged>" for kind, name in objects]


class LogWriter:
    """Writes each day's three files under ``root/logs`` and counts lines and bytes."""

    def __init__(self, root: Path, days: int, seed: int):
        self.root = root / "logs"
        self.days = days
        self.seed = seed
        self.lines = {"nginx": 0, "gateway": 0, "pgaudit": 0}
        self.files: list[Path] = []
        # Events of a day that end after midnight go to the next day's files, as rotation does.
        self._carry: tuple[list[Hit], list[DbEntry]] = ([], [])
        for name in self.lines:
            (self.root / name).mkdir(parents=True, exist_ok=True)

    def write_day(self, day: Day, hits: list[Hit], entries: list[DbEntry]) -> None:
        """Write ``day``'s files; what falls after its end waits for the next day (or, after
        the last day, is dropped: the period ends there)."""
        hits = self._carry[0] + hits
        entries = self._carry[1] + entries
        hits.sort(key=lambda h: h.ms)
        entries.sort(key=lambda e: e.ms)
        cut = bisect.bisect_left(hits, day.end, key=lambda h: h.ms)
        cut_db = bisect.bisect_left(entries, day.end, key=lambda e: e.ms)
        self._carry = (hits[cut:], entries[cut_db:])
        hits, entries = hits[:cut], entries[:cut_db]
        stamp = day.date.isoformat()
        compress = day.index < self.days - UNCOMPRESSED_DAYS
        nginx_path = self.root / "nginx" / f"access-{stamp}.log{'.gz' if compress else ''}"
        ids = random.Random(f"{self.seed}:request-ids:{stamp}")
        with (
            _open(nginx_path, compress) as nginx,
            _open(self.root / "gateway" / f"gateway-{stamp}.jsonl", False) as gateway,
        ):
            nginx_buf: list[str] = []
            gateway_buf: list[str] = []
            for hit in hits:
                if hit.where & NGINX:
                    nginx_buf.append(nginx_line(hit))
                if hit.where & GATEWAY:
                    gateway_buf.append(gateway_line(hit, f"{ids.getrandbits(96):024x}"))
            nginx.write("".join(nginx_buf).encode("utf-8"))
            gateway.write("".join(gateway_buf).encode("utf-8"))
        self.lines["nginx"] += len(nginx_buf)
        self.lines["gateway"] += len(gateway_buf)
        pg_path = self.root / "pgaudit" / f"postgresql-{stamp}.log"
        text = "".join(postgres_lines(entry) for entry in entries)
        pg_path.write_bytes(text.encode("utf-8"))
        self.lines["pgaudit"] += text.count("\n")
        self.files += [nginx_path, self.root / "gateway" / f"gateway-{stamp}.jsonl", pg_path]


def _open(path: Path, compress: bool) -> IO[bytes] | gzip.GzipFile:
    raw = path.open("wb")
    if not compress:
        return raw
    # mtime=0 and no file name in the header: the same input gives the same bytes.
    return _ClosingGzip(raw)


class _ClosingGzip(gzip.GzipFile):
    def __init__(self, raw: IO[bytes]):
        super().__init__(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()
