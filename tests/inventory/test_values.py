from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from breachdesk.inventory.values import _digit_matrix, _luhn, analyse, cells_of

BCRYPT_SALT = "a" * 53


def shares(*columns: list[str | None]) -> dict[str, list[float]]:
    ev = analyse(cells_of([pa.array(c, pa.string()) for c in columns]))
    return {k: [round(float(x), 3) for x in v] for k, v in ev.shares.items()}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=12, max_size=19), min_size=1, max_size=30))
def test_luhn_vectorised_agrees_with_stdnum(numbers: list[str]) -> None:
    padded = pa.array([n.rjust(19, "0") for n in numbers])
    assert list(_luhn(_digit_matrix(padded))) == [luhn.is_valid(n) for n in numbers]


def test_analyse_measures_each_column_separately() -> None:
    result = shares(
        ["a@example.com", "b@example.org", "", None],
        ["4111111111111111", "5500 0000 0000 0004", "4111111111111112", "x"],
    )
    assert result["email"] == [1.0, 0.0]
    assert result["card"] == [0.0, 0.5]


def test_analyse_validates_phones_with_the_row_country() -> None:
    values = pa.array(["06 12 34 56 78", "030 901820", "+44 20 7946 0958"])
    ev = analyse(cells_of([values]), row_regions=["FR", "DE", None])
    assert ev.shares["phone_valid"][0] == 1.0


def test_analyse_reads_hash_formats_and_work_factors() -> None:
    column = [
        f"$2b$08${BCRYPT_SALT}",
        f"$2b$12${BCRYPT_SALT}",
        "pbkdf2_sha256$260000$salt$hash=",
        "5f4dcc3b5aa765d61d8327deb882cf99",
    ]
    ev = analyse(cells_of([pa.array(column)]))
    seen = {h.format: h for h in ev.hashes[0]}
    assert seen["bcrypt"].count == 2
    assert seen["bcrypt"].min_param == 8
    assert seen["pbkdf2-sha256"].min_param == 260000
    assert seen["md5-hex"].count == 1
    assert ev.shares["plain"][0] == 0.0


def test_analyse_finds_ibans_ips_user_agents_and_national_ids() -> None:
    result = shares(
        ["FR1420041010050500013M02606", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432"],
        ["192.168.0.1", "2001:db8::1", "10.0.0.300"],
        ["Mozilla/5.0 (X11; Linux x86_64)", "curl/8.1.2", "hello"],
        ["RSSMRA85T10A562S", "BNCLRA80A41F205G", "VRDGPP13R10B293P"],
    )
    assert result["iban"][0] == 1.0
    assert abs(result["ip"][1] - 2 / 3) < 0.01
    assert abs(result["user_agent"][2] - 2 / 3) < 0.01
    assert result["national_id_strong"][3] == 1.0


def test_analyse_handles_empty_and_null_columns() -> None:
    ev = analyse(cells_of([pa.array([None, None], pa.string()), pa.array([], pa.string())]))
    assert ev.shares == {}
    assert list(np.asarray(ev.counts)) == [0, 0]


@settings(deadline=None)  # the first example loads the name lists
@given(st.lists(st.one_of(st.none(), st.text(max_size=80)), max_size=40))
def test_analyse_never_crashes_on_random_text(values: list[str | None]) -> None:
    ev = analyse(cells_of([pa.array(values, pa.string())]))
    for share in ev.shares.values():
        assert 0.0 <= float(share[0]) <= 1.0 + 1e-9
