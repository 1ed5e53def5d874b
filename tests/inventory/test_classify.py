from __future__ import annotations

import random

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from breachdesk.inventory.classify import classify_table
from breachdesk.inventory.sample import ColumnSample, TableSample, text_column
from breachdesk.model.categories import Category as C


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def table(name: str, columns: dict[str, list[str | None]], pk: str | None = None) -> TableSample:
    return TableSample(
        source="test",
        table=name,
        kind="test",
        row_count=None,
        row_count_exact=False,
        columns=tuple(
            ColumnSample(n, "text", text_column(pa.array(v, pa.string())), primary_key=n == pk)
            for n, v in columns.items()
        ),
    )


def found(report_table: TableSample) -> dict[str, set[C]]:
    report = classify_table(report_table)
    return {c.name: {m.category for m in c.categories} for c in report.columns}


FIRST = ["Marie", "Jean", "Lucía", "Hans", "Giulia", "Yuki", "Peter", "Ana", "Luca", "Emma"]
LAST = [
    "Dupont",
    "Müller",
    "García",
    "Rossi",
    "Tanaka",
    "Smith",
    "Silva",
    "Martin",
    "Weber",
    "Bianchi",
]


def names(n: int) -> list[str | None]:
    return [f"{FIRST[i % 10]} {LAST[(i * 3) % 10]}" for i in range(n)]


def test_classify_reads_french_german_spanish_japanese_headers() -> None:
    result = found(
        table(
            "clients",
            {
                "nom_complet": names(20),
                "courriel": [f"user{i}@exemple.fr" for i in range(20)],
                "telefono": [f"+34 91 123 45 {i:02d}" for i in range(20)],
                "geburtsdatum": [f"19{60 + i}-0{1 + i % 9}-1{i % 9}" for i in range(20)],
                "jusho": [f"{i} rue de la Paix" for i in range(20)],
            },
        )
    )
    assert result["nom_complet"] == {C.CONTACT_NAME}
    assert result["courriel"] == {C.CONTACT_EMAIL}
    assert result["telefono"] == {C.CONTACT_PHONE}
    assert result["geburtsdatum"] == {C.IDENTITY_BIRTH_DATE}
    assert result["jusho"] == {C.CONTACT_ADDRESS}


def test_classify_uses_values_when_names_say_nothing() -> None:
    rng = random.Random(1)
    result = found(
        table(
            "dump",
            {
                "c1": [f"p{i}@mail.example.com" for i in range(30)],
                "c2": [luhn_complete("5", 16, rng).replace("5", "5", 1) for _ in range(30)],
                "c3": ["$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"] * 30,
                "c4": names(30),
                "c5": [f"10.0.{i}.{i}" for i in range(30)],
            },
        )
    )
    assert result["c1"] == {C.CONTACT_EMAIL}
    assert result["c3"] == {C.CREDENTIAL_PASSWORD_HASH}
    assert result["c4"] == {C.CONTACT_NAME}
    assert result["c5"] == {C.NETWORK_IP}


def test_classify_lets_values_overrule_a_misleading_name() -> None:
    result = found(table("t", {"email": ["yes", "no"] * 10, "phone_number": ["abc", "def"] * 10}))
    assert result == {"email": set(), "phone_number": set()}


def test_classify_keeps_generic_names_out_of_non_person_tables() -> None:
    products = found(
        table(
            "products",
            {"id": [str(i) for i in range(10)], "name": [f"Sac Lune {i}" for i in range(10)]},
            pk="id",
        )
    )
    assert products == {"id": set(), "name": set()}
    people = found(
        table(
            "customers",
            {
                "id": [str(i) for i in range(10)],
                "name": names(10),
                "email": [f"a{i}@b.example" for i in range(10)],
            },
            pk="id",
        )
    )
    assert people["name"] == {C.CONTACT_NAME}
    assert people["id"] == {C.ACCOUNT_ID}


def test_classify_needs_a_cvv_name_and_prefers_a_card_beside_it() -> None:
    rng = random.Random(2)
    codes = [f"{rng.randrange(1000):03d}" for _ in range(20)]
    alone = classify_table(table("t", {"cvv": codes, "size": codes}))
    cvv = alone.columns[0].match(C.FINANCIAL_CARD_SECURITY_CODE)
    assert cvv is not None
    assert cvv.confidence <= 0.6
    assert alone.columns[1].categories == ()
    paired = classify_table(
        table("t", {"card": [luhn_complete("4", 16, rng) for _ in range(20)], "cvv": codes})
    )
    match = paired.columns[1].match(C.FINANCIAL_CARD_SECURITY_CODE)
    assert match is not None
    assert match.confidence > 0.9


def test_classify_splits_plain_and_hashed_passwords() -> None:
    values: list[str | None] = ["hunter2", "5f4dcc3b5aa765d61d8327deb882cf99"] * 10
    report = classify_table(table("legacy", {"password": values}))
    column = report.columns[0]
    assert {m.category for m in column.categories} == {
        C.CREDENTIAL_PASSWORD_PLAIN,
        C.CREDENTIAL_PASSWORD_HASH,
    }
    assert column.hashes[0].format == "md5-hex"


def test_classify_marks_purchase_history_in_order_tables() -> None:
    result = found(
        table(
            "orders",
            {
                "id": ["1", "2", "3"],
                "customer_id": ["4", "5", "6"],
                "total_cents": ["100", "200", "300"],
                "sku": ["a", "b", "c"],
            },
            pk="id",
        )
    )
    assert result["customer_id"] == {C.ACCOUNT_ID}
    assert result["total_cents"] == {C.COMMERCE_PURCHASE_HISTORY}
    assert result["id"] == set()


def test_classify_pairs_latitude_and_longitude() -> None:
    lat = [f"{40 + i / 7:.6f}" for i in range(10)]
    lon = [f"{-3 - i / 9:.6f}" for i in range(10)]
    pair = classify_table(table("t", {"latitude": lat, "longitude": lon}))
    assert all(c.has(C.LOCATION_GEO, minimum=0.9) for c in pair.columns)


def test_classify_examples_are_masked_and_only_on_request() -> None:
    emails: list[str | None] = [f"someone{i}@example.com" for i in range(10)]
    assert classify_table(table("t", {"email": emails})).columns[0].examples == ()
    shown = classify_table(table("t", {"email": emails}), examples=True).columns[0].examples
    assert shown
    assert not set(shown) & set(emails)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [("4", 16), ("4", 19), ("51", 16), ("2221", 16), ("37", 15), ("6011", 16), ("3530", 16)]
        ),
        min_size=5,
        max_size=40,
    ),
    st.randoms(use_true_random=False),
)
def test_classify_finds_generated_luhn_valid_pans(
    prefixes: list[tuple[str, int]], rng: random.Random
) -> None:
    pans: list[str | None] = [luhn_complete(p, n, rng) for p, n in prefixes]
    report = classify_table(table("anything", {"col_17": pans}))
    assert report.columns[0].has(C.FINANCIAL_CARD_NUMBER)


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=30),
        st.lists(
            st.one_of(st.none(), st.text(max_size=60), st.binary(max_size=20).map(repr)),
            min_size=3,
            max_size=3,
        ),
        max_size=6,
    )
)
def test_classify_never_crashes_on_random_tables(columns: dict[str, list[str | None]]) -> None:
    report = classify_table(table("random", columns))
    for column in report.columns:
        for match in column.categories:
            assert 0.5 <= match.confidence <= 1.0


def test_classify_value_only_card_context_birth_dates_and_coordinates() -> None:
    rng = random.Random(5)
    n = 30
    result = found(
        table(
            "people",
            {
                "f1": [luhn_complete("4", 16, rng) for _ in range(n)],
                "f2": [f"{rng.randrange(1000):03d}" for _ in range(n)],
                "f3": [f"{rng.randint(1, 12)}/{rng.randint(2026, 2030)}" for _ in range(n)],
                "f4": [f"{rng.randint(150, 199)}" for _ in range(n)],
                "f5": [
                    f"19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                    for _ in range(n)
                ],
                "f6": [f"{rng.uniform(-60, 70):.6f}" for _ in range(n)],
                "f7": [f"{rng.uniform(-170, 170):.6f}" for _ in range(n)],
            },
        )
    )
    assert result["f1"] == {C.FINANCIAL_CARD_NUMBER}
    assert result["f2"] == {C.FINANCIAL_CARD_SECURITY_CODE}
    assert result["f3"] == {C.FINANCIAL_CARD_EXPIRY}
    assert result["f4"] == set()
    assert result["f5"] == {C.IDENTITY_BIRTH_DATE}
    assert result["f6"] == result["f7"] == {C.LOCATION_GEO}


def test_classify_clear_phrase_beats_an_ambiguous_word() -> None:
    result = found(
        table(
            "clients",
            {
                "courriel": [f"a{i}@b.example" for i in range(10)],
                "nom_pays": ["France", "Italie", "Espagne", "Allemagne", "Japon"] * 2,
            },
        )
    )
    assert result["nom_pays"] == {C.LOCATION_COUNTRY}
