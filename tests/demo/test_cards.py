from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from breachdesk.demo.cards import luhn_check_digit, luhn_valid, make_card


def test_luhn_valid_knows_test_numbers() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("378282246310005")
    assert luhn_valid("5555555555554444")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("4111 1111 1111 1111")
    assert luhn_check_digit("7992739871") == "3"


@given(st.integers(0, 2**32))
def test_make_card_gives_luhn_valid_numbers_with_issuer_prefixes(seed: int) -> None:
    brand, pan, cvv = make_card(random.Random(seed))
    assert luhn_valid(pan)
    if brand == "visa":
        assert pan[0] == "4"
        assert len(pan) == 16
        assert len(cvv) == 3
    elif brand == "mastercard":
        assert 51 <= int(pan[:2]) <= 55 or 2221 <= int(pan[:4]) <= 2720
        assert len(pan) == 16
        assert len(cvv) == 3
    else:
        assert brand == "amex"
        assert pan[:2] in ("34", "37")
        assert len(pan) == 15
        assert len(cvv) == 4
    assert cvv.isdigit()


@given(st.text("0123456789", min_size=1, max_size=30))
def test_luhn_check_digit_makes_any_body_valid(body: str) -> None:
    assert luhn_valid(body + luhn_check_digit(body))
