"""Segmentation audit: the rules of ``segmentation_rules.yaml`` applied to classified tables.

Each rule id has one check here; the file gives its severity, the text it rests on, the fix
and its thresholds. A break is reported only on value evidence (a column merely *named*
``cvv`` with nothing in it is not a stored CVV).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from breachdesk.inventory.results import SEVERITIES, CategoryMatch, Finding, Severity, TableReport
from breachdesk.inventory.rulefiles import RuleFileError, load_data_file, require, string_list
from breachdesk.model.categories import Category

RULES_FILE = "segmentation_rules.yaml"
C = Category


@dataclass(frozen=True)
class Rule:
    """One segmentation rule as the data file states it."""

    id: str
    title: str
    severity: Severity
    reference: str
    url: str
    why: str
    fix: str
    categories: frozenset[Category] = frozenset()
    with_: frozenset[Category] = frozenset()
    weak_formats: frozenset[str] = frozenset()
    min_work: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    rules: dict[str, Rule]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules.values())


def load_rules(data: dict[str, Any], name: str = RULES_FILE) -> RuleSet:
    """Rules from parsed YAML, checked: known ids, valid severities and categories, texts."""
    items = data.get("rules")
    require(isinstance(items, list) and bool(items), "rules must be a non-empty list", name)
    assert isinstance(items, list)
    rules: dict[str, Rule] = {}
    for item in items:
        require(isinstance(item, dict), "each rule must be a mapping", name)
        rid = str(item.get("id", ""))
        require(rid in CHECKS, f"rule {rid!r} has no check (known: {', '.join(CHECKS)})", name)
        require(rid not in rules, f"rule {rid!r} is listed twice", name)
        severity = item.get("severity")
        require(severity in SEVERITIES, f"{rid}: severity must be one of {SEVERITIES}", name)
        for key in ("title", "reference", "why", "fix"):
            require(
                isinstance(item.get(key), str) and bool(item[key].strip()),
                f"{rid}: {key} is required",
                name,
            )
        min_work = item.get("min_work", {}) or {}
        require(
            isinstance(min_work, dict) and all(isinstance(v, int) for v in min_work.values()),
            f"{rid}: min_work must map format ids to integers",
            name,
        )
        rules[rid] = Rule(
            id=rid,
            title=str(item["title"]).strip(),
            severity=cast(Severity, severity),
            reference=str(item["reference"]).strip(),
            url=str(item.get("url", "")),
            why=" ".join(str(item["why"]).split()),
            fix=" ".join(str(item["fix"]).split()),
            categories=_categories(item.get("categories", []), rid, name),
            with_=_categories(item.get("with", []), rid, name),
            weak_formats=frozenset(
                string_list(item.get("weak_formats", []), f"{rid}.weak_formats", name)
            ),
            min_work={str(k): int(v) for k, v in min_work.items()},
        )
    missing = set(CHECKS) - set(rules)
    require(not missing, f"rules without an entry: {', '.join(sorted(missing))}", name)
    return RuleSet(rules)


def _categories(values: Any, rid: str, name: str) -> frozenset[Category]:
    out = set()
    for value in string_list(values, f"{rid} categories", name):
        try:
            out.add(Category(value))
        except ValueError:
            raise RuleFileError(f"{rid}: unknown category {value!r}", path=name) from None
    return frozenset(out)


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The rules shipped with Breachdesk."""
    return load_rules(load_data_file(RULES_FILE))


def evaluate(
    tables: Sequence[TableReport], rules: RuleSet, *, primary_tables: Sequence[str] = ()
) -> list[Finding]:
    """Every break of every rule in ``tables``, most severe first."""
    findings: list[Finding] = []
    for rule in rules.rules.values():
        check = CHECKS[rule.id]
        findings.extend(check(rule, tables, set(primary_tables)))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (order[f.severity], f.rule, f.source, f.table))
    return findings


def _finding(rule: Rule, table: TableReport, columns: Sequence[str], detail: str) -> Finding:
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        title=rule.title,
        source=table.source,
        table=table.table,
        columns=tuple(columns),
        detail=detail,
        reference=rule.reference,
        url=rule.url,
        fix=rule.fix,
    )


def _value_share(match: CategoryMatch | None) -> float:
    if match is None:
        return 0.0
    return max((e.score for e in match.evidence if e.kind == "values"), default=0.0)


def _by_values(category: Category, minimum: float, detail: str) -> Check:
    def check(rule: Rule, tables: Sequence[TableReport], _primary: set[str]) -> Iterable[Finding]:
        for table in tables:
            columns = []
            shares = []
            for column in table.columns:
                share = _value_share(column.match(category)) if column.has(category) else 0.0
                if share >= minimum:
                    columns.append(column.name)
                    shares.append(share)
            if columns:
                text = detail.format(share=max(shares), rows=table.sampled_rows)
                yield _finding(rule, table, columns, text)

    return check


def _weak_hashes(
    rule: Rule, tables: Sequence[TableReport], _primary: set[str]
) -> Iterable[Finding]:
    for table in tables:
        columns: list[str] = []
        reasons: list[str] = []
        for column in table.columns:
            if not column.has(C.CREDENTIAL_PASSWORD_HASH):
                continue
            weak = []
            for seen in column.hashes:
                if seen.format in rule.weak_formats:
                    weak.append(f"{seen.format} ×{seen.count}")
                elif seen.format in rule.min_work and seen.min_param is not None:
                    floor = rule.min_work[seen.format]
                    if seen.min_param < floor:
                        weak.append(f"{seen.format} work factor {seen.min_param} < {floor}")
            if weak:
                columns.append(column.name)
                reasons.append(f"{column.name}: {', '.join(weak)}")
        if columns:
            yield _finding(
                rule, table, columns, "weak password hashes in the sample: " + "; ".join(reasons)
            )


def _together(rule: Rule, tables: Sequence[TableReport], _primary: set[str]) -> Iterable[Finding]:
    for table in tables:
        sensitive = table.columns_with(*rule.categories)
        contact = table.columns_with(*rule.with_)
        if sensitive and contact:
            detail = f"{', '.join(sensitive)} in the same table as {', '.join(contact)}"
            yield _finding(rule, table, [*sensitive, *contact], detail)


def _copies(rule: Rule, tables: Sequence[TableReport], primary: set[str]) -> Iterable[Finding]:
    holders: dict[Category, list[TableReport]] = {}
    for table in tables:
        for category in rule.categories:
            if table.columns_with(category, minimum=0.6):
                holders.setdefault(category, []).append(table)
    copies: dict[int, tuple[TableReport, set[Category], set[str]]] = {}
    for category, found in holders.items():
        if len(found) < 2:
            continue
        records = [t for t in found if t.table in primary] or [
            t for t in found if t.columns_with(C.ACCOUNT_ID)
        ]
        if not records:
            records = [max(found, key=lambda t: t.row_count or 0)]
        for table in found:
            if table in records:
                continue
            entry = copies.setdefault(id(table), (table, set(), set()))
            entry[1].add(category)
            entry[2].update(f"{r.table}" for r in records)
    for table, categories, originals in copies.values():
        columns = table.columns_with(*categories, minimum=0.6)
        names = ", ".join(sorted(c.value for c in categories))
        detail = f"{names} also held in {', '.join(sorted(originals))} (source of record)"
        yield _finding(rule, table, columns, detail)


Check = Callable[[Rule, Sequence[TableReport], set[str]], Iterable[Finding]]

CHECKS: dict[str, Check] = {
    "pan-readable": _by_values(
        C.FINANCIAL_CARD_NUMBER, 0.5, "{share:.0%} of sampled values are readable card numbers"
    ),
    "cvv-stored": _by_values(
        C.FINANCIAL_CARD_SECURITY_CODE, 0.5, "{share:.0%} of sampled values are 3-4 digit codes"
    ),
    "password-plaintext": _by_values(
        C.CREDENTIAL_PASSWORD_PLAIN, 0.1, "{share:.0%} of sampled values have no hash format"
    ),
    "password-weak-hash": _weak_hashes,
    "credentials-with-contact": _together,
    "payment-with-contact": _together,
    "personal-data-copied": _copies,
}
