"""Header values: our own encoded-word decoder and address validation on hostile input."""

from __future__ import annotations

import pytest

from breachdesk.phishing.headers import decode_header_value, find_addresses, parse_mailboxes


def _decode(raw: str) -> tuple[str, set[str]]:
    anomalies: set[str] = set()
    return decode_header_value(raw, anomalies), anomalies


def test_decode_encoded_words_and_drop_the_gap_between_them() -> None:
    text, anomalies = _decode("=?utf-8?b?TWFpc29u?= =?utf-8?q?_Aur=C3=A9lle?= <a@b.fr>")
    assert text == "Maison Aurélle <a@b.fr>"
    assert not anomalies


def test_decode_reports_newlines_hidden_in_encoded_words() -> None:
    text, anomalies = _decode("=?utf-8?q?x=0ABcc:_y@z.com?=")
    assert "encoded-newline" in anomalies
    assert "\n" not in text


def test_decode_unknown_charset_and_broken_base64() -> None:
    text, anomalies = _decode("=?no-such?q?caf=C3=A9?= =?utf-8?b?###?=")
    assert "invalid-charset" in anomalies
    assert text.startswith("café")


def test_decode_8bit_header_bytes_as_utf8() -> None:
    raw = "Aur\udcc3\udca9lie <a@b.fr>"  # what the parser keeps for raw UTF-8 bytes
    assert _decode(raw)[0] == "Aurélie <a@b.fr>"


@pytest.mark.parametrize(
    ("value", "address", "shown"),
    [
        ("Maison Aurelle <service@maison-aurelle.com>", "service@maison-aurelle.com", None),
        ('"Martin, Camille" <camille@example.fr>', "camille@example.fr", None),
        ("camille@example.fr (Camille Martin)", "camille@example.fr", None),
        ('"support@maison-aurelle.com" <x@evil.top>', "x@evil.top", "support@maison-aurelle.com"),
        ("support@maison-aurelle.com)<x@evil.top>", "x@evil.top", "support@maison-aurelle.com"),
        ("Foo <foo@MAISON-AURЕLLE.com>", "foo@xn--maison-aurlle-53k.com", None),
        ('"a b"@example.org', '"a b"@example.org', None),
    ],
)
def test_parse_mailboxes_takes_the_delivered_address(
    value: str, address: str, shown: str | None
) -> None:
    anomalies: set[str] = set()
    boxes = parse_mailboxes(value, anomalies)
    assert boxes[-1].address == address
    assert boxes[-1].display_address == shown


@pytest.mark.parametrize(
    ("value", "anomaly"),
    [
        ("<a@b@c.com>", "ambiguous-address"),
        ("x <a@b.com> <c@d.com>", "ambiguous-address"),
        ('"unterminated <a@b.com>', "malformed-address"),
        ("no address here", "malformed-address"),
        ("a@-bad-.com", "malformed-address"),
    ],
)
def test_parse_mailboxes_reports_tricks(value: str, anomaly: str) -> None:
    anomalies: set[str] = set()
    parse_mailboxes(value, anomalies)
    assert anomaly in anomalies


def test_parse_mailboxes_group_syntax_and_lists() -> None:
    anomalies: set[str] = set()
    boxes = parse_mailboxes("friends: a@x.org, b@y.org;, c@z.org", anomalies)
    assert [b.address for b in boxes] == ["a@x.org", "b@y.org", "c@z.org"]
    assert parse_mailboxes("undisclosed-recipients:;", anomalies) == []


def test_find_addresses_is_lenient() -> None:
    assert find_addresses("mailing list Zz@Example.COM; other <b@c.de>") == [
        "zz@example.com",
        "b@c.de",
    ]
