"""Which events were malicious: those of the incident's alerts, or of explicit filters.

An alert covers events between its start and end whose principal is one of its principals
(``ip:ADDRESS`` naming an anonymous client) or whose address is one of its addresses: the
attacker's addresses count whatever token they used. Filters (``--principal``, ``--ip CIDR``,
``--window T1/T2``) select on their own, or narrow the alerts given with ``--alerts``.
Only reads can expose data: successful (2xx, or no status) reads, lists, searches, exports
and datastore statements are kept. Events are filtered with DuckDB over the Parquet files.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlalchemy import select

from breachdesk.errors import UserInputError
from breachdesk.incident import UnknownIncident, parse_time
from breachdesk.model.scope import ScopeSelection
from breachdesk.store.tables import Alert, Incident
from breachdesk.workspace import Workspace

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_US = 1_000_000
_COLUMNS = (
    "time",
    "source",
    "class",
    "principal",
    "src_ip",
    "action",
    "method",
    "path",
    "route",
    "query",
    "status",
    "resource",
    "object_id",
    "rows",
    "statement",
    "raw_ref",
)
_READ_ACTIONS = ("read", "list", "search", "export")


@dataclass(frozen=True)
class Clause:
    """One way an event can be malicious; all its given parts must hold."""

    start: datetime | None
    end: datetime | None
    principals: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    networks: tuple[Network, ...] = ()
    # True for alerts: principal OR address. False for filters: every given part.
    any_of: bool = False


@dataclass(frozen=True)
class EventSelection:
    """Clauses (any may match) and an optional filter every event must also pass."""

    summary: ScopeSelection
    clauses: tuple[Clause, ...]
    narrow: Clause | None


def parse_window(text: str) -> tuple[datetime, datetime]:
    """``T1/T2`` (ISO 8601 with offsets) as two aware UTC times."""
    parts = text.split("/")
    if len(parts) != 2:
        raise UserInputError(f"--window {text[:80]!r}: give two times as T1/T2")
    start = parse_time(parts[0], what="--window start")
    end = parse_time(parts[1], what="--window end")
    if end < start:
        raise UserInputError(f"--window {text[:80]!r}: the end is before the start")
    return start, end


def parse_networks(values: Sequence[str]) -> tuple[Network, ...]:
    networks: list[Network] = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise UserInputError(
                f"--ip {value[:60]!r} is not an address or CIDR network (e.g. 203.0.113.0/24)"
            ) from None
    return tuple(networks)


def build_selection(
    workspace: Workspace,
    incident_id: str,
    *,
    alert_ids: Sequence[str] = (),
    principals: Sequence[str] = (),
    networks: Sequence[str] = (),
    window: tuple[datetime, datetime] | None = None,
) -> EventSelection:
    """The selection for a scope run of ``incident_id``; UserInputError when it is empty."""
    nets = parse_networks(networks)
    has_filter = bool(principals or nets or window)
    narrow = None
    if has_filter:
        narrow = Clause(
            start=window[0] if window else None,
            end=window[1] if window else None,
            principals=tuple(dict.fromkeys(p.strip() for p in principals if p.strip())),
            networks=nets,
        )
    with workspace.store.session() as session:
        if session.get(Incident, incident_id) is None:
            raise UnknownIncident(incident_id)
        query = select(Alert).order_by(Alert.start, Alert.id)
        if alert_ids:
            wanted = list(dict.fromkeys(alert_ids))
            rows = list(session.scalars(query.where(Alert.id.in_(wanted))))
            missing = sorted(set(wanted) - {r.id for r in rows})
            if missing:
                raise UserInputError(f"no alert {missing[0]!r} in this workspace")
            foreign = [r.id for r in rows if r.incident_id not in (None, incident_id)]
            if foreign:
                raise UserInputError(
                    f"alert {foreign[0]} belongs to another incident; scope it there"
                )
        elif has_filter:
            rows = []
        else:
            rows = list(session.scalars(query.where(Alert.incident_id == incident_id)))
            if not rows:
                raise UserInputError(
                    f"incident {incident_id} has no alerts: give --alerts ID, or select "
                    "events with --principal, --ip and --window"
                )
        clauses = tuple(
            Clause(
                start=a.start,
                end=a.end,
                principals=tuple(a.principals or ()),
                ips=tuple(a.src_ips or ()),
                any_of=True,
            )
            for a in rows
        )
        alert_names = tuple(a.id for a in rows)
    if not clauses and narrow is not None:
        clauses, narrow = (narrow,), None
    all_principals = sorted({p for c in clauses for p in c.principals} | set(principals))
    starts = [c.start for c in clauses if c.start] + ([window[0]] if window else [])
    ends = [c.end for c in clauses if c.end] + ([window[1]] if window else [])
    summary = ScopeSelection(
        alerts=alert_names,
        principals=tuple(all_principals),
        networks=tuple(str(n) for n in nets) + tuple(sorted({ip for c in clauses for ip in c.ips})),
        start=max(starts) if window else (min(starts) if starts else None),
        end=min(ends) if window else (max(ends) if ends else None),
    )
    return EventSelection(summary, clauses, narrow)


def read_events(events_root: Path, selection: EventSelection) -> pa.Table:
    """The selected read events, ordered by time, with ``ev`` (a row number) and ``t_us``."""
    files = _files(events_root, selection)
    if not files:
        return _empty()
    con = duckdb.connect()
    try:
        listing = ", ".join(_text(str(f)) for f in files)
        con.execute(
            f"CREATE TEMP VIEW ev_raw AS SELECT * FROM read_parquet([{listing}], "
            "union_by_name = true, hive_partitioning = false)"
        )
        present = {r[0] for r in con.execute("DESCRIBE ev_raw").fetchall()}
        columns = ", ".join(
            f'"{c}"' if c in present else f'NULL AS "{c}"' for c in _COLUMNS if c != "time"
        )
        con.execute(
            f'CREATE TEMP VIEW ev AS SELECT "time", epoch_us("time") AS t_us, {columns} FROM ev_raw'
        )
        clauses = [_clause_sql(con, c) for c in selection.clauses]
        where = "(" + " OR ".join(clauses) + ")"
        if selection.narrow is not None:
            where += f" AND {_clause_sql(con, selection.narrow)}"
        actions = ", ".join(_text(a) for a in _READ_ACTIONS)
        reads = (
            "(statement IS NOT NULL OR class = 'datastore' OR action IN "
            f"({actions}) OR (action IS NULL AND upper(method) = 'GET'))"
            " AND coalesce(upper(method), '') <> 'HEAD'"
            " AND (status IS NULL OR (status >= 200 AND status < 300))"
        )
        table = con.execute(
            f"SELECT row_number() OVER (ORDER BY t_us, raw_ref) - 1 AS ev, * FROM ev "
            f"WHERE {where} AND {reads} ORDER BY t_us, raw_ref"
        ).fetch_arrow_table()
    finally:
        con.close()
    return table


def _files(root: Path, selection: EventSelection) -> list[Path]:
    """Parquet files whose date partition can hold a selected event (UTC dates)."""
    if not root.is_dir():
        return []
    bounds = [(c.start, c.end) for c in selection.clauses]
    if selection.narrow is not None and selection.narrow.start and selection.narrow.end:
        bounds = [(selection.narrow.start, selection.narrow.end)]
    found = []
    for path in sorted(root.glob("source=*/date=*/*.parquet")):
        day = _partition_date(path.parent.name)
        if day is None or any(_within(day, s, e) for s, e in bounds):
            found.append(path)
    return found


def _partition_date(name: str) -> date | None:
    try:
        return date.fromisoformat(name.removeprefix("date="))
    except ValueError:
        return None


def _within(day: date, start: datetime | None, end: datetime | None) -> bool:
    if start is not None and day < start.astimezone(UTC).date() - timedelta(days=1):
        return False
    return not (end is not None and day > end.astimezone(UTC).date() + timedelta(days=1))


def _clause_sql(con: duckdb.DuckDBPyConnection, clause: Clause) -> str:
    parts: list[str] = []
    if clause.start is not None:
        parts.append(f"t_us >= {_micros(clause.start)}")
    if clause.end is not None:
        parts.append(f"t_us <= {_micros(clause.end)}")
    who: list[str] = []
    if clause.principals:
        names = ", ".join(_text(p) for p in clause.principals)
        who.append(f"principal IN ({names})")
        anonymous = [p.removeprefix("ip:") for p in clause.principals if p.startswith("ip:")]
        if anonymous:
            who.append(f"src_ip IN ({', '.join(_text(a) for a in anonymous)})")
    ips = list(clause.ips)
    if clause.networks:
        ips += _addresses_in(con, clause)
        if not ips:
            who.append("FALSE")  # no event came from those networks
    if ips:
        who.append(f"src_ip IN ({', '.join(_text(a) for a in sorted(set(ips)))})")
    if clause.any_of:
        # An alert names who; one naming nobody selects nothing rather than everyone.
        parts.append("(" + (" OR ".join(who) or "FALSE") + ")")
    else:
        parts.extend(who)
    return "(" + (" AND ".join(parts) or "TRUE") + ")"


def _addresses_in(con: duckdb.DuckDBPyConnection, clause: Clause) -> list[str]:
    """The distinct event addresses (in the clause's time bounds) inside its networks."""
    bounds = []
    if clause.start is not None:
        bounds.append(f"t_us >= {_micros(clause.start)}")
    if clause.end is not None:
        bounds.append(f"t_us <= {_micros(clause.end)}")
    where = " AND ".join(bounds) or "TRUE"
    rows = con.execute(
        f"SELECT DISTINCT src_ip FROM ev WHERE src_ip IS NOT NULL AND {where}"
    ).fetchall()
    found = []
    for (value,) in rows:
        try:
            address = ipaddress.ip_address(str(value).strip())
        except ValueError:
            continue
        if any(address in net for net in clause.networks if net.version == address.version):
            found.append(str(value))
    return found


def _micros(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds


def _text(value: str) -> str:
    """A SQL string literal (quotes doubled; NUL bytes dropped)."""
    return "'" + value.replace("\x00", "").replace("'", "''") + "'"


def _empty() -> pa.Table:
    fields = [pa.field("ev", pa.int64()), pa.field("time", pa.timestamp("us", tz="UTC"))]
    fields.append(pa.field("t_us", pa.int64()))
    for name in _COLUMNS[1:]:
        kind = pa.int64() if name in ("status", "rows") else pa.string()
        fields.append(pa.field(name, kind))
    return pa.schema(fields).empty_table()
