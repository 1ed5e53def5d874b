"""Hardened parsing: caps on size, parts, depth and time; tricks reported; never a crash.

The fuzz properties here and in test_fuzz.py run 10,000 generated hostile messages.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from breachdesk.phishing import Limits, PhishingScorer, parse_message
from breachdesk.phishing import parse as parse_module

LIMITS = Limits()


def _within_caps(parsed: parse_module.ParsedEmail, limits: Limits = LIMITS) -> None:
    assert parsed.parts <= limits.max_parts
    assert parsed.depth <= limits.max_depth
    assert len(parsed.text) <= limits.max_text_chars
    assert sum(len(h) for h in parsed.html) <= limits.max_text_chars
    assert len(parsed.attachments) <= limits.max_attachments
    assert not parsed.timed_out


def test_parse_caps_fifty_thousand_parts(hostile: ModuleType) -> None:
    parsed = parse_message(hostile.many_parts(50_000))
    _within_caps(parsed)
    assert "parts-capped" in parsed.anomalies
    assert parsed.parts == LIMITS.max_parts


@pytest.mark.parametrize("rfc822", [False, True])
def test_parse_caps_deep_nesting(hostile: ModuleType, rfc822: bool) -> None:
    parsed = parse_message(hostile.nested(5_000, message_rfc822=rfc822))
    _within_caps(parsed)
    assert parsed.anomalies & {"depth-capped", "multiparts-capped"}


def test_parse_caps_megabyte_headers(hostile: ModuleType) -> None:
    parsed = parse_message(hostile.big_header(3 * 1024 * 1024))
    _within_caps(parsed)
    assert "header-capped" in parsed.anomalies
    assert parsed.envelopes[0].from_[0].domain == "maison-aurelle.com"


def test_parse_cuts_quadratic_content_type_parameters(hostile: ModuleType) -> None:
    parsed = parse_message(hostile.quadratic_params(200_000))
    _within_caps(parsed)
    assert "header-capped" in parsed.anomalies


def test_parse_caps_size() -> None:
    limits = Limits(max_bytes=10_000)
    data = b"From: a@example.org\r\n\r\n" + b"x" * 50_000
    parsed = parse_message(data, limits)
    assert "size-capped" in parsed.anomalies
    assert len(parsed.text) <= 10_000


def test_parse_stops_at_the_deadline(hostile: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    # A clock that jumps a second at every look: the first chunk already overruns the cap.
    ticks = iter(range(0, 10**6))
    monkeypatch.setattr(parse_module.time, "monotonic", lambda: float(next(ticks)))
    parsed = parse_message(hostile.many_parts(20_000), Limits(seconds=0.5))
    assert parsed.timed_out
    assert "parse-timeout" in parsed.anomalies


def test_parse_reports_duplicate_from_and_keeps_both(scorer: PhishingScorer) -> None:
    data = (
        b"From: Maison Aurelle <service@maison-aurelle.com>\r\n"
        b"From: Maison Aurelle <service@rnaison-aurelle.com>\r\nTo: a@example.org\r\n\r\nhi\r\n"
    )
    parsed = parse_message(data)
    assert "duplicate-from" in parsed.anomalies
    assert [b.domain for b in parsed.envelopes[0].from_] == [
        "maison-aurelle.com",
        "rnaison-aurelle.com",
    ]
    assert {"parser-tricks", "lookalike-sender"} <= scorer.score_bytes(data).signals


def test_parse_encoded_word_newline_is_flattened_and_reported() -> None:
    data = b"From: a@example.org\r\nSubject: =?utf-8?q?Hi=0D=0ABcc:_victim@example.org?=\r\n\r\nx"
    parsed = parse_message(data)
    assert "encoded-newline" in parsed.anomalies
    assert parsed.envelopes[0].subject == "Hi Bcc: victim@example.org"


def test_parse_finds_the_part_hidden_after_the_closing_boundary(
    hostile: ModuleType, scorer: PhishingScorer
) -> None:
    html = b'<a href="https://maison-aurelle-account.com/login">Log in</a>'
    data = hostile.after_boundary(html)
    parsed = parse_message(data)
    assert "parts-after-boundary" in parsed.anomalies
    assert any("maison-aurelle-account.com" in h for h in parsed.html)
    assert "lookalike-link" in scorer.score_bytes(data).signals


@pytest.mark.parametrize("charset", [b"x-no-such-charset", b"rot13", b"punycode", b"zlib"])
def test_parse_invalid_charsets_are_read_as_utf8(charset: bytes) -> None:
    data = (
        b"From: a@example.org\r\nContent-Type: text/plain; charset=" + charset + b"\r\n\r\n"
        b"caf\xc3\xa9 verify your account\r\n"
    )
    parsed = parse_message(data)
    assert "invalid-charset" in parsed.anomalies
    assert "café" in parsed.text


def test_parse_removes_nul_bytes() -> None:
    parsed = parse_message(b"Fr\x00om: a@exa\x00mple.org\r\n\r\nbo\x00dy")
    assert "nul-bytes" in parsed.anomalies
    assert parsed.envelopes[0].from_[0].domain == "example.org"
    assert parsed.text == "body"


def test_parse_malformed_address_cve_2023_27043(scorer: PhishingScorer) -> None:
    # getaddresses() of older Pythons returned the first address; the mail goes to the second.
    data = b"From: service@maison-aurelle.com)<service@secure-mail.top>\r\nTo: a@b.org\r\n\r\nx"
    parsed = parse_message(data)
    sender = parsed.envelopes[0].from_[0]
    assert sender.domain == "secure-mail.top"
    assert sender.display_address == "service@maison-aurelle.com"
    verdict = scorer.score_bytes(data)
    assert "display-name-address" in verdict.signals
    assert "brand-authenticated" not in verdict.signals


def test_parse_base64_html_attachment_is_scanned(scorer: PhishingScorer) -> None:
    import base64

    page = b"<form action='https://x.top/p'><input type='password' name='p'></form>"
    data = (
        b"From: Service <s@example.org>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="m"\r\n\r\n'
        b"--m\r\nContent-Type: text/plain\r\n\r\n"
        b"See attached.\r\n--m\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="=?utf-8?q?Facture=2Ehtml?="\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(page) + b"--m--\r\n"
    )
    parsed = parse_message(data)
    assert parsed.attachments[0].filename == "Facture.html"
    assert {"attachment-html", "credential-form"} <= scorer.score_bytes(data).signals


def test_parse_garbage_is_not_an_error() -> None:
    for data in (b"", b"\r\n\r\n", b"\xff\xfe\x00garbage", b"--\r\n--\r\n", b":\r\n:"):
        parsed = parse_message(data)
        assert parsed.envelopes
