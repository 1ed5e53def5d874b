"""Workers killed with SIGKILL mid-campaign, restarted: every notice arrives, once.

Real worker processes (``breachdesk notify work``) send to an aiosmtpd sink in this process,
which records each Message-ID before it answers 250. Duplicates may only be notices the
store reports as uncertain (in flight at a kill), and the resend policy sends those again
with the same Message-ID.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from breachdesk.notify import plan_campaign
from breachdesk.notify.sink import SmtpSink
from breachdesk.store.tables import Notice
from tests.notify.conftest import populated

WORKER = [sys.executable, "-c", "from breachdesk.cli.main import run; run()"]


def _start(
    root: Path, port: int, connections: int = 2, *, capture: bool = True
) -> subprocess.Popen[bytes]:
    args = [
        *WORKER,
        "-w",
        str(root),
        "notify",
        "work",
        "--smtp",
        f"127.0.0.1:{port}",
        "--workers",
        str(connections),
        "--json",
    ]
    pipe = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(args, stdout=pipe, stderr=pipe)


def _wait_for(
    sink: SmtpSink, count: int, process: subprocess.Popen[bytes], limit: float = 90
) -> None:
    deadline = time.monotonic() + limit
    while len(sink.log) < count and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)


def _claiming_workers(url: str) -> int:
    """How many distinct workers hold claimed, unsettled notices."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            count = conn.scalar(
                select(func.count(func.distinct(Notice.worker))).where(Notice.state == "sending")
            )
            return int(count or 0)
    finally:
        engine.dispose()


def _notices(root: Path) -> list[tuple[str, str, bool]]:
    from breachdesk.workspace import open_workspace

    ws = open_workspace(root)
    try:
        with ws.store.session() as session:
            return [
                (n.id, n.state, n.uncertain_at is not None) for n in session.scalars(select(Notice))
            ]
    finally:
        ws.close()


@pytest.mark.slow
def test_worker_killed_three_times_delivers_every_notice_once(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    ws, incident = populated(root, 600)
    plan_campaign(ws, incident)
    ws.close()
    kills = 0
    with SmtpSink(delay=0.004) as sink:
        for threshold in (120, 260, 400):
            worker = _start(root, sink.port, capture=False)
            _wait_for(sink, threshold, worker)
            assert worker.poll() is None, "the worker ended before it could be killed"
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            kills += 1
        final = _start(root, sink.port)
        out, err = final.communicate(timeout=180)
        assert final.returncode == 0, err.decode()
        report = json.loads(out)
        counts = sink.log.counts()
    notices = _notices(root)
    expected = {f"<{nid}@maison-aurelle.com>": nid for nid, _, _ in notices}
    assert kills == 3
    assert set(counts) == set(expected), "every notice reached the sink"
    assert all(state == "sent" for _, state, _ in notices)
    uncertain = {nid for nid, _, was in notices if was}
    assert uncertain, "a worker killed mid-campaign leaves notices in flight"
    duplicated = {expected[mid] for mid, n in counts.items() if n > 1}
    assert duplicated <= uncertain, "only notices reported uncertain may arrive twice"
    assert all(n <= 4 for n in counts.values())
    assert set(report["uncertain"]) <= uncertain
    assert report["dead_workers"], "the last kill's worker is found dead"


@pytest.mark.postgres
@pytest.mark.slow
def test_workers_in_parallel_on_postgres_share_the_campaign_and_deliver_each_notice_once(
    tmp_path: Path, postgres_url: str
) -> None:
    root = tmp_path / "ws"
    ws, incident = populated(root, 900, postgres_url)
    plan_campaign(ws, incident)
    ws.close()
    with (root / "breachdesk.toml").open("a") as settings:  # [notify] is the last table
        # Small batches: one worker holds at most a few dozen notices (claimed, queued, in
        # flight), so the campaign cannot be drained by whichever worker starts first.
        settings.write("smtp_timeout = 300.0\nbatch_size = 10\n")
    gate = threading.Event()
    with SmtpSink(gate=gate) as sink:
        workers = [_start(root, sink.port) for _ in range(3)]
        # The sink holds every message until all three workers hold claimed notices (or
        # 150 s pass), so the test does not depend on how fast processes start on a loaded
        # machine: no notice can be delivered, hence none finished, before they all claimed.
        deadline = time.monotonic() + 150
        while _claiming_workers(postgres_url) < 3 and time.monotonic() < deadline:
            if any(worker.poll() is not None for worker in workers):
                break
            time.sleep(0.1)
        gate.set()
        reports = []
        for worker in workers:
            out, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err.decode()
            reports.append(json.loads(out))
        counts = sink.log.counts()
    assert len(counts) == 900
    assert max(counts.values()) == 1, "SKIP LOCKED: no notice claimed twice"
    assert sum(r["sent"] for r in reports) == 900
    sharing = [r["sent"] for r in reports if r["sent"] > 0]
    assert len(sharing) >= 2, f"the work was shared: {[r['sent'] for r in reports]}"
    assert not any(r["fenced"] or r["dead_workers"] or r["uncertain"] for r in reports)
    assert all(state == "sent" for _, state, _ in _notices(root))
