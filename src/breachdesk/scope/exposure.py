"""The exposure map as scope uses it: each route and table, its key, its link to people,
its creation-time column and the categories of what it returns.

Facts about tables are checked against the person source's own columns, so a name from the
settings that the source does not have is reported instead of queried.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from breachdesk.config import Exposure, Settings
from breachdesk.model import Category
from breachdesk.scope.datamap import CategoryMap, category_mask
from breachdesk.scope.source import SourceDb


@dataclass(frozen=True)
class TableFacts:
    """One table of the person source that the exposure map (or the person source) names."""

    name: str
    columns: tuple[str, ...]
    types: dict[str, str]
    exposed: tuple[str, ...]
    key: str | None
    person_column: str | None
    created_at: str | None
    is_person_table: bool
    integer_key: bool
    integer_person: bool

    @property
    def exists(self) -> bool:
        return bool(self.columns)


@dataclass(frozen=True)
class RouteFacts:
    """One ``[[exposure]]`` route."""

    route: str
    table: str
    kind: str
    columns: tuple[str, ...]
    key: str | None
    order_by: str | None
    page_param: str
    size_param: str
    mask: int


@dataclass
class ExposurePlan:
    """Routes by template, tables by bare lower-case name, and category masks."""

    routes: dict[str, RouteFacts]
    tables: dict[str, TableFacts]
    categories: CategoryMap
    person_table: str

    def table(self, name: str | None) -> TableFacts | None:
        if not name:
            return None
        return self.tables.get(bare_name(name))

    def mask(self, table: str, columns: list[str]) -> int:
        """Categories of ``columns`` of ``table``; a column holding the person's key (a
        link such as ``orders.customer_id``) is their account id."""
        mask = self.categories.mask(table, columns)
        facts = self.table(table)
        if facts is not None and facts.person_column:
            link = facts.person_column.lower()
            if any(c.lower() == link for c in columns):
                mask |= category_mask([Category.ACCOUNT_ID])
        return mask

    def table_mask(self, table: TableFacts) -> int:
        """Categories of every column the exposure map says the table returns."""
        return self.mask(table.name, list(table.exposed or table.columns))


def bare_name(name: str) -> str:
    """``public."Customers"`` → ``customers``: the table name without schema or quotes."""
    return name.replace('"', "").replace("`", "").rsplit(".", 1)[-1].strip().lower()


_INTEGER_TYPES = ("INT", "SERIAL")


def _is_integer(declared: str | None) -> bool:
    return declared is not None and any(t in declared.upper() for t in _INTEGER_TYPES)


def build_plan(settings: Settings, source: SourceDb, categories: CategoryMap) -> ExposurePlan:
    """The plan for ``settings``' exposure entries over the tables ``source`` really has."""
    person = settings.person_source
    person_table = bare_name(person.table)
    entries: dict[str, list[Exposure]] = {}
    for entry in settings.exposure:
        entries.setdefault(bare_name(entry.table), []).append(entry)
    entries.setdefault(person_table, [])
    tables: dict[str, TableFacts] = {}
    for name, group in entries.items():
        tables[name] = _table_facts(settings, source, name, group, person_table)
    routes: dict[str, RouteFacts] = {}
    for entry in settings.exposure:
        if entry.route is None:
            continue
        facts = tables[bare_name(entry.table)]
        routes[entry.route] = RouteFacts(
            route=entry.route,
            table=facts.name,
            kind=entry.kind,
            columns=tuple(entry.columns),
            key=(entry.key or facts.key),
            order_by=entry.order_by,
            page_param=entry.page_param,
            size_param=entry.size_param,
            mask=0,
        )
    plan = ExposurePlan(routes, tables, categories, person_table)
    for template, route in routes.items():
        routes[template] = replace(route, mask=plan.mask(route.table, list(route.columns)))
    return plan


def _table_facts(
    settings: Settings, source: SourceDb, name: str, group: list[Exposure], person_table: str
) -> TableFacts:
    person = settings.person_source
    is_person = name == person_table
    real_name = (
        person.table if is_person else (group[0].table.rsplit(".", 1)[-1] if group else name)
    )
    columns = source.columns(real_name)
    exposed: list[str] = []
    for entry in group:
        exposed += [c for c in entry.columns if c not in exposed]
    key: str | None
    if is_person:
        key = person.key
    else:
        keys = [e.key for e in group if e.key]
        key = keys[0] if keys else None
    link: str | None
    if is_person:
        link = person.key
    else:
        link = _setting(settings.scope.person_links, name)
        if link is None:
            guess = f"{person_table.removesuffix('s')}_id"
            link = guess if guess in columns else None
    created = _setting(settings.scope.created_at, name)
    if created is None and "created_at" in columns:
        created = "created_at"
    present = {c: c for c in columns}
    return TableFacts(
        name=real_name,
        columns=tuple(columns),
        types=dict(columns),
        exposed=tuple(exposed),
        key=_known(key, present),
        person_column=_known(link, present),
        created_at=_known(created, present),
        is_person_table=is_person,
        integer_key=_is_integer(columns.get((key or "").lower())),
        integer_person=_is_integer(columns.get((link or "").lower())),
    )


def _setting(mapping: dict[str, str], table: str) -> str | None:
    for name, column in mapping.items():
        if bare_name(name) == table:
            return column
    return None


def _known(column: str | None, present: dict[str, str]) -> str | None:
    """``column`` when the source's table has it (compared case-insensitively)."""
    if column is None:
        return None
    return column if column.lower() in present else None
