from __future__ import annotations

import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from breachdesk.errors import ConfigError, KeyMismatch
from breachdesk.store.crypto import FieldCipher, load_key, new_key, parse_key, write_key_file


def _cipher() -> FieldCipher:
    return FieldCipher.from_master(parse_key(new_key(), origin="test"), "test")


@given(st.text(max_size=500))
def test_cipher_round_trips_any_text(value: str) -> None:
    cipher = _cipher()
    assert cipher.decrypt(cipher.encrypt(value, "t.c"), "t.c") == value


def test_cipher_ciphertext_hides_value_and_differs_each_time() -> None:
    cipher = _cipher()
    first = cipher.encrypt("alice@example.com", "t.email")
    second = cipher.encrypt("alice@example.com", "t.email")
    assert first != second
    assert b"alice" not in first


def test_cipher_rejects_value_moved_to_another_column() -> None:
    cipher = _cipher()
    sealed = cipher.encrypt("alice@example.com", "persons.email")
    with pytest.raises(KeyMismatch):
        cipher.decrypt(sealed, "persons.name")


def test_cipher_wrong_key_is_an_error_not_garbage() -> None:
    sealed = _cipher().encrypt("alice", "t.c")
    with pytest.raises(KeyMismatch, match="does not decrypt"):
        _cipher().decrypt(sealed, "t.c")


def test_cipher_tampered_value_is_an_error() -> None:
    cipher = _cipher()
    sealed = bytearray(cipher.encrypt("alice", "t.c"))
    sealed[-1] ^= 1
    with pytest.raises(KeyMismatch):
        cipher.decrypt(bytes(sealed), "t.c")


def test_blind_index_is_normalised_and_keyed() -> None:
    cipher = _cipher()
    assert cipher.blind_index("Alice@Example.com ", "e") == cipher.blind_index(
        "alice@example.com", "e"
    )
    assert cipher.blind_index("alice@example.com", "e") != _cipher().blind_index(
        "alice@example.com", "e"
    )


def test_write_key_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "key"
    write_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_text()
    with pytest.raises(FileExistsError):
        write_key_file(path)
    assert path.read_text() == before


def test_load_key_prefers_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_key_file(tmp_path / "key")
    env_key = new_key()
    monkeypatch.setenv("BREACHDESK_KEY", env_key)
    key, origin = load_key(tmp_path / "key")
    assert origin == "BREACHDESK_KEY"
    assert key == parse_key(env_key, origin="x")


@pytest.mark.parametrize("text", ["not base64 !!", "c2hvcnQ=", ""])
def test_parse_key_rejects_non_keys(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_key(text, origin="BREACHDESK_KEY")


def test_load_key_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no encryption key"):
        load_key(tmp_path / "absent")
