"""Datastore statements (pgAudit, MySQL general log) → the people they read.

Statements are grouped: identical texts once, then texts that differ only in literals
(``sqlshape``) share one parse and one safety check (``sqlcheck``). An accepted SELECT is
replayed against the person source selecting only the person key, inside the source's
read-only transaction with the statement timeout (``exact``); a WHERE that only compares
the integer key with literals is answered from the key copy in the engine instead (same
answer, no round trip). ``COPY table TO …`` and an unfiltered SELECT reach every row that
existed then (``exact``). Refused statements, failed replays and anything the rewrite
cannot trace to people are resolved conservatively, each with its reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError

from breachdesk.config import Settings
from breachdesk.model.scope import Confidence, ScopeNote
from breachdesk.scope.conservative import conservative, note, reach_tables
from breachdesk.scope.copies import CopyStore
from breachdesk.scope.exposure import ExposurePlan, TableFacts
from breachdesk.scope.hits import HitSet
from breachdesk.scope.source import ReplayFailed, SourceDb
from breachdesk.scope.sqlcheck import (
    CheckedStatement,
    NotAnExposure,
    StatementRefused,
    check_statement,
)
from breachdesk.scope.sqlplan import BranchPlan, order_has_placeholder, plan_query
from breachdesk.scope.sqlshape import Literal, mask_statement

_LOG_DIALECTS = {"pgaudit": "postgres", "mysql-general": "mysql"}


@dataclass
class ReplayStats:
    """Figures of one run's statement handling (for the run record and the benchmark)."""

    events: int = 0
    statements: int = 0
    shapes: int = 0
    replayed: int = 0
    vectorised: int = 0
    refused: int = 0
    ignored: int = 0

    def to_json(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class _Shape:
    dialect: str
    text: str
    instances: list[int] = field(default_factory=list)  # statement numbers


@dataclass
class _Collected:
    """What the shapes produced, before it goes to the engine."""

    key_q: list[int] = field(default_factory=list)
    keys: list[object] = field(default_factory=list)
    ranges: dict[str, tuple[TableFacts, list[tuple[int, int, int]]]] = field(default_factory=dict)
    # q -> (statement number, confidence, mask, limited)
    queries: list[tuple[int, int, int, bool]] = field(default_factory=list)
    notes: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))


def dialect_of(settings: Settings, source_name: str | None) -> str:
    for source in settings.sources:
        if source.name == source_name:
            return _LOG_DIALECTS.get(source.format, "postgres")
    return "postgres"


def resolve_statements(
    events: pa.Table,
    settings: Settings,
    plan: ExposurePlan,
    source: SourceDb,
    hits: HitSet,
    copies: CopyStore,
) -> tuple[list[ScopeNote], ReplayStats]:
    """Add the hits of datastore events with a statement; notes say what was not exact."""
    stats = ReplayStats(events=events.num_rows)
    if events.num_rows == 0:
        return [], stats
    # One statement per (time, text, log line): pgAudit logs one line per table read.
    events = _distinct_reads(events)
    dialects = [dialect_of(settings, s) for s in events.column("source").to_pylist()]
    texts = events.column("statement").to_pylist()
    numbers: dict[tuple[str, str], int] = {}
    statement_of_event: list[int] = []
    for dialect, text in zip(dialects, texts, strict=True):
        statement_of_event.append(numbers.setdefault((dialect, str(text)), len(numbers)))
    statements = list(numbers)
    stats.statements = len(statements)
    events_of: dict[int, list[int]] = defaultdict(list)
    for index, number in enumerate(statement_of_event):
        events_of[number].append(index)
    literals: list[tuple[Literal, ...]] = []
    shapes: dict[tuple[str, str], _Shape] = {}
    for number, (dialect, text) in enumerate(statements):
        shape_text, found = mask_statement(text)
        literals.append(found)
        shapes.setdefault((dialect, shape_text), _Shape(dialect, shape_text)).instances.append(
            number
        )
    stats.shapes = len(shapes)
    collected = _Collected()
    resolver = _Resolver(plan, source, hits, copies, events, events_of, collected, stats)
    for shape in shapes.values():
        resolver.shape(shape, statements, literals)
    return resolver.finish(), stats


def _distinct_reads(events: pa.Table) -> pa.Table:
    keys = [
        f"{t}\x1f{r}\x1f{s}"
        for t, r, s in zip(
            events.column("t_us").to_pylist(),
            events.column("raw_ref").to_pylist(),
            events.column("statement").to_pylist(),
            strict=True,
        )
    ]
    first: dict[str, int] = {}
    for index, key in enumerate(keys):
        first.setdefault(key, index)
    if len(first) == len(keys):
        return events
    return events.take(pa.array(sorted(first.values()), pa.int64()))


@dataclass
class _Resolver:
    plan: ExposurePlan
    source: SourceDb
    hits: HitSet
    copies: CopyStore
    events: pa.Table
    events_of: dict[int, list[int]]
    out: _Collected
    stats: ReplayStats
    extra_notes: list[ScopeNote] = field(default_factory=list)
    _replays: dict[str, list[object] | str] = field(default_factory=dict)

    def _mapped(self, name: str) -> bool:
        facts = self.plan.table(name)
        return facts is not None

    def _event_rows(self, numbers: list[int]) -> pa.Table:
        indexes = [i for n in numbers for i in self.events_of[n]]
        return self.events.take(pa.array(indexes, pa.int64()))

    def shape(
        self, shape: _Shape, statements: list[tuple[str, str]], literals: list[tuple[Literal, ...]]
    ) -> None:
        try:
            masked = (
                any(literals[n] for n in shape.instances)
                and shape.text != statements[shape.instances[0]][1]
            )
            checked = check_statement(shape.text, shape.dialect, self._mapped, masked=masked)
        except StatementRefused as refusal:
            if refusal.rule == "unparseable" and any(literals[n] for n in shape.instances):
                # The masked form did not parse (DATE '…', INTERVAL '…'): each on its own.
                for number in shape.instances:
                    _, text = statements[number]
                    self.shape(_Shape(shape.dialect, text, [number]), statements, literals)
                return
            self._refused(shape.instances, refusal)
            return
        except NotAnExposure as reason:
            self.stats.ignored += len(shape.instances)
            self._note("ignored", f"statement {reason.reason}", shape.instances)
            return
        if checked.copy_table is not None:
            self._copy(checked, shape.instances)
            return
        assert checked.query is not None
        if order_has_placeholder(checked.query) and any(literals[n] for n in shape.instances):
            for number in shape.instances:
                text = with_literals(checked.query, literals[number]).sql(dialect=shape.dialect)
                self.shape(_Shape(shape.dialect, text, [number]), statements, literals)
            return
        branches = plan_query(checked.query, self.plan, shape.dialect, self.source.dialect)
        for branch in branches:
            self._branch(branch, shape, literals, checked)

    def _refused(self, numbers: list[int], refusal: StatementRefused) -> None:
        self.stats.refused += len(numbers)
        rows = self._event_rows(numbers)
        tables: list[TableFacts | None] = [self.plan.table(t) for t in refusal.tables]
        if not tables:
            tables = [self.plan.table(r) for r in set(rows.column("resource").to_pylist())]
        masks = 0
        for facts in tables:
            if facts is not None:
                masks |= self.plan.table_mask(facts)
        reason = f"statement refused ({refusal.rule}): {refusal.reason}"
        self.extra_notes.append(conservative(self.plan, self.hits, tables, rows, masks, reason))

    def _copy(self, checked: CheckedStatement, numbers: list[int]) -> None:
        facts = self.plan.table(checked.copy_table)
        assert facts is not None
        columns = list(checked.copy_columns) or list(facts.exposed or facts.columns)
        mask = self.plan.mask(facts.name, columns)
        rows = self._event_rows(numbers)
        fell_back = reach_tables(self.plan, self.hits, [facts], rows, mask, Confidence.EXACT)
        if fell_back:
            self.extra_notes.append(
                note(
                    "conservative",
                    f"COPY of {facts.name}, which has no link to people: everyone",
                    rows,
                    Confidence.CONSERVATIVE,
                )
            )

    def _branch(
        self,
        branch: BranchPlan,
        shape: _Shape,
        literals: list[tuple[Literal, ...]],
        checked: CheckedStatement,
    ) -> None:
        numbers = shape.instances
        if branch.kind == "ignore":
            self.stats.ignored += len(numbers)
            self._note("ignored", f"statement is {branch.reason}", numbers)
            return
        if branch.kind == "conservative":
            rows = self._event_rows(numbers)
            tables: list[TableFacts | None] = list(branch.tables) or [
                self.plan.table(t) for t in checked.tables
            ]
            self.extra_notes.append(
                conservative(self.plan, self.hits, tables, rows, branch.mask, branch.reason)
            )
            return
        if branch.kind == "bulk":
            assert branch.table is not None
            rows = self._event_rows(numbers)
            reach_tables(self.plan, self.hits, [branch.table], rows, branch.mask, branch.confidence)
            return
        for number in numbers:
            params = {f"bdp{i}": lit for i, lit in enumerate(literals[number], 1)}
            if branch.kind == "ranges" and branch.program is not None:
                intervals = branch.program(params)
                if intervals is not None:
                    assert branch.table is not None
                    q = self._query(number, branch)
                    entry = self.out.ranges.setdefault(
                        branch.table.name.lower(), (branch.table, [])
                    )
                    entry[1].extend((q, lo, hi) for lo, hi in intervals)
                    self.stats.vectorised += 1
                    continue
            self._replay(number, branch, params, shape.dialect)
        if branch.reason and branch.confidence is not Confidence.EXACT:
            self._note(branch.confidence.value, branch.reason, numbers)

    def _query(self, number: int, branch: BranchPlan) -> int:
        self.out.queries.append((number, branch.confidence.rank, branch.mask, bool(branch.limited)))
        return len(self.out.queries) - 1

    def _replay(
        self, number: int, branch: BranchPlan, params: dict[str, Literal], dialect: str
    ) -> None:
        assert branch.query is not None
        tree = with_literals(branch.query, tuple(params.values()))
        try:
            sql = tree.sql(
                dialect=self.source.dialect, comments=False, unsupported_level=ErrorLevel.RAISE
            )
        except SqlglotError as exc:
            # Translating would change the statement: better no replay than a wrong one.
            message = f"cannot translate it to {self.source.dialect}: {exc}"
            sql = f"\x00{message}"  # a cache key no real statement has
            self._replays[sql] = message
        result = self._replays.get(sql)
        if result is None:
            try:
                rows = self.source.replay(sql)
                result = [v for row in rows for v in row if v is not None]
            except ReplayFailed as failure:
                result = str(failure)
            self._replays[sql] = result
            self.stats.replayed += 1
        if isinstance(result, str):
            rows_table = self._event_rows([number])
            tables: list[TableFacts | None] = list(branch.tables)
            self.extra_notes.append(
                conservative(
                    self.plan,
                    self.hits,
                    tables,
                    rows_table,
                    branch.mask,
                    f"replay failed ({result})",
                )
            )
            return
        q = self._query(number, branch)
        self.out.key_q.extend([q] * len(result))
        self.out.keys.extend(result)

    def _note(self, kind: str, reason: str, numbers: list[int]) -> None:
        self.out.notes[(kind, reason)].extend(numbers)

    def finish(self) -> list[ScopeNote]:
        """Send the collected keys and ranges to the engine; the notes of the run."""
        events_table = self._query_events()
        if self.out.keys:
            key_type = pa.int64() if self.copies.person_facts.integer_key else pa.string()
            keys = pa.table(
                {
                    "q": pa.array(self.out.key_q, pa.int64()),
                    "person_key": _typed(self.out.keys, key_type),
                }
            )
            keys = keys.filter(pc.is_valid(keys.column("person_key")))
            limited = [q for q, (_, _, _, lim) in enumerate(self.out.queries) if lim]
            if limited:
                chosen = pc.is_in(events_table.column("q"), pa.array(limited, pa.int64()))
                late = self.hits.late_keys(keys, events_table.filter(chosen))
                if late:
                    events_table = _downgrade(events_table, late)
                    numbers = sorted({self.out.queries[q][0] for q in late})
                    self._note(
                        "inferred",
                        "rows were added since: a LIMIT/OFFSET window may have moved",
                        numbers,
                    )
            self.hits.add_person_keys(keys, events_table)
        for facts, triples in self.out.ranges.values():
            ranges = pa.table(
                {
                    "q": pa.array([t[0] for t in triples], pa.int64()),
                    "lo": pa.array([t[1] for t in triples], pa.int64()),
                    "hi": pa.array([t[2] for t in triples], pa.int64()),
                }
            )
            self.hits.add_ranges(facts, ranges, events_table)
        notes = list(self.extra_notes)
        for (kind, reason), numbers in self.out.notes.items():
            if not numbers:
                continue
            rows = self._event_rows(sorted(set(numbers)))
            confidence = None if kind in ("ignored",) else Confidence(kind)
            notes.append(note(kind, reason, rows, confidence))
        return notes

    def _query_events(self) -> pa.Table:
        qs: list[int] = []
        times: list[int] = []
        confs: list[int] = []
        masks: list[int] = []
        refs: list[str] = []
        t_us = self.events.column("t_us").to_pylist()
        raw = self.events.column("raw_ref").to_pylist()
        for q, (number, conf, mask, _) in enumerate(self.out.queries):
            for index in self.events_of[number]:
                qs.append(q)
                times.append(int(t_us[index]))
                confs.append(conf)
                masks.append(mask)
                refs.append(str(raw[index]))
        return pa.table(
            {
                "q": pa.array(qs, pa.int64()),
                "t_us": pa.array(times, pa.int64()),
                "conf": pa.array(confs, pa.int64()),
                "mask": pa.array(masks, pa.int64()),
                "ref": pa.array(refs, pa.string()),
            }
        )


def _downgrade(events: pa.Table, late: set[int]) -> pa.Table:
    hit = pc.is_in(events.column("q"), pa.array(sorted(late), pa.int64()))
    conf = pc.if_else(hit, pa.scalar(Confidence.INFERRED.rank, pa.int64()), events.column("conf"))
    return events.set_column(events.schema.get_field_index("conf"), "conf", conf)


def _typed(values: list[object], kind: pa.DataType) -> pa.Array:
    if pa.types.is_integer(kind):
        cleaned: list[int | None] = []
        for v in values:
            try:
                cleaned.append(int(str(v)))
            except ValueError:
                cleaned.append(None)
        return pa.array(cleaned, kind)
    return pa.array([str(v) for v in values], kind)


def with_literals(tree: exp.Expression, literals: tuple[Literal, ...]) -> exp.Expression:
    """``tree`` with each ``:bdpN`` placeholder replaced by the N-th literal."""
    by_name = {f"bdp{i}": lit for i, lit in enumerate(literals, 1)}

    def put(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and str(node.name) in by_name:
            literal = by_name[str(node.name)]
            if literal.is_string:
                return exp.Literal.string(literal.value)
            return exp.Literal.number(literal.value)
        return node

    return tree.copy().transform(put)
