"""Optional DKIM signing in the application (dkimpy): RSA-SHA256 or Ed25519-SHA256 (RFC 8463).

Off by default: most organisations sign at their mail server or sending provider, where
signing is fast. dkimpy's RSA is pure Python and costs milliseconds per message (see
docs/notify.md for the figures measured by ``benchmarks/notify.py --dkim``); Ed25519 through
PyNaCl is far cheaper but not yet verified by every receiver, so RFC 8463 advises signing
with both where Ed25519 is used.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import dkim as dkimpy
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from breachdesk.config import NotifySettings
from breachdesk.errors import ConfigError

SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"reply-to",
    b"mime-version",
    b"content-type",
    b"content-language",
)


@dataclass(frozen=True)
class DkimSigner:
    """Signs whole messages; ``key`` is in the form dkimpy expects for ``algorithm``."""

    selector: str
    domain: str
    algorithm: str
    key: bytes

    def sign(self, message: bytes) -> bytes:
        """``message`` with a ``DKIM-Signature`` header in front."""
        header = dkimpy.sign(
            message,
            self.selector.encode("ascii"),
            self.domain.encode("ascii"),
            self.key,
            include_headers=list(SIGNED_HEADERS),
            signature_algorithm=self.algorithm.encode("ascii"),
            linesep=b"\r\n",
        )
        return bytes(header) + message


def load_signer(settings: NotifySettings, base: Path, sender_domain: str) -> DkimSigner | None:
    """The signer the settings ask for, or None when ``dkim_selector`` is not set."""
    if not settings.dkim_selector:
        return None
    if not settings.dkim_key_path:
        raise ConfigError("notify.dkim_selector is set but notify.dkim_key_path is not")
    path = Path(settings.dkim_key_path).expanduser()
    if not path.is_absolute():
        path = base / path
    return signer_from_pem(
        path,
        selector=settings.dkim_selector,
        domain=settings.dkim_domain or sender_domain,
        algorithm=settings.dkim_algorithm,
    )


def signer_from_pem(path: Path, *, selector: str, domain: str, algorithm: str) -> DkimSigner:
    """A signer from a PEM private key file (RSA for rsa-sha256, Ed25519 for ed25519-sha256)."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise ConfigError(f"cannot read the DKIM key: {exc.strerror}", path=path) from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"not a PEM private key without passphrase: {exc}", path=path) from None
    if algorithm == "ed25519-sha256":
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise ConfigError("notify.dkim_algorithm is ed25519-sha256 but the key is not Ed25519")
        seed = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        material = base64.b64encode(seed)
    else:
        if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 1024:
            raise ConfigError("notify.dkim_algorithm is rsa-sha256 but the key is not RSA ≥ 1024")
        material = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    return DkimSigner(selector=selector, domain=domain, algorithm=algorithm, key=material)


def dns_record(path: Path) -> str:
    """The TXT record to publish at ``selector._domainkey.domain`` for the key in ``path``."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return f"v=DKIM1; k=ed25519; p={base64.b64encode(raw).decode('ascii')}"
    if isinstance(key, rsa.RSAPrivateKey):
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode('ascii')}"
    raise ConfigError("DKIM keys are RSA or Ed25519", path=path)
