"""Lookalike domains: dnstwist's fuzzers offline, in IDNA form, stored as the watch list."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import inspect

from breachdesk.errors import InputFileError, UserInputError
from breachdesk.phishing import (
    Brand,
    generate_lookalikes,
    read_watchlist,
    read_word_file,
    store_watchlist,
    to_idna,
)
from breachdesk.phishing.watchlist import watchlist_for
from breachdesk.store import open_store


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lookalikes never resolve anything: any DNS or socket use fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("phishing defence must not use the network")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_lookalikes_include_homoglyphs_and_punycode() -> None:
    result = generate_lookalikes("maison-aurelle.com")
    domains = {p.domain: p.fuzzer for p in result.permutations}
    assert len(domains) > 10_000
    assert domains["rnaison-aurelle.com"] == "homoglyph"
    assert domains["maison-aurelle-support.com"] == "dictionary"
    assert domains["maison-aurelle.fr"] == "tld-swap"
    punycode = [d for d, f in domains.items() if d.startswith("xn--") and f == "homoglyph"]
    assert len(punycode) > 1_000
    assert to_idna("maison-aurélle.com") in domains
    assert "maison-aurelle.com" not in domains
    assert all(d.isascii() and d == d.lower() for d in domains)


def test_lookalikes_accept_a_unicode_domain_and_answer_in_idna() -> None:
    result = generate_lookalikes("café-aurelle.fr", dictionary=[], tlds=[])
    assert result.domain == "xn--caf-aurelle-dbb.fr"
    assert all(p.domain.isascii() for p in result.permutations)


def test_lookalikes_with_own_dictionary_and_tlds(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("# combos\nconciergerie\nvip\n")
    tlds = tmp_path / "tlds.txt"
    tlds.write_text("boutique\n.paris\n")
    result = generate_lookalikes(
        "maison-aurelle.com",
        dictionary=read_word_file(words),
        tlds=read_word_file(tlds, kind="tlds"),
    )
    domains = {p.domain: p.fuzzer for p in result.permutations}
    assert domains["maison-aurelle-conciergerie.com"] == "dictionary"
    assert domains["maison-aurelle.paris"] == "tld-swap"
    assert "maison-aurelle-support.com" not in domains


def test_word_file_errors_name_the_line(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("support\nnot a word\n")
    with pytest.raises(InputFileError) as caught:
        read_word_file(words)
    assert caught.value.line == 2
    with pytest.raises(InputFileError, match="no such dictionary file"):
        read_word_file(tmp_path / "missing.txt")


@pytest.mark.parametrize("bad", ["", "not a domain", "localhost", "a" * 300 + ".com"])
def test_lookalikes_refuse_what_is_not_a_domain(bad: str) -> None:
    with pytest.raises(UserInputError, match="not a domain name"):
        generate_lookalikes(bad)


def test_watchlist_is_stored_replaced_and_read(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url, tmp_path / "key", create_key=True)
    try:
        assert "phishing_watchlist" in inspect(store.engine).get_table_names()
        small = generate_lookalikes("maison-aurelle.com", dictionary=["vip"], tlds=["fr"])
        count = store_watchlist(store, small)
        assert count == len(small.permutations)
        watchlist = read_watchlist(store)
        assert len(watchlist) == count
        assert watchlist.find("shop.rnaison-aurelle.com") is not None
        # Replacing keeps one list per brand domain, not two.
        store_watchlist(store, small)
        assert len(read_watchlist(store)) == count
    finally:
        store.close()


def test_watchlist_never_matches_the_brand_itself() -> None:
    brand = Brand.of("Maison Aurelle", ["maison-aurelle.com", "maison-aurelle.fr"])
    watchlist = watchlist_for(None, brand)
    assert watchlist.find("maison-aurelle.fr", brand) is None
    assert watchlist.find("www.maison-aurelle.com", brand) is None
    found = watchlist.find("maison-aurelle.de", brand)
    assert found is not None
    assert found[1].fuzzer == "tld-swap"
