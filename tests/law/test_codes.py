"""Jurisdiction codes: any text either resolves to a known code or is a clear user error."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from breachdesk.errors import UserInputError
from breachdesk.law.codes import countries, normalise_code, subdivisions


def test_codes_lists_are_complete() -> None:
    assert len(countries()) == 249
    assert {f"US-{s}" for s in ("CA", "NY", "DC", "PR")} <= subdivisions()


@given(st.text(max_size=12))
def test_codes_any_text_resolves_or_is_a_user_error(raw: str) -> None:
    message = ""
    code = ""
    try:
        code = normalise_code(raw)
    except UserInputError as exc:
        message = exc.message
    if message:
        assert message.startswith("residents: ")
    else:
        assert code in countries() or code in subdivisions()


@given(st.sampled_from(sorted(countries())))
def test_codes_every_country_round_trips(code: str) -> None:
    assert normalise_code(code.lower()) in (code, f"US-{code}")
