"""Notice ids and verification codes: deterministic, typable, forgiving of typos."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from breachdesk.notify import code_index, normalise_code, notice_id, verification_code
from breachdesk.store import FieldCipher

CIPHER = FieldCipher.from_master(b"k" * 32)


def test_notice_id_is_deterministic_and_keyed() -> None:
    first = notice_id(CIPHER, "INC-1", "C1", "42")
    assert first == notice_id(CIPHER, "INC-1", "C1", "42")
    assert first != notice_id(CIPHER, "INC-1", "C2", "42")
    assert first != notice_id(FieldCipher.from_master(b"x" * 32), "INC-1", "C1", "42")
    assert len(first) == 32


def test_verification_code_shape_and_typos() -> None:
    code = verification_code(CIPHER, "secret", "n1")
    assert len(code) == 19
    assert code.count("-") == 3
    assert code != verification_code(CIPHER, "secret", "n2")
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert code_index(CIPHER, sloppy) == code_index(CIPHER, code)
    assert code_index(CIPHER, "not a code") is None


@given(st.text(max_size=80))
def test_normalise_code_never_fails(text: str) -> None:
    flat = normalise_code(text)
    assert flat is None or len(flat) == 16
