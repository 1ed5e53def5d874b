"""Is this domain imitating the brand? Watch list, combosquats, homoglyphs, brand subdomains.

``DomainMatcher.classify`` answers for one host (sender and link domains use it too);
``match_feed`` runs it over a feed of observed domains: newly registered domains,
certificate-transparency exports or DNS logs, one domain a line or CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from breachdesk.errors import InputFileError
from breachdesk.phishing.domains import (
    Brand,
    compact,
    is_ip_host,
    organisational_domain,
    registrable_label,
    skeleton,
    to_idna,
    to_unicode,
    url_host,
)
from breachdesk.phishing.watchlist import Watchlist

MatchKind = Literal["watchlist", "homoglyph", "combosquat", "brand-subdomain"]
MAX_LINE = 4096
_CSV_HEADER_NAMES = ("domain", "domain_name", "fqdn", "name", "host", "hostname", "common_name")


@dataclass(frozen=True)
class DomainMatch:
    """``domain`` imitates ``brand_domain``: how (``kind``) and, for the watch list, by which
    dnstwist fuzzer."""

    domain: str
    kind: MatchKind
    brand_domain: str
    fuzzer: str | None = None

    def describe(self) -> str:
        shown = to_unicode(self.domain)
        name = self.domain if shown == self.domain else f"{self.domain} ({shown})"
        how = f"{self.kind}, {self.fuzzer}" if self.fuzzer else self.kind
        return f"{name}: {how} of {self.brand_domain}"


@dataclass(frozen=True)
class DomainMatcher:
    brand: Brand
    watchlist: Watchlist

    @property
    def _first_domain(self) -> str:
        return min(self.brand.domains) if self.brand.domains else self.brand.name

    def classify(self, host: str) -> DomainMatch | None:
        """How ``host`` (IDNA form) imitates the brand, or None (also for the brand's own)."""
        if not host or is_ip_host(host) or self.brand.owns(host):
            return None
        found = self.watchlist.find(host, self.brand)
        if found is not None:
            domain, entry = found
            return DomainMatch(domain, "watchlist", entry.brand_domain, entry.fuzzer)
        org = organisational_domain(host)
        label = to_unicode(registrable_label(host))
        target = self._first_domain
        for term in self.brand.terms:
            folded_term = skeleton(term)
            if compact(label) == term:
                # The brand's own name under another suffix (maison-aurelle.shop).
                return DomainMatch(org, "combosquat", target)
            if skeleton(label) == folded_term:
                return DomainMatch(org, "homoglyph", target)
            if len(term) >= 5 and term in compact(label):
                return DomainMatch(org, "combosquat", target)
            if len(term) >= 5 and folded_term in skeleton(label):
                return DomainMatch(org, "homoglyph", target)
        subdomain = host[: -len(org)].rstrip(".") if host.endswith(org) else ""
        if subdomain and self.brand.named_in(to_unicode(subdomain)):
            return DomainMatch(host, "brand-subdomain", target)
        return None


@dataclass(frozen=True)
class FeedMatch:
    line: int
    observed: str
    match: DomainMatch

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "observed": self.observed, **asdict(self.match)}


@dataclass
class FeedReport:
    feed: str
    lines: int = 0
    domains: int = 0
    rejected: list[int] = field(default_factory=list)
    matches: list[FeedMatch] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "feed": self.feed,
            "lines": self.lines,
            "domains": self.domains,
            "rejected": len(self.rejected),
            "rejected_lines": self.rejected[:100],
            "matches": [m.to_dict() for m in self.matches],
        }


def match_feed(path: Path, matcher: DomainMatcher) -> FeedReport:
    """Every feed entry that imitates the brand, with its line number."""
    report = FeedReport(str(path))
    for number, value in read_feed(path):
        report.lines = number
        if value is None:
            continue
        host = _host_of(value)
        if host is None:
            report.rejected.append(number)
            continue
        report.domains += 1
        found = matcher.classify(host)
        if found is not None:
            report.matches.append(FeedMatch(number, value[:253], found))
    return report


def _host_of(value: str) -> str | None:
    text = value.strip().strip('"').strip()
    if "://" in text:
        text = url_host(text) or ""
    text = text.removeprefix("*.").rstrip(".")
    return to_idna(text) if "." in text else None


def read_feed(path: Path) -> Iterator[tuple[int, str | None]]:
    """(line number, domain text or None for blank/comment/header lines) of a feed file.

    A line with a comma is CSV: the column named like a domain in a header row, else the
    first field that looks like a domain name.
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise InputFileError("no such feed file", path=path) from None
    except OSError as exc:
        raise InputFileError(f"cannot read the feed: {exc.strerror}", path=path) from None
    column: int | None = None
    with handle:
        try:
            for number, raw in enumerate(handle, 1):
                line = raw[:MAX_LINE].decode("utf-8", "replace").strip().lstrip("\ufeff")
                if not line or line.startswith("#"):
                    yield number, None
                    continue
                if "," not in line and "\t" not in line:
                    yield number, line.split()[0]
                    continue
                fields = _fields(line)
                if _is_header(fields):
                    named = _header_column(fields)
                    if named is not None:
                        column = named
                        yield number, None
                        continue
                yield number, _pick(fields, column)
        except OSError as exc:
            raise InputFileError(f"cannot read the feed: {exc.strerror}", path=path) from None


def _fields(line: str) -> list[str]:
    delimiter = "\t" if "\t" in line and "," not in line else ","
    try:
        return next(csv.reader(io.StringIO(line), delimiter=delimiter))
    except (csv.Error, StopIteration):
        return line.split(delimiter)


def _is_header(fields: list[str]) -> bool:
    return any(f.strip().lower() in _CSV_HEADER_NAMES for f in fields)


def _header_column(fields: list[str]) -> int | None:
    lowered = [f.strip().lower() for f in fields]
    for name in _CSV_HEADER_NAMES:
        if name in lowered:
            return lowered.index(name)
    return None


# A name with a dot whose last label has a letter (not an IP address, not a number).
_DOMAINISH = re.compile(r"^(\*\.)?[^\s,@/]+\.[^\s,@/.]*[^\W\d_][^\s,@/.]*$")


def _pick(fields: list[str], column: int | None) -> str | None:
    if column is not None:
        return fields[column] if column < len(fields) else None
    for value in fields:
        text = value.strip()
        if _DOMAINISH.match(text) or "://" in text:
            return text
    return fields[0] if fields else None
