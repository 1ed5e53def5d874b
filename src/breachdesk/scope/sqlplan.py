"""How one checked SELECT is replayed: which key to select, how sure the answer is, and
whether its WHERE can be answered from the key copy instead of the source.

The projection is replaced by the person key of every person-linked table the query reads
(so only keys leave the source); ORDER BY positions and aliases are first rewritten to the
expressions they name. A query over one table whose WHERE only compares the table's integer
key with literals (``=``, ``<``, ``BETWEEN``, ``IN``, joined by AND/OR) and has no LIMIT is
turned into key ranges and answered in the engine over the Arrow copy of the keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp

from breachdesk.model.scope import Confidence
from breachdesk.scope.exposure import ExposurePlan, TableFacts
from breachdesk.scope.sqlshape import Literal

LOW = -(2**63)
HIGH = 2**63 - 1
Intervals = list[tuple[int, int]]
Program = Callable[[dict[str, Literal]], Intervals | None]


@dataclass
class BranchPlan:
    """One SELECT to replay (a UNION has one per branch)."""

    kind: str  # "replay", "ranges", "bulk", "conservative" or "ignore"
    confidence: Confidence
    mask: int
    reason: str = ""
    query: exp.Select | None = None
    table: TableFacts | None = None
    program: Program | None = None
    limited: bool = False
    tables: tuple[TableFacts, ...] = field(default_factory=tuple)


def plan_query(
    query: exp.Query, plan: ExposurePlan, log_dialect: str, source_dialect: str
) -> list[BranchPlan]:
    """The replay plan of each branch of ``query`` (a SELECT or a set operation)."""
    if isinstance(query, exp.Select):
        return [_plan_select(query.copy(), plan, log_dialect, source_dialect)]
    assert isinstance(query, exp.SetOperation)
    branches: list[BranchPlan] = []
    for side in (query.this, query.expression):
        if isinstance(side, exp.Query):
            branches += plan_query(side, plan, log_dialect, source_dialect)
    if query.args.get("limit") or query.args.get("offset"):
        for branch in branches:
            if branch.confidence is Confidence.EXACT:
                branch.confidence = Confidence.INFERRED
                branch.reason = "LIMIT on a UNION: every row of its branches is counted"
    return branches


def order_has_placeholder(query: exp.Query) -> bool:
    """ORDER BY 2 masked as ORDER BY :bdpN: the position is only known per statement."""
    for select in query.find_all(exp.Select):
        order = select.args.get("order")
        if order and any(isinstance(o.this, exp.Placeholder) for o in order.expressions):
            return True
    return False


def _from_tables(select: exp.Select) -> list[exp.Expression]:
    sources: list[exp.Expression] = []
    origin = select.args.get("from_") or select.args.get("from")
    if isinstance(origin, exp.From):
        sources.append(origin.this)
    for join in select.args.get("joins") or []:
        sources.append(join.this)
    return sources


def _plan_select(
    select: exp.Select, plan: ExposurePlan, log_dialect: str, source_dialect: str
) -> BranchPlan:
    refs: dict[str, TableFacts] = {}
    derived = False
    for source in _from_tables(select):
        if isinstance(source, exp.Table):
            facts = plan.table(source.name)
            if facts is not None:
                refs[source.alias_or_name.lower()] = facts
        else:
            derived = True
    mask = _projection_mask(select, refs, plan)
    read = tuple(refs.values())
    linked = {alias: f for alias, f in refs.items() if f.person_column and f.exists}
    grouped = bool(
        select.args.get("group")
        or select.args.get("having")
        or select.args.get("distinct")
        or any(
            not agg.find_ancestor(exp.Window)
            for e in select.expressions
            for agg in e.find_all(exp.AggFunc)
        )
    )
    if grouped and mask == 0:
        return BranchPlan("ignore", Confidence.EXACT, 0, "an aggregate of no personal column")
    if not linked:
        why = (
            "the outer query reads a derived table or CTE: its rows cannot be traced to people"
            if derived or not refs
            else f"table {read[0].name} has no link to the person source"
        )
        return BranchPlan("conservative", Confidence.CONSERVATIVE, mask, why, tables=read)
    confidence, reason = Confidence.EXACT, ""
    limited = select.args.get("limit") is not None or select.args.get("offset") is not None
    if grouped:
        for arg in ("group", "having", "distinct", "order", "limit", "offset"):
            select.set(arg, None)
        confidence = Confidence.CONSERVATIVE
        reason = "a grouped or aggregated result: everyone whose rows fed it"
        limited = False
    else:
        if not _rewrite_order(select):
            return BranchPlan(
                "conservative",
                Confidence.CONSERVATIVE,
                mask,
                "ORDER BY a position of '*': the order cannot be rebuilt",
                tables=read,
            )
        if limited and not _ordered_by_key(select, linked):
            confidence = Confidence.INFERRED
            reason = "LIMIT without ORDER BY on the key: the rows returned depend on the plan"
    if log_dialect != source_dialect and select.find(exp.Cast) and confidence is Confidence.EXACT:
        confidence = Confidence.INFERRED
        reason = f"casts translated from {log_dialect} to {source_dialect} may compare differently"
    select.set(
        "expressions",
        [exp.column(str(f.person_column), table=alias) for alias, f in linked.items()],
    )
    select.set("distinct", None)
    if source_dialect == "sqlite":
        for table in select.find_all(exp.Table):
            if plan.table(table.name) is not None:
                table.set("db", None)
                table.set("catalog", None)
    branch = BranchPlan("replay", confidence, mask, reason, select, limited=limited, tables=read)
    if confidence is Confidence.EXACT and not limited and len(refs) == 1 and not derived:
        (facts,) = refs.values()
        alias = next(iter(refs))
        if facts.key and facts.integer_key:
            where = select.args.get("where")
            if where is None:
                return BranchPlan("bulk", confidence, mask, "", table=facts, tables=read)
            program = _compile(where.this, facts.key.lower(), {alias, facts.name.lower()})
            if program is not None and not where.find(exp.Subquery, exp.Exists):
                branch.kind, branch.table, branch.program = "ranges", facts, program
    return branch


def _projection_mask(select: exp.Select, refs: dict[str, TableFacts], plan: ExposurePlan) -> int:
    """Categories of what the SELECT list returns (``*`` is every exposed column)."""
    mask = 0

    def everything(facts: TableFacts) -> int:
        return plan.table_mask(facts)

    for item in select.expressions:
        if isinstance(item, exp.Star):
            for facts in refs.values():
                mask |= everything(facts)
            continue
        for column in item.find_all(exp.Column):
            qualifier = column.table.lower()
            if isinstance(column.this, exp.Star):
                starred = refs.get(qualifier)
                if starred is not None:
                    mask |= everything(starred)
                continue
            name = column.name.lower()
            owners = (
                [refs[qualifier]]
                if qualifier in refs
                else [f for f in refs.values() if name in f.columns]
            )
            for facts in owners:
                mask |= plan.mask(facts.name, [name])
    return mask


def _rewrite_order(select: exp.Select) -> bool:
    """ORDER BY positions and aliases replaced by their expressions; False when a position
    points at ``*``."""
    order = select.args.get("order")
    if not order:
        return True
    aliases = {e.alias.lower(): e.unalias() for e in select.expressions if e.alias}
    for ordered in order.expressions:
        target = ordered.this
        if isinstance(target, exp.Literal) and not target.is_string and target.name.isdigit():
            position = int(target.name)
            if not 1 <= position <= len(select.expressions):
                return False
            chosen = select.expressions[position - 1]
            if isinstance(chosen, exp.Star) or chosen.find(exp.Star):
                return False
            ordered.set("this", chosen.unalias().copy())
        elif isinstance(target, exp.Column) and not target.table:
            name = target.name.lower()
            if name in aliases:
                ordered.set("this", aliases[name].copy())
    return True


def _ordered_by_key(select: exp.Select, linked: dict[str, TableFacts]) -> bool:
    order = select.args.get("order")
    if not order or len(linked) != 1:
        return False
    alias, facts = next(iter(linked.items()))
    if not facts.key:
        return False
    for ordered in order.expressions:
        target = ordered.this
        if (
            isinstance(target, exp.Column)
            and target.name.lower() == facts.key.lower()
            and target.table.lower() in ("", alias, facts.name.lower())
        ):
            return True
    return False


# -- WHERE on the key → intervals -------------------------------------------------------------


def _compile(node: exp.Expression, key: str, qualifiers: set[str]) -> Program | None:
    """A function from the statement's literals to key intervals, or None when ``node`` is
    not made only of comparisons of the key with literals."""
    if isinstance(node, exp.Paren):
        return _compile(node.this, key, qualifiers)
    if isinstance(node, exp.And | exp.Or):
        left = _compile(node.this, key, qualifiers)
        right = _compile(node.expression, key, qualifiers)
        if left is None or right is None:
            return None
        combine = _intersect if isinstance(node, exp.And) else _union
        return lambda params: _combine(left(params), right(params), combine)
    if isinstance(node, exp.Between):
        if not _is_key(node.this, key, qualifiers) or node.args.get("symmetric"):
            return None
        low, high = _value(node.args.get("low")), _value(node.args.get("high"))
        if low is None or high is None:
            return None
        return lambda params: _between(low(params), high(params))
    if isinstance(node, exp.In):
        if not _is_key(node.this, key, qualifiers) or node.args.get("query") is not None:
            return None
        values = [_value(v) for v in node.expressions]
        if not values or any(v is None for v in values):
            return None
        getters = [v for v in values if v is not None]
        return lambda params: _points([g(params) for g in getters])
    if isinstance(node, exp.EQ | exp.GT | exp.GTE | exp.LT | exp.LTE):
        op: type[exp.Expression] = type(node)
        if _is_key(node.this, key, qualifiers):
            value = _value(node.expression)
        elif _is_key(node.expression, key, qualifiers):
            value = _value(node.this)
            op = _FLIP[op]
        else:
            return None
        if value is None:
            return None
        getter = value
        return lambda params: _compare(op, getter(params))
    return None


_FLIP: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.EQ: exp.EQ,
    exp.GT: exp.LT,
    exp.GTE: exp.LTE,
    exp.LT: exp.GT,
    exp.LTE: exp.GTE,
}


def _is_key(node: exp.Expression | None, key: str, qualifiers: set[str]) -> bool:
    return (
        isinstance(node, exp.Column)
        and node.name.lower() == key
        and (not node.table or node.table.lower() in qualifiers)
    )


def _value(node: exp.Expression | None) -> Callable[[dict[str, Literal]], int | None] | None:
    if isinstance(node, exp.Paren):
        return _value(node.this)
    if isinstance(node, exp.Neg):
        inner = _value(node.this)
        if inner is None:
            return None
        return lambda params: None if (v := inner(params)) is None else -v
    if isinstance(node, exp.Placeholder):
        name = str(node.name)
        return lambda params: params[name].as_int() if name in params else None
    if isinstance(node, exp.Literal) and not node.is_string and node.name.isdigit():
        number = int(node.name)
        return lambda _params: number
    return None


def _compare(op: type[exp.Expression], value: int | None) -> Intervals | None:
    if value is None:
        return None
    if op is exp.EQ:
        return [(value, value)]
    if op is exp.GT:
        return [(value + 1, HIGH)]
    if op is exp.GTE:
        return [(value, HIGH)]
    if op is exp.LT:
        return [(LOW, value - 1)]
    return [(LOW, value)]


def _between(low: int | None, high: int | None) -> Intervals | None:
    if low is None or high is None:
        return None
    return [(low, high)] if low <= high else []


def _points(values: list[int | None]) -> Intervals | None:
    if any(v is None for v in values):
        return None
    return _normal([(v, v) for v in values if v is not None])


def _combine(
    left: Intervals | None,
    right: Intervals | None,
    combine: Callable[[Intervals, Intervals], Intervals],
) -> Intervals | None:
    if left is None or right is None:
        return None
    return combine(left, right)


def _normal(intervals: Intervals) -> Intervals:
    """Sorted, non-overlapping, adjacent intervals merged."""
    merged: Intervals = []
    for low, high in sorted(i for i in intervals if i[0] <= i[1]):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _union(left: Intervals, right: Intervals) -> Intervals:
    return _normal(left + right)


def _intersect(left: Intervals, right: Intervals) -> Intervals:
    a, b = _normal(left), _normal(right)
    found: Intervals = []
    i = j = 0
    while i < len(a) and j < len(b):
        low, high = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if low <= high:
            found.append((low, high))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return found
