"""Domain names: IDNA form, organisational domain (offline suffix list), skeletons, brand."""

from __future__ import annotations

import pytest

from breachdesk.phishing import Brand, organisational_domain, to_idna, to_unicode
from breachdesk.phishing.domains import is_ip_host, skeleton, url_host


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("Maison-Aurelle.COM.", "maison-aurelle.com"),
        ("maison-aurеlle.com", "xn--maison-aurlle-53k.com"),
        ("ｍａｉｓｏｎ。com", "maison.com"),
        ("bad domain.com", None),
        ("", None),
        ("a" * 64 + ".com", None),
    ],
)
def test_to_idna(host: str, expected: str | None) -> None:
    assert to_idna(host) == expected


def test_to_unicode_shows_punycode() -> None:
    assert to_unicode("xn--maison-aurlle-53k.com") == "maison-aurеlle.com"
    assert to_unicode("xn--zz.com") == "xn--zz.com"  # undecodable: unchanged


@pytest.mark.parametrize(
    ("host", "org"),
    [
        ("shop.maison-aurelle.co.uk", "maison-aurelle.co.uk"),
        ("a.b.maison-aurelle.com", "maison-aurelle.com"),
        ("localhost", "localhost"),
    ],
)
def test_organisational_domain_uses_the_bundled_suffix_list(host: str, org: str) -> None:
    assert organisational_domain(host) == org


def test_skeleton_folds_homoglyphs() -> None:
    assert skeleton("rnaison-aurеlle") == skeleton("maison-aurelle") == "maisonaurelle"
    assert skeleton("MAIS0N-AURE1LE") == "maisonaurelle"


def test_ip_hosts_and_url_hosts() -> None:
    assert is_ip_host("192.0.2.1")
    assert is_ip_host("[2001:db8::1]")
    assert is_ip_host("3232235777")
    assert not is_ip_host("example.com")
    assert url_host("https://maison-aurelle.com@evil.top/x") == "evil.top"
    assert url_host("http://[::1") is None


def test_brand_terms_owns_and_mentions() -> None:
    brand = Brand.of("Maison Aurelle", ["maison-aurelle.com", "maison-aurelle.fr"])
    assert brand.owns("www.maison-aurelle.fr")
    assert not brand.owns("maison-aurelle.shop")
    assert brand.named_in("MAISON AURELLE Service") == "maisonaurelle"
    assert brand.named_in("Maisοn Aurelle") == "maisonaurelle"  # Greek omicron
    assert brand.named_in("Service client") is None
    assert brand.mentioned_in("Votre commande chez Maison Aurélle") == "maisonaurelle"
