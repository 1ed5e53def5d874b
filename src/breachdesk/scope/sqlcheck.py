"""Is a logged statement safe and faithful to replay? Only a single read-only SELECT is.

Every refusal names its rule and says why in one sentence; the statement is then resolved
conservatively instead (every row of the tables it reads). Statements that read no mapped
table, or write without returning rows, are not exposures and are set aside. Rules:

- ``too-long``, ``unparseable``, ``too-complex``: we cannot be sure what it did;
- ``stacked``: more than one statement in the text;
- ``hidden-comment``: a comment holding a statement or keyword (or MySQL ``/*! … */``);
- ``not-select``: anything but SELECT (and COPY … TO, which is a bulk read);
- ``dml-in-cte``: a WITH clause that inserts, updates or deletes;
- ``locking``: ``SELECT … FOR UPDATE/SHARE`` takes row locks;
- ``into``: ``SELECT … INTO`` creates a table or file;
- ``function``: a function with side effects, or one not known to be free of them;
- ``table-function``: reads from a function instead of a table;
- ``parameters``: bind parameters whose values the log does not hold;
- ``unmapped-table``: reads a table the exposure map does not describe, next to mapped ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import sqlglot
import yaml
from sqlglot import exp
from sqlglot.errors import SqlglotError

MAX_LENGTH = 100_000
MAX_NODES = 20_000
# Masked literals become placeholders with this prefix (see sqlreplay); others are real.
MASK_PREFIX = "bdp"

_KEYWORDS = re.compile(
    r"\b(select|insert|update|delete|drop|alter|create|truncate|grant|revoke|copy|merge|"
    r"call|exec|execute|do|set|begin|commit|rollback|vacuum|union|pg_\w+)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FunctionRules:
    """Which functions a replayed statement may call (``data/replay_functions.yaml``)."""

    denied: dict[str, str]
    denied_prefixes: tuple[str, ...]
    allowed: frozenset[str]


@lru_cache(maxsize=1)
def function_rules() -> FunctionRules:
    """The packaged function rules, checked for shape."""
    text = resources.files("breachdesk.scope").joinpath("data/replay_functions.yaml")
    data = yaml.safe_load(text.read_text(encoding="utf-8"))
    denied: dict[str, str] = {}
    for group in data["denied"]:
        for name in group["names"]:
            denied[str(name).lower()] = str(group["why"])
    return FunctionRules(
        denied=denied,
        denied_prefixes=tuple(str(p).lower() for p in data.get("denied_prefixes", [])),
        allowed=frozenset(str(n).lower() for n in data["allowed"]),
    )


class StatementRefused(Exception):
    """The statement is not replayed; ``rule`` and ``reason`` say why, ``tables`` which
    mapped tables it reads (the conservative answer covers them)."""

    def __init__(self, rule: str, reason: str, tables: tuple[str, ...] = ()) -> None:
        super().__init__(f"{rule}: {reason}")
        self.rule = rule
        self.reason = reason
        self.tables = tables


class NotAnExposure(Exception):
    """The statement returns no mapped data (reads no mapped table, or only writes)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CheckedStatement:
    """A statement accepted for replay: a query, or a COPY of a whole table."""

    query: exp.Query | None
    tables: tuple[str, ...]
    copy_table: str | None = None
    copy_columns: tuple[str, ...] = ()


Mapped = Callable[[str], bool]


def check_statement(
    sql: str, dialect: str, mapped: Mapped, *, masked: bool = False
) -> CheckedStatement:
    """``sql`` parsed and checked; StatementRefused or NotAnExposure otherwise.

    ``mapped(name)`` says whether a bare, lower-case table name is in the exposure map;
    ``masked`` that ``sql`` is a shape whose ``:bdpN`` placeholders stand for literals.
    """
    if len(sql) > MAX_LENGTH:
        raise StatementRefused("too-long", f"longer than {MAX_LENGTH:,} characters")
    if "\x00" in sql:
        raise StatementRefused("unparseable", "contains a NUL byte")
    if re.search(r"/\*!", sql):
        raise StatementRefused(
            "hidden-comment", "a MySQL executable comment (/*! … */) runs what it holds"
        )
    try:
        parsed = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except (SqlglotError, RecursionError, ValueError) as exc:
        raise StatementRefused(
            "unparseable", f"not parseable as {dialect} SQL ({_short(str(exc))})"
        ) from None
    if not parsed:
        raise NotAnExposure("an empty statement")
    tables = tuple(sorted({t for s in parsed for t in _mapped_tables(s, mapped)}))
    if len(parsed) > 1:
        kinds = ", ".join(type(s).__name__.upper() for s in parsed[:4])
        raise StatementRefused(
            "stacked",
            f"{len(parsed)} statements in one ({kinds}); only a single SELECT is replayed",
            tables,
        )
    tree = parsed[0]
    _check_comments(tree, tables)
    prefix = MASK_PREFIX if masked else None
    if sum(1 for _ in tree.walk()) > MAX_NODES:
        raise StatementRefused("too-complex", f"more than {MAX_NODES:,} syntax nodes", tables)
    if isinstance(tree, exp.Copy):
        return _check_copy(tree, mapped, tables, prefix)
    if not isinstance(tree, exp.Query) or not isinstance(tree, exp.Select | exp.SetOperation):
        returning = tree.args.get("returning") is not None
        verb = _article(tree.key.upper())
        if isinstance(tree, exp.Insert | exp.Update | exp.Delete | exp.Merge) and not returning:
            raise NotAnExposure(f"{verb} returns no rows")
        raise StatementRefused("not-select", f"{verb} statement, not a SELECT", tables)
    _check_query(tree, tables, prefix)
    return _check_tables(tree, mapped, tables)


def _check_comments(tree: exp.Expression, tables: tuple[str, ...]) -> None:
    for node in tree.walk():
        for comment in node.comments or ():
            if ";" in comment or _KEYWORDS.search(comment):
                raise StatementRefused(
                    "hidden-comment",
                    f"a comment holds SQL ({_short(comment.strip(), 60)!r}); what ran may "
                    "differ from what the log shows",
                    tables,
                )


def _check_query(tree: exp.Expression, tables: tuple[str, ...], prefix: str | None) -> None:
    for node in tree.walk():
        if isinstance(node, exp.Insert | exp.Update | exp.Delete | exp.Merge):
            where = "in a WITH clause" if node.find_ancestor(exp.CTE) else "inside the query"
            raise StatementRefused(
                "dml-in-cte", f"{_article(node.key.upper())} {where} modifies data", tables
            )
        if isinstance(node, exp.Select):
            if node.args.get("locks"):
                update = bool(node.args["locks"][0].args.get("update"))
                lock = "FOR UPDATE" if update else "FOR SHARE"
                raise StatementRefused("locking", f"SELECT … {lock} takes row locks", tables)
            if node.args.get("into") is not None:
                raise StatementRefused("into", "SELECT … INTO writes a new table or file", tables)
        if isinstance(node, exp.Placeholder | exp.Parameter):
            name = str(node.name or "")
            if isinstance(node, exp.Parameter) or prefix is None or not name.startswith(prefix):
                shown = (
                    f"${name}"
                    if isinstance(node, exp.Parameter)
                    else ("?" if name in ("", "?") else f":{name}")
                )
                raise StatementRefused(
                    "parameters",
                    f"bind parameter {_short(shown, 20)} was not logged: the rows it "
                    "selected are unknown",
                    tables,
                )
        if isinstance(node, exp.Func):
            _check_function(node, tables)


def _check_function(node: exp.Func, tables: tuple[str, ...]) -> None:
    rules = function_rules()
    name = str(node.name).lower() if isinstance(node, exp.Anonymous) else type(node).key
    if name in rules.denied or name.startswith(rules.denied_prefixes):
        why = rules.denied.get(name, "has side effects")
        raise StatementRefused("function", f"function {name}() {why}", tables)
    if isinstance(node, exp.Anonymous) and name not in rules.allowed:
        raise StatementRefused(
            "function", f"function {name}() is not known to be free of side effects", tables
        )


def _check_tables(tree: exp.Query, mapped: Mapped, tables: tuple[str, ...]) -> CheckedStatement:
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    unmapped: set[str] = set()
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise StatementRefused(
                "table-function", f"reads from {_short(table.sql(), 40)}, not a table", tables
            )
        name = table.name.lower()
        if not table.db and name in ctes:
            continue
        if table.db.lower() in _SYSTEM or not mapped(name):
            unmapped.add(f"{table.db}.{name}" if table.db else name)
    if not tables:
        listed = ", ".join(sorted(unmapped)[:3]) or "no table"
        raise NotAnExposure(f"reads {listed}, which the exposure map does not describe")
    if unmapped:
        raise StatementRefused(
            "unmapped-table",
            f"also reads {', '.join(sorted(unmapped)[:3])}, which the exposure map does not "
            "describe",
            tables,
        )
    return CheckedStatement(tree, tables)


def _check_copy(
    tree: exp.Copy, mapped: Mapped, tables: tuple[str, ...], prefix: str | None
) -> CheckedStatement:
    if tree.args.get("kind"):
        raise NotAnExposure("a COPY … FROM loads data, it returns none")
    target = tree.this
    if isinstance(target, exp.Subquery) and isinstance(target.this, exp.Query):
        inner = target.this
        _check_query(inner, tables, prefix)
        return _check_tables(inner, mapped, tables)
    columns: tuple[str, ...] = ()
    if isinstance(target, exp.Schema):
        columns = tuple(c.name.lower() for c in target.expressions if isinstance(c, exp.Expression))
        target = target.this
    if not isinstance(target, exp.Table) or not mapped(target.name.lower()):
        raise NotAnExposure("a COPY of a table the exposure map does not describe")
    if target.db.lower() in _SYSTEM:
        raise NotAnExposure("a COPY of a system catalog")
    return CheckedStatement(None, tables, copy_table=target.name.lower(), copy_columns=columns)


_SYSTEM = frozenset({"information_schema", "pg_catalog", "mysql", "performance_schema", "sys"})


def _mapped_tables(tree: exp.Expression, mapped: Mapped) -> set[str]:
    found = set()
    for table in tree.find_all(exp.Table):
        if isinstance(table.this, exp.Identifier) and table.db.lower() not in _SYSTEM:
            name = table.name.lower()
            if mapped(name):
                found.add(name)
    return found


def _article(word: str) -> str:
    return ("an " if word[:1] in "AEIOU" else "a ") + word


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
