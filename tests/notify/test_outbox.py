"""The outbox's claims and leases on SQLite and PostgreSQL, without SMTP."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from breachdesk.notify import plan_campaign
from breachdesk.notify.outbox import SENDING, Outbox, now_utc
from breachdesk.store.notify_tables import NotifyWorker
from breachdesk.store.tables import Notice
from breachdesk.workspace import Workspace
from tests.notify.conftest import populated


def _held(ws: Workspace, worker: str) -> set[str]:
    store = ws.store
    with store.session() as session:
        return set(
            session.scalars(
                select(Notice.id).where(Notice.state == SENDING, Notice.worker == worker)
            )
        )


def test_a_claim_takes_at_most_its_batch_on_a_fresh_table(
    tmp_path: Path, database_url: str
) -> None:
    # A campaign just planned: PostgreSQL has no statistics for the table yet. The old
    # ``WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`` claimed all 300 here.
    ws, incident = populated(tmp_path / "ws", 300, database_url)
    plan_campaign(ws, incident)
    first, second = Outbox(ws.store, ws.settings.notify), Outbox(ws.store, ws.settings.notify)
    first.register()
    second.register()
    a = first.claim_notices(10)
    b = second.claim_notices(10)
    assert len(a) == 10
    assert len(b) == 10
    assert not {c.id for c in a} & {c.id for c in b}
    assert _held(ws, first.worker_id) == {c.id for c in a}
    ws.close()


def test_recovery_leaves_a_live_worker_alone_and_fences_an_expired_lease(
    tmp_path: Path, database_url: str
) -> None:
    ws, incident = populated(tmp_path / "ws", 40, database_url)
    plan_campaign(ws, incident)
    live, stalled, newcomer = (Outbox(ws.store, ws.settings.notify) for _ in range(3))
    for outbox in (live, stalled, newcomer):
        outbox.register()
    held_live = {c.id for c in live.claim_notices(5)}
    held_stalled = {c.id for c in stalled.claim_notices(5)}
    # All three run in this process (alive); the stalled one has not renewed its lease.
    old = now_utc() - timedelta(seconds=ws.settings.notify.lease_seconds + 5)
    with ws.store.session() as session:
        session.execute(
            update(NotifyWorker)
            .where(NotifyWorker.id == stalled.worker_id)
            .values(heartbeat_at=old)
        )
    recovery = newcomer.recover()
    assert recovery.dead_workers == [stalled.worker_id]
    assert set(recovery.uncertain) == held_stalled
    assert _held(ws, live.worker_id) == held_live, "a live worker's claims are not touched"
    assert _held(ws, stalled.worker_id) == set()
    # The stalled worker wakes up: its lease is gone, it claims and sends nothing more.
    assert not stalled.heartbeat()
    assert stalled.claim_notices(5) == []
    assert stalled.fenced
    assert live.heartbeat()
    ws.close()
