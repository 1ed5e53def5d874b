"""Feed matching: watch list, combosquats, IDN homoglyphs (IDNA form), brand subdomains."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.errors import InputFileError
from breachdesk.phishing import Brand, DomainMatcher, Watchlist, match_feed


@pytest.fixture(scope="module")
def matcher(brand: Brand, watchlist: Watchlist) -> DomainMatcher:
    return DomainMatcher(brand, watchlist)


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("rnaison-aurelle.com", "watchlist"),
        ("maison-aurelle-support.com", "watchlist"),
        ("login.maison-aurele.com", "watchlist"),
        ("xn--maison-aurlle-53k.com", "homoglyph"),  # Cyrillic е, not among dnstwist's
        ("maison-aurelle-boutique-officielle.com", "combosquat"),
        ("bestmaisonaurelle.store", "combosquat"),
        ("maison-aurelle.com.secure-login.top", "brand-subdomain"),
        ("rnaisonaurelle-outlet.xyz", "homoglyph"),
    ],
)
def test_classify_finds_lookalikes(matcher: DomainMatcher, host: str, kind: str) -> None:
    found = matcher.classify(host)
    assert found is not None, host
    assert found.kind == kind
    assert found.brand_domain == "maison-aurelle.com"


@pytest.mark.parametrize(
    "host", ["maison-aurelle.com", "www.maison-aurelle.com", "example.org", "maison.fr", "1.2.3.4"]
)
def test_classify_ignores_the_brand_and_others(matcher: DomainMatcher, host: str) -> None:
    assert matcher.classify(host) is None


def test_match_feed_plain_lines(matcher: DomainMatcher, tmp_path: Path) -> None:
    feed = tmp_path / "nrd.txt"
    feed.write_text(
        "# newly registered domains\nexample.org\n*.maison-aurelle-login.com\n"
        "maison-aurеlle.com\nhttps://rnaison-aurelle.com/path\n\nno dots here\n"
        "MAISON-AURELLE.SHOP.\n",
        encoding="utf-8",
    )
    report = match_feed(feed, matcher)
    assert [m.line for m in report.matches] == [3, 4, 5, 8]
    assert report.matches[1].match.domain == "xn--maison-aurlle-53k.com"
    assert report.rejected == [7]
    assert report.domains == 5
    document = report.to_dict()
    assert set(document["matches"][0]) == {
        "line",
        "observed",
        "domain",
        "kind",
        "brand_domain",
        "fuzzer",
    }


def test_match_feed_csv_with_a_domain_column(matcher: DomainMatcher, tmp_path: Path) -> None:
    feed = tmp_path / "ct.csv"
    feed.write_text(
        "seen_at,issuer,common_name\n"
        '2026-11-03T02:00:00Z,"R3, Let\'s Encrypt",maison-aurelle-refund.com\n'
        "2026-11-03T02:01:00Z,R3,example.net\n",
        encoding="utf-8",
    )
    report = match_feed(feed, matcher)
    assert [(m.line, m.match.domain) for m in report.matches] == [(2, "maison-aurelle-refund.com")]


def test_match_feed_csv_without_header(matcher: DomainMatcher, tmp_path: Path) -> None:
    feed = tmp_path / "dns.csv"
    feed.write_text("1730600000,10.0.0.5,maison-aurelle-vip.com,A\n", encoding="utf-8")
    assert len(match_feed(feed, matcher).matches) == 1


def test_match_feed_missing_file_is_a_user_error(matcher: DomainMatcher, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such feed file"):
        match_feed(tmp_path / "nope.txt", matcher)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_classify_never_fails_on_any_text(matcher: DomainMatcher, text: str) -> None:
    from breachdesk.phishing import to_idna

    host = to_idna(text)
    if host is not None:
        found = matcher.classify(host)
        assert found is None or found.domain.isascii()
