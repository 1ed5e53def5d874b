"""The demo's ingest stage over a workspace shaped like the synthetic retailer's."""

# ruff: noqa: E501  (log lines are long)

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

from breachdesk.demo.stages import demo_stages
from breachdesk.ingest.demo import ingest_stage
from breachdesk.workspace import Workspace

from .samples import EXPOSURE

SOURCES = """
[[sources]]
name = "nginx"
format = "nginx"
paths = ["logs/nginx"]

[[sources]]
name = "gateway"
format = "jsonl"
paths = ["logs/gateway"]
[sources.fields]
time = "ts"
principal = "principal"
src_ip = "client_ip"
method = "method"
path = "path"
query = "query"
status = "status"
bytes = "bytes"
user_agent = "user_agent"
rows = "rows"

[[sources]]
name = "pgaudit"
format = "pgaudit"
paths = ["logs/pgaudit"]
log_format = "%m %u %d [%p]: "
"""


def test_ingest_stage_reads_the_three_demo_sources(
    make_workspace: Callable[..., Workspace],
) -> None:
    workspace = make_workspace(SOURCES + EXPOSURE)
    logs = workspace.root / "logs"
    for name in ("nginx", "gateway", "pgaudit"):
        (logs / name).mkdir(parents=True)
    (logs / "nginx" / "access-2026-11-02.log.gz").write_bytes(
        gzip.compress(
            b'198.51.100.4 - - [02/Nov/2026:10:00:00 +0100] "GET /products/9 HTTP/1.1" 200 5 "-" "x"\n'
        )
    )
    (logs / "nginx" / "access-2026-11-03.log").write_bytes(
        b'203.0.113.7 - - [03/Nov/2026:02:00:00 +0100] "GET /api/v1/customers/8 HTTP/1.1" 200 5 "-" "x"\n'
    )
    record = {
        "ts": "2026-11-03T01:14:07.123Z",
        "request_id": "r",
        "principal": "agent:jmartin",
        "token_id": "t",
        "client_ip": "203.0.113.7",
        "method": "GET",
        "path": "/api/v1/customers",
        "query": "page=2&per_page=100",
        "status": 200,
        "bytes": 900,
        "user_agent": "python-requests/2.31",
        "latency_ms": 7,
        "rows": 100,
    }
    (logs / "gateway" / "gateway-2026-11-03.jsonl").write_text(json.dumps(record) + "\n")
    (logs / "pgaudit" / "postgresql-2026-11-03.log").write_text(
        "2026-11-03 02:14:07.123 UTC support_ro shop [41234]: LOG:  AUDIT: SESSION,1,1,READ,"
        'SELECT,TABLE,public.customers,"SELECT full_name, email FROM customers WHERE id > 100",'
        "<not logged>\n"
    )
    outcome = ingest_stage(workspace)
    assert outcome.status == "done"
    assert outcome.figures["events"] == 4
    assert outcome.figures["by_source"] == {"gateway": 1, "nginx": 2, "pgaudit": 1}
    again = ingest_stage(workspace)
    assert again.figures["events"] == 0
    assert any("already ingested" in line for line in again.lines)


def test_ingest_stage_is_registered() -> None:
    (stage,) = [s for s in demo_stages() if s.name == "ingest"]
    assert stage.run is ingest_stage


def test_ingest_stage_reports_a_failure(make_workspace: Callable[..., Workspace]) -> None:
    outcome = ingest_stage(make_workspace(""))
    assert outcome.status == "failed"
    assert "no [[sources]]" in outcome.lines[0]
