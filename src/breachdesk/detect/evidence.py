"""The events behind one alert, and which incident each alert belongs to, for the web.

Reads only the date partitions the alert's window can touch, with parameters (never SQL
text built from stored strings), and returns at most ``limit`` events.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlalchemy import select

from breachdesk.detect.alert_store import alert_from_row
from breachdesk.model import Alert
from breachdesk.model.events import EVENT_FIELDS, EVENT_SCHEMA
from breachdesk.store import Store
from breachdesk.store.tables import Alert as AlertRow
from breachdesk.workspace import Workspace


def read_alert(store: Store, alert_id: str) -> tuple[Alert, str | None] | None:
    """The stored alert and the id of the incident it belongs to (None when free)."""
    with store.session() as session:
        row = session.get(AlertRow, alert_id[:64])
        if row is None:
            return None
        return alert_from_row(row), row.incident_id


def alert_incidents(store: Store) -> dict[str, str]:
    """Alert id → incident id, for every alert attached to an incident."""
    with store.session() as session:
        rows = session.execute(
            select(AlertRow.id, AlertRow.incident_id).where(AlertRow.incident_id.is_not(None))
        ).all()
    return {str(a): str(i) for a, i in rows}


def alert_events(workspace: Workspace, alert: Alert, *, limit: int = 200) -> pa.Table:
    """The alert's events (its principals, or addresses for ``ip:`` principals, inside its
    window), oldest first, at most ``limit``; columns of the event schema."""
    files = _files(workspace.path("events"), alert.start.date(), alert.end.date())
    if not files:
        return EVENT_SCHEMA.empty_table()
    names = [p for p in alert.principals if not p.startswith("ip:")]
    addresses = [p[3:] for p in alert.principals if p.startswith("ip:")]
    who: list[str] = []
    params: list[object] = [[str(f) for f in files]]
    if names:
        who.append("principal IN (SELECT unnest(?))")
        params.append(names)
    if addresses:
        who.append("(principal IS NULL AND src_ip IN (SELECT unnest(?)))")
        params.append(addresses)
    if not who:
        return EVENT_SCHEMA.empty_table()
    columns = ", ".join(f'"{name}"' for name in EVENT_FIELDS)
    params += [alert.start.astimezone(UTC), alert.end.astimezone(UTC), max(0, limit)]
    query = (
        f"SELECT {columns} FROM read_parquet(?, union_by_name = true) "
        f"WHERE ({' OR '.join(who)}) AND time BETWEEN ? AND ? ORDER BY time, raw_ref LIMIT ?"
    )
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        table = con.execute(query, params).fetch_arrow_table()
    finally:
        con.close()
    return table


def _files(root: Path, first: date, last: date) -> list[Path]:
    # A day either side: partitions are by UTC date, the window's dates may be local.
    low, high = first - timedelta(days=1), last + timedelta(days=1)
    found = []
    for path in sorted(root.glob("source=*/date=*/*.parquet")) if root.is_dir() else []:
        try:
            day = date.fromisoformat(path.parent.name.removeprefix("date="))
        except ValueError:
            continue
        if low <= day <= high:
            found.append(path)
    return found
