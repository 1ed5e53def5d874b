"""A test-only reader of the demo's gateway JSON lines and pgAudit logs → scope events.

Ingest is not on this branch; this reads just what scope needs (time, principal, address,
route, object id, query, status, rows, statement) so the demo test can run scope on the
generated logs. It is not a parser for real-world logs: the ingest stage is.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from tests.scope.conftest import Ev

_OBJECT = re.compile(r"^/api/v1/customers/(\d+)/?$")
_ORDER = re.compile(r"^/api/v1/orders/(\d+)/?$")
_PG_LINE = re.compile(
    r"^(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) UTC (?P<user>\S*) (?P<db>\S*) "
    r"\[(?P<pid>\d+)\]: (?P<message>.*)$"
)


def gateway_events(folder: Path) -> list[Ev]:
    events: list[Ev] = []
    for path in sorted(folder.glob("gateway-*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            item = json.loads(line)
            route, object_id = _route(item["path"])
            events.append(
                Ev(
                    at=datetime.fromisoformat(item["ts"].replace("Z", "+00:00")),
                    source="gateway",
                    principal=item["principal"],
                    src_ip=item["client_ip"],
                    route=route,
                    path=item["path"],
                    query=item["query"] or None,
                    status=int(item["status"]),
                    object_id=object_id,
                    rows=item.get("rows"),
                    method=item["method"],
                    ref=f"{path.name}:{number}",
                )
            )
    return events


def _route(path: str) -> tuple[str | None, str | None]:
    if path in ("/api/v1/customers", "/api/v1/customers/"):
        return "/api/v1/customers", None
    if path.startswith("/api/v1/customers/search"):
        return "/api/v1/customers/search", None
    found = _OBJECT.match(path)
    if found:
        return "/api/v1/customers/{id}", found.group(1)
    found = _ORDER.match(path)
    if found:
        return "/api/v1/orders/{id}", found.group(1)
    return path, None


def pgaudit_events(folder: Path) -> list[Ev]:
    events: list[Ev] = []
    for path in sorted(folder.glob("postgresql-*.log")):
        entries: list[tuple[int, dict[str, str]]] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found = _PG_LINE.match(line)
            if found:
                entries.append((number, found.groupdict()))
            elif entries:  # a statement spanning lines
                entries[-1][1]["message"] += "\n" + line
        for number, entry in entries:
            message = entry["message"]
            if not message.startswith("LOG:  AUDIT: "):
                continue
            fields = next(csv.reader(io.StringIO(message[len("LOG:  AUDIT: ") :])))
            object_name, statement = fields[6], fields[7]
            at = datetime.strptime(entry["ts"], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
            events.append(
                Ev(
                    at=at,
                    source="pgaudit",
                    principal=entry["user"],
                    src_ip=None,
                    resource=object_name.rsplit(".", 1)[-1],
                    statement=statement,
                    klass="datastore",
                    method=None,
                    status=None,
                    route=None,
                    ref=f"{path.name}:{number}",
                )
            )
    return events
