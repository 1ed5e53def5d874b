"""Delivery to an SMTP sink: exactly once, retries on 4xx, failure on 5xx, DKIM signatures."""

from __future__ import annotations

from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from breachdesk.notify import SmtpConfig, campaign_status, plan_campaign, run_worker
from breachdesk.notify.dkim import dns_record, signer_from_pem
from breachdesk.notify.sink import SmtpSink
from breachdesk.notify.smtp import DomainRateLimiter, parse_target
from tests.notify.conftest import populated


def _send(root: Path, sink: SmtpSink, count: int) -> tuple[object, object]:
    ws, incident = populated(root, count)
    plan = plan_campaign(ws, incident)
    report = run_worker(
        ws.store, ws.settings, ws.root, SmtpConfig("127.0.0.1", sink.port, tls="none")
    )
    status = campaign_status(ws, plan.campaign)
    ws.close()
    return report, status


def test_send_delivers_each_notice_once(tmp_path: Path, sink: SmtpSink) -> None:
    report, status = _send(tmp_path / "ws", sink, 40)
    counts = sink.log.counts()
    assert len(counts) == 40
    assert max(counts.values()) == 1
    assert report.sent == 40
    assert status.by_state["sent"] == 40
    assert status.done


def test_send_4xx_retries_then_5xx_fails(tmp_path: Path) -> None:
    def refuse(address: str) -> str | None:
        if address.startswith("p1@"):
            return "451 4.7.1 try later"
        if address.startswith("p2@"):
            return "550 5.1.1 no such user"
        return None

    with SmtpSink(refuse=refuse) as sink:
        report, status = _send(tmp_path / "ws", sink, 4)
    assert report.sent == 2
    assert status.by_state["failed"] == 1
    assert status.by_state["pending"] == 1
    assert status.retry_scheduled == 1
    assert status.needs_other_channel == 1


@pytest.mark.parametrize("algorithm", ["rsa-sha256", "ed25519-sha256"])
def test_dkim_signature_verifies(tmp_path: Path, algorithm: str) -> None:
    key = (
        ed25519.Ed25519PrivateKey.generate()
        if algorithm.startswith("ed")
        else rsa.generate_private_key(public_exponent=65537, key_size=1024)
    )
    path = tmp_path / "dkim.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signer = signer_from_pem(path, selector="bd", domain="maison-aurelle.com", algorithm=algorithm)
    message = (
        b"From: a@maison-aurelle.com\r\nTo: b@example.test\r\nSubject: x\r\n"
        b"Message-ID: <1@maison-aurelle.com>\r\n\r\nbody\r\n"
    )
    signed = signer.sign(message)
    record = dns_record(path).encode()

    def dns(name: bytes, timeout: int = 5) -> bytes:
        return record if name.startswith(b"bd._domainkey.maison-aurelle.com") else b""

    assert dkim.verify(signed, dnsfunc=dns)
    assert not dkim.verify(signed.replace(b"body", b"tampered"), dnsfunc=dns)


def test_parse_target() -> None:
    assert parse_target("[::1]:2525") == ("::1", 2525)
    with pytest.raises(Exception, match="HOST:PORT"):
        parse_target("localhost")


def test_rate_limiter_spaces_one_domain() -> None:
    import asyncio
    import time

    limiter = DomainRateLimiter(50.0)

    async def go() -> float:
        start = time.monotonic()
        for _ in range(60):
            await limiter.wait("example.test")
        await limiter.wait("other.test")
        return time.monotonic() - start

    # 60 messages at 50/s with a burst of 50: at least 10 waits of 20 ms.
    assert asyncio.run(go()) >= 0.15


@pytest.mark.parametrize(
    "message",
    [
        b"Subject: x\r\n\r\nbody\r\n",
        b".leading dot\r\n\r\n.\r\n..two\r\nmid.dle\r\n",
        b"Subject: x\r\n\r\nno final newline",
        b"Subject: x\n\nbare LF\n",
        b"Subject: x\r\rlone CR\r\n",
    ],
)
def test_data_payload_matches_aiosmtplib(message: bytes) -> None:
    from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings

    from breachdesk.notify.smtp import data_payload

    expected = PERIOD_REGEX.sub(b"..", normalize_message_line_endings(message)) + b".\r\n"
    payload = data_payload(message)
    # Canonical messages (CRLF only, final CRLF) take the fast path and must match byte for
    # byte; anything else is left to aiosmtplib (None).
    canonical = message.endswith(b"\r\n") and message.replace(b"\r\n", b"").count(b"\r") == 0
    canonical = canonical and b"\n" not in message.replace(b"\r\n", b"")
    assert payload == (expected if canonical else None)


def test_dot_lines_arrive_intact(tmp_path: Path) -> None:
    import asyncio

    from breachdesk.notify.smtp import SmtpConnection

    message = (
        b"Message-ID: <dots@maison-aurelle.com>\r\nSubject: dots\r\n\r\n"
        b".\r\n..\r\n.hidden\r\nend\r\n"
    )
    with SmtpSink(keep=True) as sink:

        async def go() -> str:
            connection = SmtpConnection(SmtpConfig("127.0.0.1", sink.port, tls="none"))
            reply = await connection.send("a@maison-aurelle.com", "b@example.test", message)
            await connection.close()
            return reply.result

        assert asyncio.run(go()) == "sent"
        assert sink.log.messages[0].replace(b"\r\n", b"\n") == message.replace(b"\r\n", b"\n")
