"""Sigma rules from the workspace's ``rules/`` folder, run on the events.

Rules are converted by pySigma and ``pysigma-backend-sqlite`` (correlations included), with
a processing pipeline that maps common Sigma field names onto the event schema. Running them
takes two steps so that both engines give the same answer:

1. every detection rule's predicate is transpiled (sqlglot, SQLite → DuckDB or Spark SQL,
   case-insensitive as Sigma is) and the events are scanned once on the engine for rows that
   match any rule — a superset, never a miss;
2. those rows go into an in-memory SQLite table and the backend's own SQL, unchanged, decides
   which rows match and which correlation windows fire.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import sqlglot
from sigma.backends.sqlite.sqlite import sqliteBackend
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import FieldMappingTransformation
from sigma.rule import SigmaRule
from sqlglot import exp

from breachdesk.detect.engines import Engine
from breachdesk.detect.hits import STRONG, SUSPICIOUS, WEAK, Hit
from breachdesk.errors import RuleFileError
from breachdesk.model import EVENT_SCHEMA

DETECTOR_PREFIX = "sigma:"
TABLE = "events"
_MAX_RULE_BYTES = 1_000_000
# Candidate rows copied into SQLite; a rule matching more is a mistake, not a detection.
MAX_CANDIDATES = 2_000_000

# Common Sigma/webserver/OCSF names → event columns (the event's own names map to themselves).
FIELD_MAP: dict[str | None, str | list[str]] = {
    "c-ip": "src_ip",
    "src_ip": "src_ip",
    "ClientIP": "src_ip",
    "ip": "src_ip",
    "cs-uri-stem": "path",
    "cs-uri": "path",
    "url": "path",
    "uri": "path",
    "cs-uri-query": "query",
    "cs-method": "method",
    "http_method": "method",
    "sc-status": "status",
    "status_code": "status",
    "cs-user-agent": "user_agent",
    "c-useragent": "user_agent",
    "useragent": "user_agent",
    "cs-username": "principal",
    "user": "principal",
    "User": "principal",
    "username": "principal",
    "sc-bytes": "bytes",
    "table": "resource",
    "query_info": "statement",
    "sql": "statement",
}
# Strength of a hit by the rule's level: the team's own rule at "high" is suspicious on its
# own; "critical" is strong. Unleveled rules are informational (weak).
LEVEL_STRENGTH = {"critical": STRONG, "high": SUSPICIOUS}


def field_pipeline() -> ProcessingPipeline:
    """The processing pipeline mapping Sigma field names onto the event schema."""
    return ProcessingPipeline(
        name="breachdesk events",
        priority=20,
        items=[
            ProcessingItem(
                identifier="breachdesk_event_fields",
                transformation=FieldMappingTransformation(dict(FIELD_MAP)),
            )
        ],
    )


@dataclass(frozen=True)
class ConvertedRule:
    """One rule that produces results, with the backend's SQLite SQL for it."""

    name: str
    title: str
    level: str
    correlation: bool
    sql: str

    @property
    def detector(self) -> str:
        return DETECTOR_PREFIX + self.name

    @property
    def strength(self) -> int:
        return LEVEL_STRENGTH.get(self.level, WEAK)


@dataclass(frozen=True)
class RuleSet:
    """Rules of a folder: converted queries, detection predicates, and per-file errors."""

    rules: tuple[ConvertedRule, ...] = ()
    predicates: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    files: int = 0


def load_rules(folder: Path) -> RuleSet:
    """Parse and convert every ``*.yml``/``*.yaml`` under ``folder`` (errors collected).

    Correlation rules may refer to rules in other files; one whose rules are missing is
    reported and skipped, the others still run.
    """
    if not folder.is_dir():
        return RuleSet()
    errors: list[str] = []
    parsed: list[tuple[Path, SigmaRule | SigmaCorrelationRule]] = []
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())
    for path in files:
        try:
            if path.stat().st_size > _MAX_RULE_BYTES:
                errors.append(f"{path}: larger than {_MAX_RULE_BYTES} bytes, skipped")
                continue
            text = path.read_text(encoding="utf-8")
            collection = SigmaCollection.from_yaml(
                text, collect_errors=True, resolve_references=False
            )
        except (OSError, UnicodeDecodeError, SigmaError) as exc:
            errors.append(f"{path}: {_one_line(exc)}")
            continue
        except Exception as exc:  # malformed YAML surfaces as yaml errors of many types
            errors.append(f"{path}: not a Sigma rule file: {_one_line(exc)}")
            continue
        problems: list[str] = [_one_line(e) for e in getattr(collection, "errors", [])]
        for rule in collection:
            found = [_one_line(e) for e in getattr(rule, "errors", None) or []]
            problems.extend(found)
            if not found and isinstance(rule, SigmaRule | SigmaCorrelationRule):
                parsed.append((path, rule))
        errors.extend(f"{path}: {problem}" for problem in dict.fromkeys(problems))
    kept = _with_references(parsed, errors)
    if not kept:
        return RuleSet(errors=tuple(errors), files=len(files))
    try:
        merged = SigmaCollection(list(kept))
    except SigmaError as exc:
        errors.append(f"{folder}: {_one_line(exc)}")
        return RuleSet(errors=tuple(errors), files=len(files))
    predicates = _predicates(merged, errors)
    rules = _convert(merged, errors)
    return RuleSet(tuple(rules), tuple(predicates), tuple(errors), len(files))


def _with_references(
    parsed: list[tuple[Path, SigmaRule | SigmaCorrelationRule]], errors: list[str]
) -> list[SigmaRule | SigmaCorrelationRule]:
    """The rules whose references all exist (repeatedly: dropping one may orphan another)."""
    kept = list(parsed)
    while True:
        known: set[str] = set()
        for _, rule in kept:
            known.update(str(v) for v in (rule.name, rule.id) if v)
        missing = [
            (path, rule, ref)
            for path, rule in kept
            if isinstance(rule, SigmaCorrelationRule)
            for ref in (r.reference for r in rule.rules or [])
            if str(ref) not in known
        ]
        if not missing:
            return [rule for _, rule in kept]
        dropped: set[int] = set()
        for path, rule, ref in missing:
            if id(rule) not in dropped:
                errors.append(f"{path}: correlation {rule.title!r} refers to unknown rule {ref!r}")
                dropped.add(id(rule))
        kept = [(path, rule) for path, rule in kept if id(rule) not in dropped]


def _predicates(collection: SigmaCollection, errors: list[str]) -> list[str]:
    """The WHERE condition (SQLite dialect) of every detection rule, standalone."""
    predicates: list[str] = []
    for rule in collection:
        if not isinstance(rule, SigmaRule):
            continue
        backend = _backend(table=TABLE, collate_nocase=True)
        try:
            copy = SigmaRule.from_dict(rule.to_dict())
            queries = backend.convert(SigmaCollection([copy]))
        except SigmaError as exc:
            errors.append(f"rule {rule.title!r}: {_one_line(exc)}")
            continue
        for query in queries:
            tree = sqlglot.parse_one(query, read="sqlite")
            where = tree.args.get("where")
            predicates.append(where.this.sql(dialect="sqlite") if where is not None else "1=1")
    return predicates


def _backend(**options: Any) -> Any:
    """pySigma's SQLite backend with the event field mapping (the backend is untyped)."""
    return sqliteBackend(field_pipeline(), **options)  # type: ignore[no-untyped-call]


def _convert(collection: SigmaCollection, errors: list[str]) -> list[ConvertedRule]:
    backend = _backend(
        collect_errors=True,
        table=TABLE,
        timestamp_field="timestamp",
        timestamp_format="unix_us",
        event_id_field="event_id",
        collate_nocase=True,
    )
    try:
        entries = backend.convert(collection, output_format="zircolite")
    except SigmaError as exc:
        errors.append(f"conversion: {_one_line(exc)}")
        return []
    errors.extend(f"rule {rule.title!r}: {_one_line(e)}" for rule, e in backend.errors)
    parsed = json.loads(entries) if isinstance(entries, str) else entries
    by_title = {rule.title: rule for rule in collection.get_output_rules()}
    rules: list[ConvertedRule] = []
    for entry in parsed:
        source = by_title.get(entry.get("title", ""))
        name = _rule_name(source, entry)
        for sql in entry.get("rule", []):
            rules.append(
                ConvertedRule(
                    name=name,
                    title=str(entry.get("title", name)),
                    level=str(entry.get("level") or "").lower(),
                    correlation=bool(entry.get("correlation")),
                    sql=sql,
                )
            )
    return rules


def _rule_name(rule: object, entry: dict[str, Any]) -> str:
    name = getattr(rule, "name", None) if rule is not None else None
    if name:
        return re.sub(r"[^A-Za-z0-9_.:-]+", "_", str(name))[:80]
    title = str(entry.get("title") or entry.get("id") or "rule").lower()
    return re.sub(r"[^a-z0-9]+", "-", title).strip("-")[:60] or "rule"


# --- step 1: the engine scans for candidate rows ------------------------------------------


def engine_predicate(predicate: str, dialect: str) -> str:
    """A rule predicate from SQLite SQL in ``dialect``, case-insensitive like Sigma.

    The result may match more rows than Sigma would (never fewer); SQLite decides.
    """
    tree = sqlglot.parse_one(predicate, read="sqlite")
    tree = tree.transform(_loosen)
    return tree.sql(dialect=dialect)


def _loosen(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.EQ | exp.NEQ) and any(
        isinstance(side, exp.Collate) for side in (node.this, node.expression)
    ):
        # SQLite binds COLLATE NOCASE to one operand; compare both sides lower-cased.
        return type(node)(
            this=_lower(_uncollated(node.this)), expression=_lower(_uncollated(node.expression))
        )
    if isinstance(node, exp.Collate):
        inner: exp.Expression = node.this
        return inner
    if isinstance(node, exp.Like):
        return exp.ILike(this=node.this, expression=node.expression)
    if isinstance(node, exp.Escape) and isinstance(node.this, exp.Like):
        like = node.this
        return exp.Escape(
            this=exp.ILike(this=like.this, expression=like.expression),
            expression=node.expression,
        )
    if isinstance(node, exp.Coalesce):
        rest = node.expressions
        if len(rest) == 1 and isinstance(rest[0], exp.Literal) and rest[0].this == "0":
            return exp.Coalesce(this=node.this, expressions=[exp.false()])
    return node


def _uncollated(node: exp.Expression) -> exp.Expression:
    return node.this if isinstance(node, exp.Collate) else node


def _lower(node: exp.Expression) -> exp.Expression:
    return exp.Lower(this=exp.Cast(this=node, to=exp.DataType.build("text")))


def candidate_rows(engine: Engine, events: ir.Table, rules: RuleSet) -> pa.Table:
    """Events that may match any rule, scanned once on ``engine``."""
    if not rules.predicates or not rules.rules:
        return EVENT_SCHEMA.empty_table()
    view = f"breachdesk_sigma_{engine.name}"
    engine.register(view, events)
    condition = " OR ".join(f"({engine_predicate(p, engine.dialect)})" for p in rules.predicates)
    query = f"SELECT * FROM {view} WHERE {condition}"
    result = engine.execute(engine.sql(query).limit(MAX_CANDIDATES + 1))
    if result.num_rows > MAX_CANDIDATES:
        raise RuleFileError(
            f"the Sigma rules match more than {MAX_CANDIDATES} events; "
            "make them more selective (a rule matching everything is not a detection)",
            path=None,
        )
    return result.select(EVENT_SCHEMA.names)


# --- step 2: SQLite runs the backend's SQL ------------------------------------------------


@dataclass
class SigmaRun:
    hits: list[Hit] = field(default_factory=list)
    candidates: int = 0
    fired: dict[str, int] = field(default_factory=dict)


def run_rules(rows: pa.Table, rules: RuleSet) -> SigmaRun:
    """Evaluate every converted rule over ``rows`` (the engine's candidates) in SQLite."""
    run = SigmaRun(candidates=rows.num_rows)
    if rows.num_rows == 0 or not rules.rules:
        return run
    # Sorted, so the SQLite row ids do not depend on the engine's output order.
    rows = rows.sort_by([("time", "ascending"), ("raw_ref", "ascending")])
    with _sqlite_events(rows) as db:
        for rule in rules.rules:
            hits = _correlation_hits(db, rule) if rule.correlation else _detection_hits(db, rule)
            if hits:
                run.fired[rule.detector] = run.fired.get(rule.detector, 0) + len(hits)
            run.hits.extend(hits)
    return run


_INTEGERS = ("status", "bytes", "rows")


class _sqlite_events:
    """An in-memory SQLite database with the candidate rows as ``events``."""

    def __init__(self, rows: pa.Table) -> None:
        self.rows = rows

    def __enter__(self) -> sqlite3.Connection:
        db = sqlite3.connect(":memory:")
        db.create_function("regexp", 2, _regexp, deterministic=True)
        columns = [name for name in EVENT_SCHEMA.names if name != "time"]
        # Text compares without case, as Sigma does (Zircolite's layout).
        declared = ", ".join(
            f'"{name}" {"INTEGER" if name in _INTEGERS else "TEXT COLLATE NOCASE"}'
            for name in columns
        )
        db.execute(
            f"CREATE TABLE {TABLE} (event_id TEXT NOT NULL, timestamp INTEGER, "
            f'"time" TEXT, {declared})'
        )
        times = self.rows.column("time").to_pylist()
        data = {name: self.rows.column(name).to_pylist() for name in columns}
        records = []
        for index, moment in enumerate(times):
            micros = _micros(moment)
            iso = moment.isoformat() if moment else None
            records.append((str(index), micros, iso, *(data[name][index] for name in columns)))
        marks = ", ".join("?" for _ in range(3 + len(columns)))
        db.executemany(f"INSERT INTO {TABLE} VALUES ({marks})", records)
        self.db = db
        return db

    def __exit__(self, *exc: object) -> None:
        self.db.close()


def _micros(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return delta // timedelta(microseconds=1)


def _regexp(pattern: str | None, value: object) -> bool:
    if pattern is None or value is None:
        return False
    try:
        return re.search(pattern, str(value)) is not None
    except re.error:
        return False


def _detection_hits(db: sqlite3.Connection, rule: ConvertedRule) -> list[Hit]:
    # The backend's query selects matching rows; keep only what a hit needs, per hour.
    sql = (
        "SELECT principal, src_ip, timestamp FROM (" + rule.sql + ") "
        "WHERE principal IS NOT NULL OR src_ip IS NOT NULL"
    )
    groups: dict[tuple[str, int], list[int]] = {}
    for principal, src_ip, micros in db.execute(sql):
        who = principal or f"ip:{src_ip}"
        groups.setdefault((who, micros // 3_600_000_000), []).append(micros)
    return [
        _hit(rule, who, min(times), max(times), len(times), f"matched Sigma rule {rule.title!r}")
        for (who, _), times in sorted(groups.items())
    ]


def _correlation_hits(db: sqlite3.Connection, rule: ConvertedRule) -> list[Hit]:
    hits: list[Hit] = []
    cursor = db.execute(rule.sql)
    names = [d[0] for d in cursor.description]
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        ids = [str(i).split(":", 1)[-1] for i in json.loads(row.get("event_ids") or "[]")]
        by_principal: dict[str, list[int]] = {}
        for chunk in _chunks(ids, 500):
            marks = ", ".join("?" for _ in chunk)
            query = f"SELECT principal, src_ip, timestamp FROM {TABLE} WHERE event_id IN ({marks})"
            for principal, src_ip, micros in db.execute(query, chunk):
                who = principal or (f"ip:{src_ip}" if src_ip else None)
                if who is not None and micros is not None:
                    by_principal.setdefault(who, []).append(micros)
        reason = f"Sigma correlation {rule.title!r} fired ({row.get('metric_name')})"
        for who, times in sorted(by_principal.items()):
            hits.append(_hit(rule, who, min(times), max(times), len(times), reason))
    return hits


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _hit(rule: ConvertedRule, who: str, lo: int, hi: int, count: int, reason: str) -> Hit:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return Hit(
        detector=rule.detector,
        principal=who,
        start=epoch + timedelta(microseconds=lo),
        end=epoch + timedelta(microseconds=hi),
        events=count,
        strength=rule.strength,
        reason=reason,
    )


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__


__all__ = [
    "DETECTOR_PREFIX",
    "FIELD_MAP",
    "ConvertedRule",
    "RuleSet",
    "SigmaRun",
    "candidate_rows",
    "engine_predicate",
    "field_pipeline",
    "load_rules",
    "run_rules",
]
