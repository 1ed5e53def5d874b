"""Alerts: detector hits merged per principal and time window, graded, stored with evidence.

Hits of one principal closer than ``merge_gap_minutes`` form one alert. Severity adds up the
evidence of distinct detectors, so one weak signal stays low and high needs a strong signal
or several together; a canary is always critical. Ids depend only on the principal and the
alert's first event, so re-running detection updates alerts instead of duplicating them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ibis
import pyarrow as pa

from breachdesk.config import SeverityParams
from breachdesk.detect.alert_store import read_alerts, store_alerts
from breachdesk.detect.engines import Engine
from breachdesk.detect.hits import STRONG, SUSPICIOUS, WEAK, Hit
from breachdesk.detect.observations import Observations
from breachdesk.model import Alert, Severity

# Points per hit strength: a strong signal alone reaches "high"; weak ones must add up.
POINTS = {WEAK: 1, SUSPICIOUS: 2, STRONG: 5}
PROOF_DETECTORS = frozenset({"canary"})


@dataclass(frozen=True)
class Cluster:
    """Hits of one principal that overlap or follow each other closely."""

    principal: str
    start: datetime
    end: datetime
    hits: tuple[Hit, ...]


def cluster_hits(hits: list[Hit], gap: timedelta) -> list[Cluster]:
    """Group hits per principal into windows; a hit within ``gap`` of a window joins it."""
    by_principal: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_principal[hit.principal].append(hit)
    clusters: list[Cluster] = []
    for principal in sorted(by_principal):
        ordered = sorted(by_principal[principal], key=lambda h: (h.start, h.end, h.detector))
        current: list[Hit] = []
        end: datetime | None = None
        for hit in ordered:
            if current and end is not None and hit.start > end + gap:
                clusters.append(_cluster(principal, current))
                current = []
                end = None
            current.append(hit)
            end = hit.end if end is None else max(end, hit.end)
        if current:
            clusters.append(_cluster(principal, current))
    return clusters


def _cluster(principal: str, hits: list[Hit]) -> Cluster:
    return Cluster(
        principal,
        min(h.start for h in hits),
        max(h.end for h in hits),
        tuple(hits),
    )


def grade(hits: tuple[Hit, ...] | list[Hit], params: SeverityParams) -> Severity:
    """Severity from the strongest hit of each distinct detector."""
    best: dict[str, int] = {}
    for hit in hits:
        best[hit.detector] = max(best.get(hit.detector, 0), hit.strength)
    if PROOF_DETECTORS & best.keys():
        return Severity.CRITICAL
    points = sum(POINTS.get(strength, 0) for strength in best.values())
    if points >= params.critical and len(best) >= 2:
        return Severity.CRITICAL
    if points >= params.high:
        return Severity.HIGH
    if points >= params.medium:
        return Severity.MEDIUM
    return Severity.LOW


def alert_id(principal: str, start: datetime) -> str:
    """Stable id of the alert of ``principal`` whose first event is at ``start``."""
    digest = hashlib.sha256(f"{principal}\x1f{_iso(start)}".encode()).hexdigest()
    return "ALR-" + digest[:16]


def build_alerts(
    clusters: list[Cluster], obs: Observations, params: SeverityParams, events_root: Path
) -> list[Alert]:
    """Alerts for ``clusters`` with counts, addresses and the evidence query of each."""
    if not clusters:
        return []
    stats, addresses = _window_stats(clusters, obs.engine, obs)
    alerts = []
    for index, cluster in enumerate(clusters):
        events, objects = stats.get(index, (0, 0))
        if events == 0:
            events = sum(h.events for h in cluster.hits)
        alerts.append(
            Alert(
                id=alert_id(cluster.principal, cluster.start),
                severity=grade(cluster.hits, params),
                detectors=tuple(sorted({h.detector for h in cluster.hits})),
                principals=(cluster.principal,),
                src_ips=tuple(sorted(addresses.get(index, set()))),
                start=cluster.start,
                end=cluster.end,
                events=events,
                objects=objects,
                evidence_query=evidence_query(events_root, cluster),
            )
        )
    return sorted(alerts, key=lambda a: (-a.severity.rank, a.start, a.id))


def _window_stats(
    clusters: list[Cluster], engine: Engine, obs: Observations
) -> tuple[dict[int, tuple[int, int]], dict[int, set[str]]]:
    windows = ibis.memtable(
        pa.table(
            {
                "cluster": pa.array(range(len(clusters)), pa.int64()),
                "w_principal": pa.array([c.principal for c in clusters], pa.string()),
                "w_start": engine.moments([c.start for c in clusters]),
                "w_end": engine.moments([c.end for c in clusters]),
            }
        )
    )
    rows = obs.rows
    joined = rows.join(
        windows,
        (rows.principal == windows.w_principal)
        & (rows.time >= windows.w_start)
        & (rows.time <= windows.w_end),
    )
    listed = ibis.ifelse(joined.object_id.isnull(), joined.rows.fill_null(0), 0)
    # One pass over the rows: counts and addresses of every window together.
    counts = joined.group_by("cluster").aggregate(
        events=joined.count(),
        objects=(joined.table_name.fill_null("") + ":" + joined.object_id).nunique(),
        listed=listed.sum(),
        ips=joined.src_ip.collect(distinct=True),
    )
    stats: dict[int, tuple[int, int]] = {}
    addresses: dict[int, set[str]] = defaultdict(set)
    for r in engine.execute(counts).to_pylist():
        cluster = int(r["cluster"])
        stats[cluster] = (int(r["events"]), int(r["objects"]) + int(r["listed"] or 0))
        addresses[cluster].update(str(ip) for ip in r["ips"] or ())
    return stats, addresses


def evidence_query(events_root: Path, cluster: Cluster) -> str:
    """DuckDB SQL selecting the events behind an alert (runnable as is in ``duckdb``)."""
    source = _quote(str(events_root / "source=*" / "date=*" / "*.parquet"))
    if cluster.principal.startswith("ip:"):
        who = f"principal IS NULL AND src_ip = {_quote(cluster.principal[3:])}"
    else:
        who = f"principal = {_quote(cluster.principal)}"
    return (
        f"SELECT * FROM read_parquet({source}, hive_partitioning = true, union_by_name = true) "
        f"WHERE {who} AND time BETWEEN TIMESTAMPTZ {_quote(_iso(cluster.start))} "
        f"AND TIMESTAMPTZ {_quote(_iso(cluster.end))} ORDER BY time"
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")


# Storage lives in alert_store (no analytics imports); the names stay importable from here.
__all__ = [
    "POINTS",
    "PROOF_DETECTORS",
    "Cluster",
    "alert_id",
    "build_alerts",
    "cluster_hits",
    "evidence_query",
    "grade",
    "read_alerts",
    "store_alerts",
]
