"""The workspace's watch list: lookalikes of the brand's domains, kept in the store.

It lives in the store (table ``phishing_watchlist``) rather than in a file so that a team
sharing a PostgreSQL store shares one watch list, and its changes enter the audit log.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from breachdesk.phishing.domains import Brand, organisational_domain
from breachdesk.phishing.lookalikes import LookalikeSet, generate_lookalikes
from breachdesk.store import Store, record_audit
from breachdesk.store.tables import WatchedDomain

_BATCH = 5_000


@dataclass(frozen=True)
class WatchEntry:
    """Why a domain is watched: which brand domain it imitates, by which fuzzer."""

    brand_domain: str
    fuzzer: str


@dataclass(frozen=True)
class Watchlist:
    """Lookalike domain (IDNA form) → what it imitates; the brand's own domains never match."""

    entries: Mapping[str, WatchEntry]

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, host: str, brand: Brand | None = None) -> tuple[str, WatchEntry] | None:
        """The watched domain ``host`` is, or lies under; None when it is not watched."""
        if brand is not None and brand.owns(host):
            return None
        entry = self.entries.get(host)
        if entry is not None:
            return host, entry
        org = organisational_domain(host)
        entry = self.entries.get(org)
        if entry is not None:
            return org, entry
        return None

    @classmethod
    def of(cls, sets: Iterable[LookalikeSet]) -> Watchlist:
        entries: dict[str, WatchEntry] = {}
        for lookalikes in sets:
            for permutation in lookalikes.permutations:
                entries.setdefault(
                    permutation.domain, WatchEntry(lookalikes.domain, permutation.fuzzer)
                )
        return cls(entries)


def _actor() -> str:
    try:
        return f"user:{getpass.getuser()}"
    except (OSError, KeyError):
        return "user:unknown"


def store_watchlist(store: Store, lookalikes: LookalikeSet) -> int:
    """Replace the watch list of ``lookalikes.domain`` by these permutations; their count."""
    rows = [
        {"brand_domain": lookalikes.domain, "domain": p.domain, "fuzzer": p.fuzzer}
        for p in lookalikes.permutations
    ]
    with store.session() as session:
        session.execute(
            delete(WatchedDomain).where(WatchedDomain.brand_domain == lookalikes.domain)
        )
        for start in range(0, len(rows), _BATCH):
            session.execute(insert(WatchedDomain), rows[start : start + _BATCH])
        record_audit(
            session,
            actor=_actor(),
            action="phishing.watchlist.replace",
            target=lookalikes.domain,
            detail={"permutations": len(rows), "fuzzers": lookalikes.by_fuzzer()},
        )
    return len(rows)


def read_watchlist(store: Store) -> Watchlist:
    """The stored watch list of every brand domain."""
    entries: dict[str, WatchEntry] = {}
    query = select(WatchedDomain.domain, WatchedDomain.brand_domain, WatchedDomain.fuzzer)
    with store.session() as session:
        for domain, brand_domain, fuzzer in session.execute(query.order_by(WatchedDomain.id)):
            entries.setdefault(domain, WatchEntry(brand_domain, fuzzer))
    return Watchlist(entries)


def stored_brand_domains(store: Store) -> set[str]:
    with store.session() as session:
        return set(session.scalars(select(WatchedDomain.brand_domain).distinct()))


def watchlist_for(store: Store | None, brand: Brand) -> Watchlist:
    """The stored watch list, completed in memory for brand domains that have none stored.

    A workspace where ``breachdesk phish lookalikes`` never ran still gets lookalike
    detection for its brand domains (at the cost of generating them, about 0.5 s a domain).
    """
    stored = read_watchlist(store) if store is not None else Watchlist({})
    covered = {entry.brand_domain for entry in stored.entries.values()}
    missing = [generate_lookalikes(d) for d in sorted(brand.domains) if d not in covered]
    if not missing:
        return stored
    entries = dict(stored.entries)
    for key, value in Watchlist.of(missing).entries.items():
        entries.setdefault(key, value)
    return Watchlist(entries)
