"""Delivery over STARTTLS and implicit TLS with AUTH PLAIN and LOGIN, against real aiosmtpd.

The server's certificate is self-signed, made here with ``cryptography``; the worker trusts
it through its CA file. The servers enforce what they should (``require_starttls``,
``auth_require_tls``, ``auth_required``), so a message they accept proves the path was taken;
the authenticator records every credential it is shown.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from breachdesk.cli.main import main
from breachdesk.errors import ConfigError
from breachdesk.notify import (
    SmtpConfig,
    WorkReport,
    campaign_status,
    plan_campaign,
    run_worker,
)
from breachdesk.notify.sink import SmtpSink
from breachdesk.store.tables import Notice
from breachdesk.workspace import open_workspace
from tests.notify.conftest import populated

# Some servers here accept AUTH in clear on purpose (to show the client refuses it), or
# speak implicit TLS, which aiosmtpd's check does not count as TLS.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

USER = "notices@maison-aurelle.com"
PASSWORD = "correct horse battery staple"


@dataclass
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1 (and localhost), valid for a day."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(IPv4Address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@dataclass
class Authenticator:
    """aiosmtpd's authenticator: accepts USER/PASSWORD, records every attempt it sees."""

    seen: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.seen.append((mechanism, login, password, session.ssl is not None))
        # handled=False: aiosmtpd answers a refusal with 535 itself.
        return AuthResult(success=login == USER and password == PASSWORD, handled=False)


@pytest.fixture
def authenticator() -> Authenticator:
    return Authenticator()


def _deliver(root: Path, config: SmtpConfig, count: int = 6) -> tuple[int, dict[str, int]]:
    sent, states, _, _ = _deliver_report(root, config, count)
    return sent, states


def _deliver_report(
    root: Path, config: SmtpConfig, count: int = 6
) -> tuple[int, dict[str, int], WorkReport, int]:
    """What the worker did, the campaign's states, and the attempts the store counted."""
    ws, incident = populated(root, count)
    plan = plan_campaign(ws, incident)
    report = run_worker(ws.store, ws.settings, ws.root, config, campaign=plan.campaign)
    status = campaign_status(ws, plan.campaign)
    with ws.store.session() as session:
        attempts = session.scalar(select(func.sum(Notice.attempts)))
    ws.close()
    print(report.errors)  # shown when an assertion fails
    return report.sent, dict(status.by_state), report, int(attempts or 0)


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_starttls_then_auth(
    tmp_path: Path, certificate: Certificate, authenticator: Authenticator, mechanism: str
) -> None:
    other = "LOGIN" if mechanism == "PLAIN" else "PLAIN"
    with SmtpSink(
        tls_context=certificate.server_context(),
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticator,
        auth_exclude_mechanism=[other, "CRAM-MD5"],
    ) as sink:
        config = SmtpConfig(
            "127.0.0.1",
            sink.port,
            tls="starttls",
            username=USER,
            password=PASSWORD,
            cert_bundle=str(certificate.cert),
        )
        sent, states = _deliver(tmp_path / "ws", config)
    assert sent == 6
    assert states["sent"] == 6
    assert len(sink.log) == 6
    # One login per reused connection, always after STARTTLS, with the mechanism offered.
    assert authenticator.seen
    assert {(m, u, p, tls) for m, u, p, tls in authenticator.seen} == {
        (mechanism, USER, PASSWORD, True)
    }


def test_implicit_tls_with_auth(
    tmp_path: Path, certificate: Certificate, authenticator: Authenticator
) -> None:
    # aiosmtpd counts only STARTTLS as "TLS" for auth_require_tls; here the whole connection
    # is TLS from the first byte (a client without TLS cannot even read the greeting).
    with SmtpSink(
        ssl_context=certificate.server_context(),
        auth_required=True,
        auth_require_tls=False,
        authenticator=authenticator,
    ) as sink:
        config = SmtpConfig(
            "127.0.0.1",
            sink.port,
            tls="tls",
            username=USER,
            password=PASSWORD,
            cert_bundle=str(certificate.cert),
        )
        sent, _ = _deliver(tmp_path / "ws", config)
    assert sent == 6
    assert len(sink.log) == 6
    assert {(u, p) for _, u, p, _ in authenticator.seen} == {(USER, PASSWORD)}


def test_a_refused_login_stops_the_worker_and_leaves_every_notice_pending(
    tmp_path: Path, certificate: Certificate, authenticator: Authenticator
) -> None:
    with SmtpSink(
        ssl_context=certificate.server_context(),
        auth_required=True,
        auth_require_tls=False,
        authenticator=authenticator,
    ) as sink:
        config = SmtpConfig(
            "127.0.0.1",
            sink.port,
            tls="tls",
            username=USER,
            password="wrong",
            cert_bundle=str(certificate.cert),
        )
        sent, states, report, attempts = _deliver_report(tmp_path / "ws", config, count=4)
    assert sent == 0
    assert len(sink.log) == 0
    # A configuration fault, not the people's: nothing failed, no attempt used up.
    assert states == {**states, "pending": 4, "failed": 0, "sent": 0}
    assert report.halted is not None
    assert "refused the login" in report.halted
    assert report.released == 4
    assert report.failed == 0
    assert report.retry_scheduled == 0
    assert attempts == 0
    assert authenticator.seen
    assert {p for _, _, p, _ in authenticator.seen} == {"wrong"}


@pytest.mark.parametrize("tls", ["starttls", "tls"])
def test_an_untrusted_certificate_gets_no_credentials(
    tmp_path: Path, certificate: Certificate, authenticator: Authenticator, tls: str
) -> None:
    server: dict[str, Any] = (
        {"tls_context": certificate.server_context(), "require_starttls": True}
        if tls == "starttls"
        else {"ssl_context": certificate.server_context(), "auth_require_tls": False}
    )
    with SmtpSink(authenticator=authenticator, auth_required=True, **server) as sink:
        # No CA file: the self-signed certificate fails verification against the system's.
        config = SmtpConfig(
            "127.0.0.1",
            sink.port,
            tls="starttls" if tls == "starttls" else "tls",
            username=USER,
            password=PASSWORD,
        )
        sent, states, report, attempts = _deliver_report(tmp_path / "ws", config, count=2)
    assert sent == 0
    assert states == {**states, "pending": 2, "failed": 0, "sent": 0}
    assert report.halted is not None
    assert "certificate does not verify" in report.halted
    assert attempts == 0
    assert authenticator.seen == []
    assert len(sink.log) == 0


def test_starttls_required_but_not_offered_sends_nothing(
    tmp_path: Path, authenticator: Authenticator
) -> None:
    # A server (or a man in the middle stripping STARTTLS) that offers no TLS at all.
    with SmtpSink(authenticator=authenticator, auth_required=True, auth_require_tls=False) as sink:
        config = SmtpConfig(
            "127.0.0.1", sink.port, tls="starttls", username=USER, password=PASSWORD
        )
        sent, states = _deliver(tmp_path / "ws", config, count=2)
    assert sent == 0
    assert states.get("sent", 0) == 0
    assert authenticator.seen == [], "no credentials on a connection that stayed in clear"
    assert len(sink.log) == 0


def test_credentials_in_clear_are_refused_unless_allowed(
    tmp_path: Path, authenticator: Authenticator
) -> None:
    with pytest.raises(ConfigError, match="in clear"):
        SmtpConfig("127.0.0.1", 25, tls="none", username=USER, password=PASSWORD)
    with SmtpSink(authenticator=authenticator, auth_required=True, auth_require_tls=False) as sink:
        config = SmtpConfig(
            "127.0.0.1",
            sink.port,
            tls="none",
            username=USER,
            password=PASSWORD,
            allow_plain_auth=True,
        )
        sent, _ = _deliver(tmp_path / "ws", config, count=2)
    assert sent == 2
    assert {(u, tls) for _, u, _, tls in authenticator.seen} == {(USER, False)}


def test_cli_refuses_a_user_without_tls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, incident = populated(tmp_path / "ws", 2)
    campaign = plan_campaign(ws, incident).campaign
    ws.close()
    monkeypatch.setenv("BREACHDESK_SMTP_PASSWORD", PASSWORD)
    with SmtpSink() as sink:
        code = main(
            [
                "-w",
                str(tmp_path / "ws"),
                "notify",
                "send",
                campaign,
                "--smtp",
                sink.target,
                "--tls",
                "none",
                "--smtp-user",
                USER,
            ]
        )
        assert len(sink.log) == 0
    err = capsys.readouterr().err
    assert code == 2
    assert "in clear" in err
    assert len(err.strip().splitlines()) == 1
    assert PASSWORD not in err


def test_cli_stops_in_one_line_when_the_login_is_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    certificate: Certificate,
    authenticator: Authenticator,
) -> None:
    ws, incident = populated(tmp_path / "ws", 3)
    campaign = plan_campaign(ws, incident).campaign
    ws.close()
    (tmp_path / "ca.pem").write_bytes(certificate.cert.read_bytes())
    monkeypatch.setenv("BREACHDESK_SMTP_PASSWORD", "wrong")
    with SmtpSink(
        ssl_context=certificate.server_context(),
        auth_required=True,
        auth_require_tls=False,
        authenticator=authenticator,
    ) as sink:
        settings = tmp_path / "ws" / "breachdesk.toml"
        text = settings.read_text(encoding="utf-8")
        ca = f'[notify]\nsmtp_ca_file = "{tmp_path / "ca.pem"}"\n'
        settings.write_text(text.replace("[notify]\n", ca, 1), encoding="utf-8")
        smtp = ["--smtp", sink.target, "--tls", "tls", "--smtp-user", USER]
        code = main(["-w", str(tmp_path / "ws"), "notify", "send", campaign, "--json", *smtp])
        assert len(sink.log) == 0
    captured = capsys.readouterr()
    assert code == 2
    assert len(captured.err.strip().splitlines()) == 1
    assert "refused the login" in captured.err
    assert "3 messages went back to pending" in captured.err
    assert "wrong" not in captured.err
    ws = open_workspace(tmp_path / "ws")
    assert campaign_status(ws, campaign).by_state["pending"] == 3
    ws.close()
