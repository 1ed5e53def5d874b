"""SMTP delivery with aiosmtplib: reused connections, TLS, auth, per-domain rate limits.

One ``SmtpConnection`` per sender task, kept open across messages and reopened after a
failure. Replies are classified for the outbox: 2xx sent; 4xx (and lost connections)
retried with backoff; 5xx permanent, the person needs another channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import aiosmtplib

from breachdesk.config import NotifySettings
from breachdesk.errors import ConfigError, UserInputError

PASSWORD_ENV = "BREACHDESK_SMTP_PASSWORD"  # noqa: S105 (the variable's name, not a secret)
TlsMode = Literal["none", "starttls", "tls"]


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to connect. ``password`` comes from the environment or a file only."""

    host: str
    port: int
    tls: TlsMode = "starttls"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    # Certificates to trust (a file of PEM certificates) instead of the system's.
    cert_bundle: str | None = None
    # AUTH without TLS only when explicitly allowed (notify.smtp_allow_plain_auth).
    allow_plain_auth: bool = False

    def __post_init__(self) -> None:
        if self.username and self.tls == "none" and not self.allow_plain_auth:
            raise ConfigError(
                f"SMTP user {self.username[:40]!r} with smtp_tls = none would send the password "
                "in clear: use --tls starttls or tls, or set notify.smtp_allow_plain_auth = true "
                "for a relay on this host"
            )

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class SendReply:
    """What became of one message: ``sent``, ``retry`` (temporary), ``failed`` (permanent),
    or ``halt``: a fault of the configuration, not of the message (our login refused, the
    server's certificate does not verify), which would fail every message alike."""

    result: Literal["sent", "retry", "failed", "halt"]
    code: int | None
    detail: str


def parse_target(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:25`` for IPv6) → host and port; UserInputError otherwise."""
    host, sep, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UserInputError(f"--smtp {text[:80]!r}: give HOST:PORT, e.g. 127.0.0.1:25")
    return host, int(port)


def read_password(settings: NotifySettings, base: Path, file: Path | None = None) -> str | None:
    """The SMTP password: ``file`` (a CLI option), else the variable, else the settings' file."""
    if file is None:
        env = os.environ.get(PASSWORD_ENV)
        if env:
            return env
        if not settings.smtp_password_file:
            return None
        file = Path(settings.smtp_password_file).expanduser()
        if not file.is_absolute():
            file = base / file
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read the SMTP password file: {exc.strerror}", path=file
        ) from None
    return text.rstrip("\r\n")


def smtp_config(
    settings: NotifySettings,
    *,
    base: Path,
    target: str | None = None,
    tls: TlsMode | None = None,
    username: str | None = None,
    password_file: Path | None = None,
) -> SmtpConfig:
    """The delivery settings, with CLI overrides."""
    host, port = parse_target(target) if target else (settings.smtp_host, settings.smtp_port)
    user = username if username is not None else settings.smtp_user
    return SmtpConfig(
        host=host,
        port=port,
        tls=tls or settings.smtp_tls,
        username=user or None,
        password=read_password(settings, base, password_file) if user else None,
        timeout=settings.smtp_timeout,
        cert_bundle=_ca_file(settings, base),
        allow_plain_auth=settings.smtp_allow_plain_auth,
    )


def _ca_file(settings: NotifySettings, base: Path) -> str | None:
    if not settings.smtp_ca_file:
        return None
    path = Path(settings.smtp_ca_file).expanduser()
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        raise ConfigError("notify.smtp_ca_file: no such file", path=path)
    return str(path)


class DomainRateLimiter:
    """At most ``rate`` messages per second to each recipient domain (token bucket, burst 1s)."""

    def __init__(self, rate: float):
        self.rate = rate
        self._buckets: dict[str, tuple[float, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, domain: str) -> None:
        if self.rate <= 0:
            return
        lock = self._locks.setdefault(domain, asyncio.Lock())
        async with lock:
            now = time.monotonic()
            tokens, last = self._buckets.get(domain, (self.rate, now))
            tokens = min(self.rate, tokens + (now - last) * self.rate)
            if tokens < 1:
                await asyncio.sleep((1 - tokens) / self.rate)
                now = time.monotonic()
                tokens = 1.0
            self._buckets[domain] = (tokens - 1, now)


class SmtpConnection:
    """One reusable connection; ``send`` never raises for what a server or network does."""

    def __init__(self, config: SmtpConfig):
        self.config = config
        self._client: aiosmtplib.SMTP | None = None

    async def _connect(self) -> aiosmtplib.SMTP:
        cfg = self.config
        context = None
        if cfg.tls != "none":
            context = ssl.create_default_context(cafile=cfg.cert_bundle)
        client = aiosmtplib.SMTP(
            hostname=cfg.host,
            port=cfg.port,
            timeout=cfg.timeout,
            use_tls=cfg.tls == "tls",
            start_tls=cfg.tls == "starttls",
            tls_context=context,
        )
        await client.connect()
        try:
            if cfg.username:
                if client.get_transport_info("sslcontext") is None and not cfg.allow_plain_auth:
                    raise ConfigError("the SMTP connection is not encrypted: credentials not sent")
                await client.login(cfg.username, cfg.password or "")
        except BaseException:
            client.close()  # a refused login must not leave the socket open
            raise
        self._client = client
        return client

    async def send(self, sender: str, recipient: str, message: bytes) -> SendReply:
        try:
            client = self._client
            if client is None or not client.is_connected:
                client = await self._connect()
            wire = data_payload(message)
            reverse, forward = _path(sender), _path(recipient)
            if wire is None or reverse is None or forward is None:
                await client.sendmail(sender, [recipient], message)
            else:
                paths = (reverse, forward)
                await self._transaction(client, paths, (sender, recipient), len(message), wire)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0] if exc.recipients else None
            code = first.code if first is not None else None
            return _classify(code, str(first.message if first else exc))
        except aiosmtplib.SMTPAuthenticationError as exc:
            await self.close()
            return SendReply(
                "halt", exc.code, f"the SMTP server refused the login: {exc.message}"[:500]
            )
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code in (421,) or exc.code < 400:
                await self.close()
            return _classify(exc.code, exc.message)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            if _certificate_refused(exc):
                await self.close()
                return SendReply(
                    "halt", None, f"the SMTP server's certificate does not verify: {exc}"[:500]
                )
            # A lost connection or timeout: we cannot tell whether the server kept the
            # message, so it is retried with the same Message-ID.
            await self.close()
            return SendReply("retry", None, f"{type(exc).__name__}: {exc}"[:500])
        return SendReply("sent", 250, "accepted")

    async def _transaction(
        self,
        client: aiosmtplib.SMTP,
        paths: tuple[bytes, bytes],
        addresses: tuple[str, str],
        size: int,
        wire: bytes,
    ) -> None:
        """MAIL, RCPT, DATA for a message already in wire form (``data_payload``).

        ``sendmail`` would run three regular expressions over every message (line endings
        twice, once for SIZE; dot-stuffing once) and parse both addresses with the standard
        library's RFC 2822 parser: most of the client's CPU. Our messages are canonical
        already and our addresses plain ``local@domain`` (``_path``; anything else goes
        through ``sendmail``), so the commands are written directly and the payload built
        with ``bytes.replace``.
        Errors raise as ``sendmail``'s do, after an RSET.
        """
        if client.is_ehlo_or_helo_needed:
            await client.ehlo()
        options = [f"SIZE={size}".encode("ascii")] if client.supports_extension("size") else []
        try:
            reply = await client.execute_command(b"MAIL", b"FROM:" + paths[0], *options)
            if reply.code != 250:
                raise aiosmtplib.SMTPSenderRefused(reply.code, reply.message, addresses[0])
            reply = await client.execute_command(b"RCPT", b"TO:" + paths[1])
            if reply.code not in (250, 251):
                raise aiosmtplib.SMTPRecipientRefused(reply.code, reply.message, addresses[1])
            reply = await client.execute_command(b"DATA")
            if reply.code != 354:
                raise aiosmtplib.SMTPDataError(reply.code, reply.message)
            protocol = client.protocol
            if protocol is None:
                raise aiosmtplib.SMTPServerDisconnected("connection lost")
            # One task per connection and no await between write and read: the reply
            # cannot be taken by anyone else.
            protocol.write(wire)
            reply = await protocol.read_response(timeout=self.config.timeout)
            if reply.code != 250:
                raise aiosmtplib.SMTPDataError(reply.code, reply.message)
        except aiosmtplib.SMTPResponseException:
            with contextlib.suppress(TimeoutError, aiosmtplib.SMTPException, OSError):
                await client.rset()
            raise

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if client.is_connected:
                await client.quit()
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            client.close()


def _certificate_refused(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it: aiosmtplib wraps TLS errors) is a failed
    certificate verification."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


_PLAIN_ADDRESS = re.compile(r"[!#-'*+\-/-9=?A-Z^-~.]{1,64}@[A-Za-z0-9.\-]{1,253}")


def _path(address: str) -> bytes | None:
    """``<address>`` for MAIL FROM / RCPT TO when it is plain ASCII ``local@domain``."""
    if not _PLAIN_ADDRESS.fullmatch(address):
        return None
    return b"<" + address.encode("ascii") + b">"


def data_payload(message: bytes) -> bytes | None:
    """The DATA payload of a message whose lines all end in CRLF: dot-stuffed, ending in
    ``.\r\n``; ``None`` for anything else (it then goes through aiosmtplib's own path)."""
    crlf = message.count(b"\r\n")
    if message.count(b"\n") != crlf or message.count(b"\r") != crlf:
        return None
    if not message.endswith(b"\r\n"):
        return None
    stuffed = message.replace(b"\r\n.", b"\r\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    return stuffed + b".\r\n"


def _classify(code: int | None, message: str) -> SendReply:
    text = f"{code} {message}".strip()[:500]
    if code is not None and 500 <= code < 600:
        return SendReply("failed", code, text)
    return SendReply("retry", code, text)
