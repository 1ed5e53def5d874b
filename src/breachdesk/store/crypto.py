"""Field-level encryption of personal data at rest: AES-256-GCM with per-field context.

One master key per workspace (``.breachdesk/key``, mode 0600, or ``BREACHDESK_KEY``) derives
two keys with HKDF: one encrypts values, one computes blind indexes (keyed hashes) so a value
can be looked up without being decrypted. The column a value belongs to is bound into the
ciphertext as associated data, so a value copied into another column fails to decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from breachdesk.errors import ConfigError, KeyMismatch

KEY_ENV = "BREACHDESK_KEY"
_VERSION = b"\x01"
_NONCE_BYTES = 12


def new_key() -> str:
    """A fresh master key, as the text stored in the key file (URL-safe base64, 32 bytes)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def parse_key(text: str, *, origin: str) -> bytes:
    """The 32 key bytes in ``text``; ConfigError naming ``origin`` when it is not a key."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ConfigError(f"{origin} is not a base64 key") from None
    if len(raw) != 32:
        raise ConfigError(f"{origin} must hold 32 bytes of key, not {len(raw)}")
    return raw


def write_key_file(path: Path) -> None:
    """Create the key file with mode 0600; never overwrite an existing key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(new_key() + "\n")


def load_key(path: Path) -> tuple[bytes, str]:
    """The master key and where it came from: ``BREACHDESK_KEY`` first, then the key file."""
    env = os.environ.get(KEY_ENV)
    if env:
        return parse_key(env, origin=KEY_ENV), KEY_ENV
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise ConfigError(
            f"no encryption key: {path} is missing and {KEY_ENV} is not set"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the encryption key {path}: {exc}") from None
    return parse_key(text, origin=str(path)), str(path)


@dataclass(frozen=True)
class FieldCipher:
    """Encrypts and decrypts single field values; ``context`` names the column (``table.col``)."""

    _aead: AESGCM
    _index_key: bytes
    origin: str

    @classmethod
    def from_master(cls, master: bytes, origin: str = "key") -> FieldCipher:
        return cls(
            _aead=AESGCM(_derive(master, b"breachdesk field encryption v1")),
            _index_key=_derive(master, b"breachdesk blind index v1"),
            origin=origin,
        )

    def encrypt(self, value: str, context: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, value.encode("utf-8"), context.encode("utf-8"))
        return _VERSION + nonce + sealed

    def decrypt(self, token: bytes, context: str) -> str:
        if len(token) < 1 + _NONCE_BYTES + 16 or token[:1] != _VERSION:
            raise KeyMismatch(f"a stored value of {context} is not a Breachdesk ciphertext")
        nonce, sealed = token[1 : 1 + _NONCE_BYTES], token[1 + _NONCE_BYTES :]
        try:
            plain = self._aead.decrypt(nonce, sealed, context.encode("utf-8"))
        except InvalidTag:
            raise KeyMismatch(
                f"the encryption key from {self.origin} does not decrypt {context}; "
                "use the key this workspace was created with"
            ) from None
        return plain.decode("utf-8")

    def encrypt_optional(self, value: str | None, context: str) -> bytes | None:
        return None if value is None else self.encrypt(value, context)

    def decrypt_optional(self, token: bytes | None, context: str) -> str | None:
        return None if token is None else self.decrypt(token, context)

    def blind_index(self, value: str, context: str) -> str:
        """A keyed hash of a normalised value, for equality lookups without decrypting."""
        message = context.encode("utf-8") + b"\x00" + value.strip().casefold().encode("utf-8")
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)
