"""The outbox worker: claim, compose, send over reused connections, record — as a pipeline.

One producer claims batches (committed as ``sending``) and composes their messages; N sender
tasks, each with one SMTP connection, send them (per-domain rate limits apply); a recorder
commits outcomes every ``FLUSH_SECONDS`` or batch. At most about three batches per worker
are in ``sending`` at any moment: that bounds what a ``kill -9`` can leave ``uncertain``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from breachdesk.config import Settings
from breachdesk.notify.compose import Composer, Prepared
from breachdesk.notify.outbox import Outbox, Outcome, Recovery
from breachdesk.notify.smtp import DomainRateLimiter, SmtpConfig, SmtpConnection
from breachdesk.store import Store

FLUSH_SECONDS = 0.1
HEARTBEAT_SECONDS = 10.0
Progress = Callable[[int], None]


@dataclass
class WorkReport:
    """What one worker run did."""

    worker: str
    smtp: str
    campaign: str | None
    sent: int = 0
    retry_scheduled: int = 0
    failed: int = 0
    answers_sent: int = 0
    uncertain: list[str] = field(default_factory=list)
    uncertain_policy: str = "resend"
    dead_workers: list[str] = field(default_factory=list)
    seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    # True when another worker found this one's lease expired and took its claims over.
    fenced: bool = False
    # Why the worker stopped early on a configuration fault (login refused, certificate
    # not verified); the messages it held went back to pending without using an attempt.
    halted: str | None = None
    released: int = 0

    @property
    def per_second(self) -> float:
        return round((self.sent + self.answers_sent) / self.seconds, 1) if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["per_second"] = self.per_second
        return data


def run_worker(
    store: Store,
    settings: Settings,
    base: Path,
    smtp: SmtpConfig,
    *,
    campaign: str | None = None,
    connections: int | None = None,
    answers: bool = True,
    progress: Progress | None = None,
) -> WorkReport:
    """Recover what dead workers left, then deliver until nothing is due; returns the report.

    A configuration fault that would fail every message alike (the server refuses our login,
    its certificate does not verify) stops the worker: what it holds goes back to pending
    untouched, and ``report.halted`` says why (the CLI turns it into an error).
    """
    outbox = Outbox(store, settings.notify)
    outbox.register()
    report = WorkReport(
        outbox.worker_id, smtp.target, campaign, uncertain_policy=settings.notify.uncertain_policy
    )
    started = time.monotonic()
    try:
        recovery: Recovery = outbox.recover()
        report.uncertain = recovery.uncertain
        report.dead_workers = recovery.dead_workers
        composer = Composer(store, settings, base)
        asyncio.run(
            _pipeline(
                outbox,
                composer,
                smtp,
                report,
                campaign=campaign,
                connections=connections or settings.notify.connections,
                batch=settings.notify.batch_size,
                rate=settings.notify.domain_rate,
                answers=answers,
                progress=progress,
            )
        )
    finally:
        outbox.stop()
        report.fenced = outbox.fenced
        report.seconds = round(time.monotonic() - started, 3)
    return report


async def _pipeline(
    outbox: Outbox,
    composer: Composer,
    smtp: SmtpConfig,
    report: WorkReport,
    *,
    campaign: str | None,
    connections: int,
    batch: int,
    rate: float,
    answers: bool,
    progress: Progress | None,
) -> None:
    queue: asyncio.Queue[Prepared | None] = asyncio.Queue(maxsize=batch * 2)
    outcomes: list[Outcome] = []
    limiter = DomainRateLimiter(rate)
    done = asyncio.Event()
    errors: Counter[str] = Counter()

    def release(item: Prepared) -> None:
        outcomes.append(Outcome(item.claim, "halt", None, report.halted or "halted"))

    async def produce() -> None:
        try:
            while report.halted is None:
                claims = await asyncio.to_thread(outbox.claim_notices, batch, campaign)
                if not claims and answers:
                    claims = await asyncio.to_thread(outbox.claim_inquiries, batch)
                if not claims:
                    return
                for item in await asyncio.to_thread(composer.prepare, claims):
                    if isinstance(item, Outcome):
                        outcomes.append(item)
                    elif report.halted is not None:
                        release(item)
                    else:
                        await queue.put(item)
        finally:
            for _ in range(connections):
                await queue.put(None)

    async def send() -> None:
        connection = SmtpConnection(smtp)
        try:
            while (item := await queue.get()) is not None:
                if outbox.fenced:
                    # Declared dead by another worker (lease expired): what we still hold
                    # was taken over as uncertain and is not ours to send any more.
                    continue
                if report.halted is not None:
                    release(item)
                    continue
                await limiter.wait(item.domain)
                reply = await connection.send(item.sender, item.recipient, item.data)
                if reply.result == "halt" and report.halted is None:
                    report.halted = reply.detail
                if reply.result != "sent":
                    errors[reply.detail[:80]] += 1
                outcomes.append(Outcome(item.claim, reply.result, reply.code, reply.detail))
        finally:
            await connection.close()

    async def record() -> None:
        last_beat = time.monotonic()
        while not (done.is_set() and not outcomes):
            if not done.is_set() and len(outcomes) < batch:
                await asyncio.sleep(FLUSH_SECONDS)
            taken = outcomes[:]
            del outcomes[: len(taken)]
            if taken:
                await asyncio.to_thread(outbox.record, taken)
                _count(report, taken, outbox.settings.max_attempts)
                if progress is not None:
                    progress(len(taken))
            if time.monotonic() - last_beat > HEARTBEAT_SECONDS:
                if not await asyncio.to_thread(outbox.heartbeat):
                    report.fenced = True
                last_beat = time.monotonic()

    recorder = asyncio.create_task(record())
    try:
        await asyncio.gather(produce(), *(send() for _ in range(connections)))
    finally:
        done.set()
        await recorder
        report.errors = dict(errors.most_common(10))


def _count(report: WorkReport, outcomes: list[Outcome], max_attempts: int) -> None:
    for outcome in outcomes:
        if outcome.result == "sent":
            if outcome.claim.kind == "notice":
                report.sent += 1
            else:
                report.answers_sent += 1
        elif outcome.result == "halt":
            report.released += 1
        elif outcome.result == "retry" and outcome.claim.attempts < max_attempts:
            report.retry_scheduled += 1
        else:
            report.failed += 1
