"""A local SMTP sink (aiosmtpd on 127.0.0.1) for the demo, the benchmark and the tests.

It accepts every message, records its Message-ID before answering 250 (so "received" means
acknowledged), and can keep the raw messages or refuse some recipients to act out failures.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)

Refuse = Callable[[str], str | None]


@dataclass
class SinkLog:
    """What the sink received: Message-IDs in order, and the messages when kept."""

    keep: bool = False
    ids: list[str] = field(default_factory=list)
    messages: list[bytes] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, message_id: str, recipients: list[str], data: bytes) -> None:
        with self.lock:
            self.ids.append(message_id)
            self.recipients.extend(recipients)
            if self.keep:
                self.messages.append(data)

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(self.ids)

    def __len__(self) -> int:
        with self.lock:
            return len(self.ids)


class _Handler:
    def __init__(
        self, log: SinkLog, refuse: Refuse | None, delay: float, gate: threading.Event | None
    ):
        self.log = log
        self.refuse = refuse
        self.delay = delay
        self.gate = gate

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.refuse is not None:
            reply = self.refuse(address)
            if reply:
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        while self.gate is not None and not self.gate.is_set():
            # Held until the gate opens: tests make several workers claim work first.
            await asyncio.sleep(0.02)
        if self.delay:
            # A slow server keeps messages in flight longer (crash tests kill workers then).
            await asyncio.sleep(self.delay)
        data: bytes = envelope.original_content or envelope.content
        found = _MESSAGE_ID.search(data)
        self.log.add(
            found.group(1).decode("ascii", "replace") if found else "",
            list(envelope.rcpt_tos),
            data,
        )
        return "250 Message accepted"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the controller checks it by connecting)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpSink:
    """``with SmtpSink() as sink:`` — an SMTP server on 127.0.0.1 at ``sink.port``."""

    def __init__(
        self,
        *,
        keep: bool = False,
        refuse: Refuse | None = None,
        delay: float = 0.0,
        gate: threading.Event | None = None,
        **server: Any,
    ):
        self.log = SinkLog(keep=keep)
        self.port = free_port()
        self._controller = Controller(
            _Handler(self.log, refuse, delay, gate), hostname="127.0.0.1", port=self.port, **server
        )

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
