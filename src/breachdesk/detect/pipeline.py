"""One detection run: read the events, run every detector and rule, merge, grade, store.

``run_detection`` is what the CLI, the demo and the web call; it returns a report whose
``to_dict`` is the documented ``--json`` shape.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import ibis.expr.types as ir

from breachdesk.detect.alerts import build_alerts, cluster_hits, store_alerts
from breachdesk.detect.bulk_query import detect_bulk_query
from breachdesk.detect.canary import detect_canary
from breachdesk.detect.engines import Engine, EngineName, open_engine
from breachdesk.detect.enumeration import detect_enumeration
from breachdesk.detect.hits import Hit, hits_from_arrow
from breachdesk.detect.new_source import detect_new_source
from breachdesk.detect.observations import Observations, observe
from breachdesk.detect.off_hours import detect_off_hours
from breachdesk.detect.sigma import candidate_rows, load_rules, run_rules
from breachdesk.detect.volume import detect_volume
from breachdesk.errors import UserInputError
from breachdesk.model import Alert
from breachdesk.model.alert import iso_utc
from breachdesk.store import record_audit
from breachdesk.workspace import Workspace

Detector = Callable[[Observations], ir.Table]

BUILTIN_DETECTORS: dict[str, Detector] = {
    "volume": detect_volume,
    "enumeration": detect_enumeration,
    "new_source": detect_new_source,
    "off_hours": detect_off_hours,
    "bulk_query": detect_bulk_query,
    "canary": detect_canary,
}


@dataclass(frozen=True)
class DetectionReport:
    """What a run found, and what it looked at."""

    engine: str
    since: datetime | None
    until: datetime | None
    events: int
    alerts: tuple[Alert, ...]
    hits: dict[str, int]
    rules: int
    rule_errors: tuple[str, ...]
    new_alerts: int
    seconds: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "alerts": [alert.to_dict() for alert in self.alerts],
            "engine": self.engine,
            "since": iso_utc(self.since) if self.since else None,
            "until": iso_utc(self.until) if self.until else None,
            "events": self.events,
            "hits": dict(sorted(self.hits.items())),
            "rules": self.rules,
            "rule_errors": list(self.rule_errors),
            "new_alerts": self.new_alerts,
            "seconds": round(self.seconds, 3),
        }


def run_detection(
    workspace: Workspace,
    since: datetime | None = None,
    until: datetime | None = None,
    engine: EngineName | None = None,
    *,
    spark_session: Any = None,
    store: bool = True,
) -> DetectionReport:
    """Detect on the workspace's events; alerts that end before ``since`` are not reported.

    Baselines use every event before ``until``, so ``since`` narrows what is reported, not
    what is learnt.
    """
    started = time.perf_counter()
    settings = workspace.settings
    name: EngineName = engine or settings.engine
    opened = open_engine(
        name, spark_master=settings.detect.spark_master, spark_session=spark_session
    )
    try:
        events = opened.events(workspace.path("events"))
        obs = observe(opened, workspace.path("events"), settings, until=until)
        hits = builtin_hits(opened, obs)
        rules = load_rules(workspace.resolve_path(settings.detect.rules))
        rule_errors = list(rules.errors)
        if rules.rules:
            scoped = events if until is None else events.filter(events.time < opened.moment(until))
            sigma = run_rules(candidate_rows(opened, scoped, rules), rules)
            hits.extend(sigma.hits)
        gap = timedelta(minutes=settings.detect.merge_gap_minutes)
        clusters = cluster_hits(hits, gap)
        if since is not None:
            # Whole alerts are kept or dropped, so an alert has the same id whatever --since.
            clusters = [cluster for cluster in clusters if cluster.end >= since]
            hits = [hit for cluster in clusters for hit in cluster.hits]
        alerts = build_alerts(clusters, obs, settings.detect.severity, workspace.path("events"))
        examined = int(opened.execute(obs.rows.aggregate(n=obs.rows.count()))["n"][0].as_py())
    finally:
        opened.close()
    created = 0
    if store:
        created = store_alerts(workspace.store, alerts)
        with workspace.store.session() as session:
            record_audit(
                session,
                actor="breachdesk",
                action="detect.run",
                target=str(workspace.root),
                detail={"engine": name, "alerts": len(alerts), "new_alerts": created},
            )
    return DetectionReport(
        engine=name,
        since=since,
        until=until,
        events=examined,
        alerts=tuple(alerts),
        hits=dict(Counter(hit.detector for hit in hits)),
        rules=len(rules.rules),
        rule_errors=tuple(rule_errors),
        new_alerts=created,
        seconds=time.perf_counter() - started,
    )


def builtin_hits(engine: Engine, obs: Observations) -> list[Hit]:
    """Hits of every built-in detector, each detector one query on ``engine``.

    One query per detector, not one union of all: DuckDB ran the union about 1.7 times
    slower than its parts one after the other (100 M events, 2 cores: 9.6 s against 5.7 s).
    """
    hits: list[Hit] = []
    for detector in BUILTIN_DETECTORS.values():
        hits.extend(hits_from_arrow(engine.execute(detector(obs))))
    return sorted(hits, key=lambda h: (h.principal, h.start, h.detector, h.end, h.reason))


_RELATIVE = re.compile(r"^(\d{1,6})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_moment(text: str, *, now: datetime | None = None) -> datetime:
    """``2026-11-03``, ``2026-11-03T02:00`` (UTC unless an offset is given) or ``36h`` ago."""
    value = text.strip()
    relative = _RELATIVE.match(value)
    if relative:
        amount, unit = int(relative.group(1)), _UNITS[relative.group(2)]
        return (now or datetime.now(UTC)) - timedelta(**{unit: amount})
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UserInputError(
            f"not a time: {value[:40]!r}; use 2026-11-03, 2026-11-03T02:00Z or 36h"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
