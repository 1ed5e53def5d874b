from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.inventory.names import PASSWORD, Lexicon, default_lexicon, words
from breachdesk.inventory.rulefiles import RuleFileError


def categories(name: str) -> set[str]:
    return {h.category for h in default_lexicon().match(name)}


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("email", "contact.email"),
        ("courriel", "contact.email"),
        ("Adresse_électronique", "contact.email"),
        ("correo_electronico", "contact.email"),
        ("e-mail", "contact.email"),
        ("meeru_adoresu", "contact.email"),
        ("telefono", "contact.phone"),
        ("numero_de_telephone", "contact.phone"),
        ("kundentelefonnummer", "contact.phone"),
        ("denwa_bangou", "contact.phone"),
        ("geburtsdatum", "identity.birth_date"),
        ("date_de_naissance", "identity.birth_date"),
        ("seinengappi", "identity.birth_date"),
        ("prénom", "contact.name"),
        ("Nachname", "contact.name"),
        ("namae", "contact.name"),
        ("jusho", "contact.address"),
        ("StreetAddress", "contact.address"),
        ("code_postal", "location.postal_code"),
        ("PLZ", "location.postal_code"),
        ("CCNumber", "financial.card_number"),
        ("CVV2", "financial.card_security_code"),
        ("codice_fiscale", "identity.national_id"),
        ("numero_securite_sociale", "identity.national_id"),
        ("mot_de_passe", PASSWORD),
        ("customer_id", "account.id"),
        ("BrowserUserAgent", "device.user_agent"),
        ("last_login_ip", "network.ip"),
        ("groupe_sanguin", "health.any"),
    ],
)
def test_match_finds_category_in_several_languages(name: str, category: str) -> None:
    assert category in categories(name)


@pytest.mark.parametrize(
    "name",
    [
        "email_verified",
        "password_changed_at",
        "NameSet",
        "TelephoneCountryCode",
        "created_at",
        "product_name",
        "email_hash",
        "CCType",
        "preferred_language",
    ],
)
def test_match_ignores_names_that_only_mention_a_category(name: str) -> None:
    assert categories(name) == set()


def test_match_prefers_the_longest_phrase() -> None:
    assert categories("username") == {"account.username"}
    assert categories("EmailAddress") == {"contact.email"}
    assert categories("ip_address") == {"network.ip"}


def test_match_marks_generic_names_ambiguous() -> None:
    (hit,) = default_lexicon().match("name")
    assert hit.ambiguous
    (clear,) = default_lexicon().match("full_name")
    assert not clear.ambiguous
    assert clear.strength > hit.strength


def test_words_split_camel_case_accents_and_digits() -> None:
    assert words("CCNumber") == ["cc", "number"]
    assert words("Straße_Nr2") == ["strasse", "nr", "2"]
    assert words("GivenName") == ["given", "name"]


def test_table_kinds_reads_table_names() -> None:
    lexicon = default_lexicon()
    assert "person" in lexicon.table_kinds("customers")
    assert "order" in lexicon.table_kinds("orders")
    assert lexicon.table_kinds("products") == frozenset()


def test_lexicon_rejects_unknown_category() -> None:
    with pytest.raises(RuleFileError, match="unknown category"):
        Lexicon({"categories": {"contact.fax": {"phrases": ["fax"]}}})


@settings(deadline=None)  # the first example loads the lexicon
@given(st.text(max_size=300))
def test_match_never_crashes_on_any_name(name: str) -> None:
    for hit in default_lexicon().match(name):
        assert 0 < hit.strength <= 1
