"""The events the detectors look at, read once: person-data access, datastore statements, canaries.

One scan of the event table keeps only rows that can matter and adds the columns every
detector needs (table name, hour, page number, numeric object id); detectors then
run on that cached, much smaller table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from breachdesk.config import DetectSettings, Settings
from breachdesk.detect.engines import Engine

READ_ACTIONS = ("read", "list", "search", "export")
# Page numbers beyond 9 digits are not pages; the cap also keeps the cast safe everywhere.
_PAGE_DIGITS = "([0-9]{1,9})"
_ID_DIGITS = "^[0-9]{1,18}$"


@dataclass(frozen=True)
class Observations:
    """What the detectors share: the cached rows, the settings and derived reference data."""

    rows: ir.Table
    # Person reads per principal, hour and anonymity: amount (rows read, at least one per
    # event), events, first and last time. Volume and off hours start from it.
    hours: ir.Table
    params: DetectSettings
    person_tables: tuple[str, ...]
    canary_keys: tuple[str, ...]
    canary_needles: tuple[str, ...]
    calendar: ir.Table
    engine: Engine


# Column names that say a table holds data about people (until the inventory's data map can
# say so): contact fields, birth dates, and keys pointing at a customer.
_PERSON_COLUMN = re.compile(
    r"(e_?mail|phone|mobile|address|postal|zip|birth|(full|first|last|given|family)_?name"
    r"|city|customer_?id|person_?id|user_?id)",
    re.IGNORECASE,
)


def person_tables(settings: Settings) -> tuple[str, ...]:
    """Tables holding person data: configured, else the person source and the exposure tables
    whose columns name personal fields (``products`` exposed by a route is not one)."""
    configured = settings.detect.person_tables
    if configured:
        names = set(configured)
    else:
        names = {settings.person_source.table}
        for entry in settings.exposure:
            if any(_PERSON_COLUMN.search(column) for column in entry.columns):
                names.add(entry.table)
    return tuple(sorted(_bare_table(name) for name in names if name))


def _bare_table(name: str) -> str:
    return name.rsplit(".", 1)[-1].strip('"').lower()


def canary_needles(settings: Settings) -> tuple[str, ...]:
    """Lower-case strings whose presence in a query string or statement touches a canary."""
    needles: set[str] = set()
    for canary in settings.canaries:
        if canary.email:
            email = canary.email.strip().lower()
            needles.add(email)
            needles.add(quote(email, safe="").lower())
    return tuple(sorted(needles))


def observe(
    engine: Engine, root: Path, settings: Settings, *, until: datetime | None
) -> Observations:
    """Select and enrich the rows the detectors need from the events under ``root``,
    computed once on ``engine``."""
    params = settings.detect
    tables = person_tables(settings)
    keys = tuple(sorted({c.key for c in settings.canaries}))
    needles = canary_needles(settings)

    def events(having: str) -> ir.Table:
        # Every scan here keeps rows where ``having`` is set: files without it are not read.
        table = engine.events(root, having=having)
        return table if until is None else table.filter(table.time < engine.moment(until))

    touched = _canary_accesses(engine, events, settings, tables, keys, needles)
    if touched is None:
        # No event touches a canary: the main scan need not test for one (on 100 M events
        # those tests cost about 4 CPU seconds, as much as the scans that just proved it).
        enriched = _select(events("resource"), settings, tables, (), ())
    else:
        elsewhere = touched.filter(~_names_table(touched.resource, tables).fill_null(False))
        enriched = _select(events("resource"), settings, tables, keys, needles, elsewhere)
    rows = engine.cache(enriched)
    return Observations(
        rows=rows,
        hours=engine.cache(_person_hours(rows)),
        params=params,
        person_tables=tables,
        canary_keys=keys,
        canary_needles=needles,
        calendar=_calendar(engine, rows, params),
        engine=engine,
    )


def _select(
    events: ir.Table,
    settings: Settings,
    tables: tuple[str, ...],
    keys: tuple[str, ...],
    needles: tuple[str, ...],
    elsewhere: ir.Table | None = None,
) -> ir.Table:
    """The rows that can matter, with the columns the detectors read.

    Person reads, datastore statements and canary keys all name a person table in
    ``resource``: that test reads one column, so the engine applies it while reading the
    Parquet (DuckDB then skips the other columns of the rows that fail it; ``events`` holds
    no files without a resource, such as web-server logs). ``elsewhere`` holds the few other
    events that name a canary's email (from ``_canary_accesses``); they are added as canary
    accesses. Without ``keys`` and ``needles`` no canary test is made.
    """
    # The NULL test on its own runs before the string test, on the column alone.
    named = events.filter(events.resource.notnull(), _names_table(events.resource, tables))
    person_read = _person_read(named, settings, tables)
    datastore = named["class"] == "datastore"
    # Canary keys are keys of the person source table: an order or ticket with the same
    # number is not the canary customer.
    source = _source_table(settings, tables)
    canary = _canary_key(named, keys, source) | _canary_needle(named, needles)
    # The test as such first (no COALESCE, so the engine can short-circuit it); the flags
    # are then computed for the rows kept only. A kept row that is neither a datastore
    # statement nor a canary access is a person read: the costly test is only repeated for
    # the others.
    named = named.filter(person_read | datastore | canary)
    datastore = (named["class"] == "datastore").fill_null(False)
    canary = (_canary_key(named, keys, source) | _canary_needle(named, needles)).fill_null(False)
    kept = named.mutate(
        person_read=ibis.ifelse(
            datastore | canary, _person_read(named, settings, tables).fill_null(False), True
        ),
        datastore=datastore,
        canary=canary,
    )
    if elsewhere is not None:
        elsewhere = elsewhere.mutate(
            person_read=ibis.literal(False),
            datastore=ibis.literal(False),
            canary=ibis.literal(True),
        )
        kept = kept.union(elsewhere.select(*kept.columns), distinct=False)
    kept = kept.filter(kept.principal.nullif("").notnull() | kept.src_ip.notnull())
    list_routes = [e.route for e in settings.exposure if e.kind == "list" and e.route]
    return kept.select(
        "time",
        "src_ip",
        "user_agent",
        "object_id",
        "rows",
        # Statements and actions are read by bulk query, of datastore events only; routes by
        # deep paging, of list routes only. The rest need not be kept.
        statement=ibis.ifelse(kept.datastore, kept.statement, ibis.null().cast("string")),
        action=ibis.ifelse(kept.datastore, kept.action, ibis.null().cast("string")),
        route=ibis.ifelse(kept.route.isin(list_routes), kept.route, ibis.null().cast("string"))
        if list_routes
        else ibis.null().cast("string"),
        person_read=kept.person_read,
        datastore=kept.datastore,
        canary=kept.canary,
        # Anonymous requests are judged per address ("ip:203.0.113.7"); an address has no
        # habits to learn, so new-source and off-hours leave it to the other detectors.
        principal=ibis.coalesce(kept.principal.nullif(""), ibis.literal("ip:") + kept.src_ip),
        anonymous=kept.principal.nullif("").isnull(),
        table_name=_table_name(kept.resource, tables),
        hour=kept.time.truncate("h"),
        page=_page_number(kept, settings),
        object_num=ibis.ifelse(
            kept.object_id.re_search(_ID_DIGITS), kept.object_id.cast("int64"), None
        ),
    )


def _person_hours(rows: ir.Table) -> ir.Table:
    """Person reads per principal-hour, computed once for the detectors that judge hours."""
    reads = rows.filter(rows.person_read)
    amount = ibis.ifelse(
        reads.rows.notnull() & (reads.rows > 0), reads.rows, ibis.literal(1, type="int64")
    )
    return (
        reads.mutate(amount=amount)
        .group_by(["principal", "hour", "anonymous"])
        .aggregate(
            amount=ibis._.amount.sum(),
            events=ibis._.count(),
            start=ibis._.time.min(),
            end=ibis._.time.max(),
        )
    )


def _canary_accesses(
    engine: Engine,
    events_having: Callable[[str], ir.Table],
    settings: Settings,
    tables: tuple[str, ...],
    keys: tuple[str, ...],
    needles: tuple[str, ...],
) -> ir.Table | None:
    """Every event touching a canary, kept on ``engine``; None when there is none.

    One filter per column (object id, query, statement), each on that column alone and over
    the files where that column holds values, so the scan applies it, skips row groups by
    their statistics (ids that cannot equal an address) and decodes no other column of the
    rows that fail it. The rows found are counted first: usually there are none, and that
    is all. Otherwise they are made distinct (whole rows, ``raw_ref`` included: an event
    found twice is one event) and kept; the full test (a key counts on the person source
    table only) then runs on those few rows, not on every event.
    """
    if not keys and not needles:
        return None
    found: ir.Table | None = None
    for column in ("object_id", "query", "statement"):
        events = events_having(column)
        if column == "object_id":
            test = events.object_id.isin(list(keys) + list(needles))
        elif needles:
            test = _canary_needle(events, needles, (column,))
        else:
            continue
        # The plain test lets DuckDB skip row groups by statistics; COALESCE keeps it from
        # treating an IN list as a statistics-only filter that leaves the real test for later,
        # after every other column has been decoded.
        scan = events.filter(events[column].notnull(), test, test.fill_null(False))
        found = scan if found is None else found.union(scan, distinct=False)
    assert found is not None
    # Almost always nothing is found: counting reads the tested columns only (about 0.8 s
    # on 100 M events, against 1.5 s for fetching and keeping the rows found).
    if not engine.execute(found.aggregate(n=found.count()))["n"][0].as_py():
        return None
    candidates = engine.cache(found.distinct())
    source = _source_table(settings, tables)
    canary = _canary_key(candidates, keys, source) | _canary_needle(candidates, needles)
    touched = engine.cache(candidates.filter(canary.fill_null(False)))
    count = engine.execute(touched.aggregate(n=touched.count()))["n"][0].as_py()
    return touched if count else None


def _person_read(events: ir.Table, settings: Settings, tables: tuple[str, ...]) -> ir.BooleanValue:
    """A successful read, list, search or export of a person table, not an end user's own.

    ``events`` are rows already known to name one of ``tables`` (``_select`` scans for
    those), so the table is not tested again.
    """
    params = settings.detect
    condition = (events.status.isnull() | (events.status < 400)) & events.action.isin(
        list(READ_ACTIONS)
    )
    if params.self_prefix:
        # End users ("customer:42") read their own record and their own orders all day:
        # only their reads of someone else's record, and list or search calls, count.
        prefix = params.self_prefix
        source = (_bare_table(settings.person_source.table),)
        other_table = ~_names_table(events.resource, source) & (events.action == "read")
        own = events.object_id.notnull() & (
            events.principal.substr(len(prefix)) == events.object_id
        )
        not_own_business = (
            events.principal.isnull() | ~events.principal.startswith(prefix) | (~own & ~other_table)
        )
        condition = condition & not_own_business
    return condition


def _table_name(resource: ir.StringValue, tables: tuple[str, ...]) -> ir.StringValue:
    """Which of ``tables`` (lower case) a resource names, in any case, with or without a
    schema; string tests, no regex per row."""
    if not tables:
        return ibis.null().cast("string")
    lower = resource.lower()
    # Names written as configured are the rule: tested as they are first, then lower-cased.
    exact = [(resource == table, ibis.literal(table)) for table in tables]
    folded = [
        ((lower == table) | lower.endswith("." + table), ibis.literal(table)) for table in tables
    ]
    return ibis.cases(*exact, *folded, else_=ibis.null()).cast("string")


def _names_table(resource: ir.StringValue, tables: tuple[str, ...]) -> ir.BooleanValue:
    """Whether a resource names one of ``tables`` (lower case), in any case, with or without a
    schema. The names as they are first: the engine lower-cases only the rows that fail that
    test (on the benchmark a third less work than lower-casing every row)."""
    if not tables:
        return ibis.literal(False)
    lower = resource.lower()
    condition: ir.BooleanValue = resource.isin(list(tables)) | lower.isin(list(tables))
    for table in tables:
        condition = condition | lower.endswith("." + table)
    return condition


def _source_table(settings: Settings, tables: tuple[str, ...]) -> tuple[str, ...]:
    """The table canary keys belong to: the person source's (every person table if unset)."""
    name = settings.person_source.table
    return (_bare_table(name),) if name else tables


def _canary_key(
    events: ir.Table, keys: tuple[str, ...], source: tuple[str, ...]
) -> ir.BooleanValue:
    """A canary's key as the object of an event on the person source table."""
    if not keys:
        return ibis.literal(False)
    return events.object_id.isin(list(keys)) & _names_table(events.resource, source)


def _canary_needle(
    events: ir.Table,
    needles: tuple[str, ...],
    columns: tuple[str, ...] = ("object_id", "query", "statement"),
) -> ir.BooleanValue:
    """A canary's email as an object id, in a query string or in a statement (the path is not
    searched: its query part is ``query``); ``columns`` says which of the three to test."""
    condition: ir.BooleanValue = ibis.literal(False)
    if not needles:
        return condition
    if "object_id" in columns:
        condition = condition | events.object_id.isin(list(needles))
    for name in ("query", "statement"):
        if name in columns:
            text = events[name]
            found: ir.BooleanValue = ibis.literal(False)
            for needle in needles:
                found = found | text.lower().contains(needle)
            condition = condition | (text.notnull() & found)
    return condition


def network_of(ip: ir.StringValue) -> ir.StringValue:
    """The /24 of an IPv4 address or the /48 of an IPv6 address, as text (NULL otherwise).

    IPv6 "::" is expanded to its zero groups first; groups are compared as written (logs
    print the canonical lower-case form without leading zeros).
    """
    v4 = ip.re_extract(r"^([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})\.[0-9]{1,3}$", 1)
    text = ip.lower()
    colons = text.length() - text.replace(":", "").length()
    missing = ibis.greatest(8 - (colons - 1), 0)
    head = text.re_extract(r"^(.*?)::", 1)
    tail = text.re_extract(r"::(.*)$", 1)
    expanded = ibis.ifelse(
        text.contains("::"), head + ":" + ibis.literal("0:").repeat(missing) + tail, text
    ).re_replace(r"^:|:$", "")
    v6 = expanded.re_extract(r"^([0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}):", 1)
    return (
        ibis.cases(
            (v4 != "", v4 + ".0/24"),
            (text.contains(":") & (v6 != ""), v6 + "::/48"),
            else_=ibis.null(),
        )
        .cast("string")
        .name("network")
    )


def _page_number(events: ir.Table, settings: Settings) -> ir.IntegerValue:
    """The page number asked of a list route (from its ``page_param``), else NULL."""
    branches = []
    for entry in settings.exposure:
        if entry.kind != "list" or not entry.route:
            continue
        pattern = rf"(?:^|[?&]){re.escape(entry.page_param)}={_PAGE_DIGITS}(?:&|$)"
        value = events.query.re_extract(pattern, 1)
        branches.append((events.route == entry.route, value.nullif("").cast("int64")))
    if not branches:
        return ibis.null().cast("int64")
    return ibis.cases(*branches, else_=ibis.null()).cast("int64")


def peer_group(principal: ir.StringValue, params: DetectSettings) -> ir.StringValue:
    """The peer group of ``principal``: configured globs first, else its ``prefix:``."""
    branches = []
    for name, globs in sorted(params.peer_groups.items()):
        for glob in globs:
            branches.append((principal.re_search(glob_regex(glob)), ibis.literal(name)))
    prefix = principal.re_extract(r"^([^:]*):", 1)
    default = ibis.ifelse(prefix != "", prefix, ibis.literal("(roles)"))
    if not branches:
        return default.name("peer")
    return ibis.cases(*branches, else_=default).name("peer")


def glob_regex(glob: str) -> str:
    """A shell glob (``*``, ``?``) as an anchored regular expression portable to RE2 and Java."""
    parts = []
    for char in glob:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        elif char.isalnum():
            parts.append(char)
        else:
            parts.append("\\" + char if not char.isspace() else char)
    return "^" + "".join(parts) + "$"


def _calendar(engine: Engine, rows: ir.Table, params: DetectSettings) -> ir.Table:
    """UTC hour → local hour of day and weekday in the office time zone, for the rows' span."""
    zone = ZoneInfo(params.timezone)  # validated with the settings
    span = engine.execute(rows.aggregate(lo=rows.time.min(), hi=rows.time.max()))
    lo, hi = span["lo"][0].as_py(), span["hi"][0].as_py()  # UTC-aware (Engine.execute)
    hours: list[datetime] = []
    local_hours: list[int] = []
    weekdays: list[int] = []
    if lo is not None and hi is not None:
        # Ten years of hours is plenty; older events simply get no local hour.
        lo = max(lo, hi - timedelta(days=3660))
        moment = lo.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        while moment <= hi:
            local = moment.astimezone(zone)
            hours.append(moment)
            local_hours.append(local.hour)
            weekdays.append(local.weekday())
            moment += timedelta(hours=1)
    table = pa.table(
        {
            "cal_hour": engine.moments(hours),
            "local_hour": pa.array(local_hours, pa.int64()),
            "local_weekday": pa.array(weekdays, pa.int64()),
        }
    )
    # Kept on the engine: Spark would otherwise rebuild it from Python for every use.
    return engine.from_arrow(table)


def in_office_hours(calendar_row: ir.Table, params: DetectSettings) -> ir.BooleanValue:
    """Whether a calendar row falls in the configured office hours and days."""
    start, end = params.office_hours
    return (
        (calendar_row.local_hour >= start)
        & (calendar_row.local_hour < end)
        & calendar_row.local_weekday.isin(list(params.office_days))
    )
