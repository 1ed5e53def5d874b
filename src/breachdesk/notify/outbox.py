"""The outbox: notices move ``pending → sending → sent | failed | bounced`` in the store.

Every transition is committed before the next step: a notice is ``sending`` (with the worker
that holds it) before its message leaves, and ``sent`` only after the server accepted it.
Workers claim batches with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the claim is
one ``UPDATE … RETURNING`` statement, which takes SQLite's single write lock first, so two
workers can never claim the same notice there either.

A worker killed with ``kill -9`` leaves its claimed notices in ``sending``. The next worker to
start finds that the holder is dead (same host and its process is gone, or no heartbeat for
``lease_seconds``), fences it (a fenced worker that was only stalled claims and sends nothing
more), marks its notices ``uncertain`` (committed, and kept in ``uncertain_at``), then
settles them by ``uncertain_policy``: ``resend`` (default; the same Message-ID and code, so a
copy that did arrive is recognisably the same message) or ``assume-sent``.
"""

from __future__ import annotations

import os
import random
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import (
    CursorResult,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from breachdesk.config import NotifySettings
from breachdesk.store import Store, record_audit
from breachdesk.store.notify_tables import NoticeAttempt, NotifyWorker, PortalInquiry
from breachdesk.store.tables import Notice

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
BOUNCED = "bounced"
UNCERTAIN = "uncertain"
OTHER_CHANNEL = "other-channel"
STATES = (PENDING, SENDING, SENT, FAILED, BOUNCED, UNCERTAIN, OTHER_CHANNEL)

Kind = Literal["notice", "inquiry"]
# ``halt``: the message was not tried for a reason that is no fault of the message (the
# server refused our login, its certificate did not verify): released untouched.
Result = Literal["sent", "retry", "failed", "halt"]

_NOTICES = cast(Table, Notice.__table__)
_INQUIRIES = cast(Table, PortalInquiry.__table__)


@dataclass(frozen=True)
class Claim:
    """One message this worker now holds in ``sending``."""

    kind: Kind
    id: str
    language: str
    attempts: int
    campaign: str | None = None
    incident_id: str | None = None
    person_id: int | None = None
    jurisdictions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What the SMTP server said about one claimed message."""

    claim: Claim
    result: Result
    smtp_code: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class Recovery:
    """Messages found in flight at dead workers, and how they were settled."""

    dead_workers: list[str]
    uncertain: list[str]
    policy: str
    inquiries_resent: int


def now_utc() -> datetime:
    return datetime.now(UTC)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Outbox:
    """One worker's view of the outbox: register, recover, claim, record, stop."""

    def __init__(self, store: Store, settings: NotifySettings, worker_id: str | None = None):
        self.store = store
        self.settings = settings
        self.worker_id = worker_id or new_worker_id()
        self.host = socket.gethostname()
        self._postgres = store.engine.dialect.name == "postgresql"
        self.fenced = False
        self._lease = timedelta(seconds=settings.lease_seconds)
        self._gone: list[str] = []

    def register(self) -> None:
        with self.store.session() as session:
            now = now_utc()
            session.add(
                NotifyWorker(
                    id=self.worker_id,
                    host=self.host[:255],
                    pid=os.getpid(),
                    started_at=now,
                    heartbeat_at=now,
                )
            )

    def stop(self) -> None:
        """Mark this worker stopped; anything it still holds goes back to ``pending``."""
        with self.store.session() as session:
            for table in (_NOTICES, _INQUIRIES):
                session.execute(
                    update(table)
                    .where(table.c.state == SENDING, table.c.worker == self.worker_id)
                    .values(state=PENDING, worker=None)
                )
            session.execute(
                update(NotifyWorker)
                .where(NotifyWorker.id == self.worker_id)
                .values(stopped_at=now_utc())
            )

    def recover(self) -> Recovery:
        """Find dead workers' messages, mark them uncertain (committed), then settle them."""
        now = now_utc()
        with self.store.session() as session:
            dead = self._dead_workers(session, now)
            found: list[str] = []
            if dead:
                # Fence first, re-checking the lease in the same statement: a worker that
                # renewed its heartbeat since we looked is not declared dead after all.
                fenced = set(
                    session.scalars(
                        update(NotifyWorker)
                        .where(
                            NotifyWorker.id.in_(dead),
                            NotifyWorker.stopped_at.is_(None),
                            or_(
                                NotifyWorker.id.in_(self._gone),
                                NotifyWorker.heartbeat_at < now - self._lease,
                            ),
                        )
                        .values(stopped_at=now)
                        .returning(NotifyWorker.id)
                        .execution_options(synchronize_session=False)
                    )
                )
                known = set(
                    session.scalars(select(NotifyWorker.id).where(NotifyWorker.id.in_(dead)))
                )
                dead = sorted(fenced | (set(dead) - known))
                found = list(
                    session.scalars(
                        update(Notice)
                        .where(Notice.state == SENDING, Notice.worker.in_(dead))
                        .values(state=UNCERTAIN, uncertain_at=now, updated_at=now)
                        .returning(Notice.id)
                        .execution_options(synchronize_session=False)
                    )
                )
        with self.store.session() as session:
            uncertain = list(
                session.execute(
                    select(Notice.id, Notice.attempts, Notice.worker, Notice.claimed_at).where(
                        Notice.state == UNCERTAIN
                    )
                )
            )
            policy = self.settings.uncertain_policy
            for nid, attempts, worker, claimed_at in uncertain:
                values: dict[str, object]
                if policy == "assume-sent":
                    values = {
                        "state": SENT,
                        "sent_at": claimed_at or now,
                        "settlement": "assumed-sent",
                    }
                else:
                    values = {"state": PENDING, "next_attempt_at": None, "settlement": "resent"}
                settled = session.scalars(
                    update(Notice)
                    .where(Notice.id == nid, Notice.state == UNCERTAIN)
                    .values(worker=None, updated_at=now, **values)
                    .returning(Notice.id)
                    .execution_options(synchronize_session=False)
                ).first()
                if settled is None:
                    continue  # another worker's recovery settled it first
                session.add(
                    NoticeAttempt(
                        notice_id=nid,
                        attempt=attempts,
                        worker=worker,
                        outcome=UNCERTAIN,
                        detail=f"in flight when worker {worker} died; settled: {policy}",
                        at=now,
                    )
                )
            resent = 0
            if dead:
                resent = len(
                    list(
                        session.scalars(
                            update(PortalInquiry)
                            .where(PortalInquiry.state == SENDING, PortalInquiry.worker.in_(dead))
                            .values(state=PENDING, worker=None)
                            .returning(PortalInquiry.id)
                            .execution_options(synchronize_session=False)
                        )
                    )
                )
            ids = sorted({row[0] for row in uncertain} | set(found))
            if ids or dead:
                record_audit(
                    session,
                    actor=f"worker:{self.worker_id}",
                    action="notify.recover",
                    target="outbox",
                    detail={"dead_workers": dead, "uncertain": len(ids), "policy": policy},
                )
        return Recovery(dead, ids, policy, resent)

    def _dead_workers(self, session: Session, now: datetime) -> list[str]:
        dead: list[str] = []
        self._gone = []
        for worker in session.scalars(
            select(NotifyWorker).where(
                NotifyWorker.stopped_at.is_(None), NotifyWorker.id != self.worker_id
            )
        ):
            gone = worker.host == self.host[:255] and not process_alive(worker.pid)
            if gone:
                self._gone.append(worker.id)
            if gone or worker.heartbeat_at < now - self._lease:
                dead.append(worker.id)
        # Messages held by a worker that never registered (or whose row was removed).
        holders = set(
            session.scalars(select(Notice.worker).where(Notice.state == SENDING).distinct())
        )
        known = set(session.scalars(select(NotifyWorker.id)))
        dead += sorted(h for h in holders if h and h not in known and h != self.worker_id)
        return dead

    def claim_notices(self, limit: int, campaign: str | None = None) -> list[Claim]:
        """Move up to ``limit`` due notices to ``sending`` for this worker (committed)."""
        now = now_utc()
        due = or_(Notice.next_attempt_at.is_(None), Notice.next_attempt_at <= now)
        candidates = select(Notice.id).where(
            Notice.state == PENDING, Notice.channel == "email", due
        )
        if campaign is not None:
            candidates = candidates.where(Notice.campaign == campaign)
        statement = (
            self._claim(_NOTICES, candidates.limit(limit))
            .values(
                state=SENDING,
                worker=self.worker_id,
                claimed_at=now,
                updated_at=now,
                attempts=Notice.attempts + 1,
            )
            .returning(
                Notice.id,
                Notice.language,
                Notice.attempts,
                Notice.campaign,
                Notice.incident_id,
                Notice.person_id,
                Notice.jurisdictions,
            )
        )
        with self.store.session() as session:
            if not self._heartbeat(session, now):
                return []
            rows = session.execute(statement).all()
            self._check_claimed(len(rows), limit)
        return sorted(
            (
                Claim(
                    kind="notice",
                    id=r[0],
                    language=r[1],
                    attempts=r[2],
                    campaign=r[3],
                    incident_id=r[4],
                    person_id=r[5],
                    jurisdictions=tuple(r[6] or ()),
                )
                for r in rows
            ),
            key=lambda c: c.id,
        )

    def claim_inquiries(self, limit: int) -> list[Claim]:
        """Move up to ``limit`` portal answers to ``sending`` for this worker (committed)."""
        now = now_utc()
        candidates = select(PortalInquiry.id).where(PortalInquiry.state == PENDING).limit(limit)
        statement = (
            self._claim(_INQUIRIES, candidates)
            .values(state=SENDING, worker=self.worker_id, attempts=PortalInquiry.attempts + 1)
            .returning(PortalInquiry.id, PortalInquiry.language, PortalInquiry.attempts)
        )
        with self.store.session() as session:
            if not self._heartbeat(session, now):
                return []
            rows = session.execute(statement).all()
            self._check_claimed(len(rows), limit)
        return [Claim(kind="inquiry", id=str(r[0]), language=r[1], attempts=r[2]) for r in rows]

    def _claim(self, table: Table, candidates: Select[Any]) -> Update:
        """``UPDATE table … WHERE`` the row is one of ``candidates`` and still pending.

        On PostgreSQL the candidates are locked with ``FOR UPDATE SKIP LOCKED`` in a
        ``MATERIALIZED`` CTE joined by ``UPDATE … FROM``: evaluated exactly once. The plain
        ``WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`` is not safe there: on a table
        the planner has no statistics for (a campaign just planned), it chose a nested-loop semi
        join that re-ran the locking subquery for every outer row; each re-run skipped the rows
        the statement had already updated and locked the next ``n``, so one worker's "batch of
        10" claimed the whole campaign and the other workers found nothing. SQLite evaluates an
        ``IN (SELECT …)`` once, under its single write lock.
        """
        if self._postgres:
            picked = candidates.with_for_update(skip_locked=True).cte("picked")
            picked = picked.prefix_with("MATERIALIZED")
            where = table.c.id == picked.c.id
        else:
            where = table.c.id.in_(candidates.scalar_subquery())
        return (
            update(table)
            .where(where, table.c.state == PENDING)
            .execution_options(synchronize_session=False)
        )

    def _check_claimed(self, claimed: int, limit: int) -> None:
        if claimed > limit:
            # Never commit a claim larger than asked: it would starve the other workers.
            raise RuntimeError(f"claim returned {claimed} rows for a batch of {limit}")

    def heartbeat(self) -> bool:
        """Renew this worker's lease; False once another worker has declared it dead."""
        with self.store.session() as session:
            return self._heartbeat(session, now_utc())

    def _heartbeat(self, session: Session, now: datetime) -> bool:
        if self.fenced:
            return False
        result = session.execute(
            update(NotifyWorker)
            .where(NotifyWorker.id == self.worker_id, NotifyWorker.stopped_at.is_(None))
            .values(heartbeat_at=now)
        )
        # A worker whose lease ran out (it stalled longer than lease_seconds) has had its
        # claims taken over; from then on it claims nothing and sends nothing it still holds.
        self.fenced = cast(CursorResult[Any], result).rowcount == 0
        return not self.fenced

    def record(self, outcomes: list[Outcome]) -> None:
        """Store the outcomes of sent messages in one transaction."""
        if not outcomes:
            return
        now = now_utc()
        notices: list[dict[str, object]] = []
        inquiries: list[dict[str, object]] = []
        attempts: list[dict[str, object]] = []
        for outcome in outcomes:
            claim = outcome.claim
            state, due = self._next_state(outcome, now)
            params: dict[str, object] = {
                "b_id": claim.id if claim.kind == "notice" else int(claim.id),
                "b_state": state,
                "b_sent_at": now if state == SENT else None,
                "b_error": None if state == SENT else outcome.detail[:2000],
                "b_due": due,
                "b_undo": 1 if outcome.result == "halt" else 0,
            }
            (notices if claim.kind == "notice" else inquiries).append(params)
            if state != SENT:
                attempts.append(
                    {
                        "notice_id": claim.id if claim.kind == "notice" else f"inquiry:{claim.id}",
                        "attempt": claim.attempts,
                        "worker": self.worker_id,
                        "outcome": outcome.result,
                        "smtp_code": outcome.smtp_code,
                        "detail": outcome.detail[:2000],
                        "at": now,
                    }
                )
        with self.store.session() as session:
            if notices:
                session.execute(self._finish(_NOTICES, now, with_due=True), notices)
            if inquiries:
                session.execute(self._finish(_INQUIRIES, now, with_due=False), inquiries)
            if attempts:
                session.execute(insert(NoticeAttempt), attempts)

    def _finish(self, table: Table, now: datetime, *, with_due: bool) -> Update:
        values: dict[str, object] = {
            "state": bindparam("b_state"),
            "sent_at": bindparam("b_sent_at"),
            "last_error": bindparam("b_error"),
            "worker": None,
            # A halted message was never tried: its claim does not count as an attempt.
            "attempts": table.c.attempts - bindparam("b_undo"),
        }
        if with_due:
            values["next_attempt_at"] = bindparam("b_due")
            values["updated_at"] = now
        return (
            update(table)
            .where(
                and_(
                    table.c.id == bindparam("b_id"),
                    table.c.state == SENDING,
                    table.c.worker == self.worker_id,
                )
            )
            .values(**values)
        )

    def _next_state(self, outcome: Outcome, now: datetime) -> tuple[str, datetime | None]:
        if outcome.result == "sent":
            return SENT, None
        if outcome.result == "halt":
            return PENDING, now
        if outcome.result == "retry" and outcome.claim.attempts < self.settings.max_attempts:
            base = self.settings.retry_base_seconds * 2 ** (outcome.claim.attempts - 1)
            # Jitter spreads retries of one busy domain over time instead of one burst.
            return PENDING, now + timedelta(seconds=base * random.uniform(0.8, 1.2))
        return FAILED, None
