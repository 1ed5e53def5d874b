"""Hostile names and addresses cannot add headers, recipients or markup to a notice."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.model import Category
from breachdesk.notify import BadAddress, clean_address, clean_name
from breachdesk.notify.content import Letterhead, Recipient, notice_content
from breachdesk.notify.mime import HeaderInjection, address_header, header_text
from breachdesk.notify.render import Sender, build_message, render_html

LETTERHEAD = Letterhead(
    "Maison Aurelle SAS",
    "Maison Aurelle",
    "dpo@maison-aurelle.com",
    "maison-aurelle.com",
    aware_at=datetime(2026, 11, 3, tzinfo=UTC),
)
SENDER = Sender("notices@maison-aurelle.com", "Maison Aurelle")


def _message(name: str | None, address: str = "victim@example.test") -> bytes:
    content = notice_content(
        LETTERHEAD,
        Recipient(
            "a" * 32,
            "en",
            clean_name(name),
            frozenset({Category.CONTACT_NAME}),
            ("FR",),
            "7KQM-3XJD-9PRA-WT4C",
        ),
    )
    return build_message(
        content, notice_id="a" * 32, to_address=address, to_name=name, sender=SENDER
    )


def _headers(data: bytes) -> list[str]:
    return [k.lower() for k in message_from_bytes(data, policy=default)]


EXPECTED = [
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "content-language",
    "auto-submitted",
    "mime-version",
    "content-type",
]


@pytest.mark.parametrize(
    "name",
    [
        "Eve\r\nBcc: attacker@evil.test",
        "Eve\nSubject: you won",
        "=?utf-8?b?RXZlDQpCY2M6IGF0dGFja2VyQGV2aWwudGVzdA==?=",
        '"Eve" <attacker@evil.test>, mallory@evil.test',
        "<script>alert(1)</script><a href='https://evil.test'>x</a>",
        "\u202eevil.test\u202c Eve",
    ],
)
def test_message_hostile_name_adds_no_header_or_recipient(name: str) -> None:
    data = _message(name)
    message = message_from_bytes(data, policy=default)
    assert _headers(data) == EXPECTED
    assert [a.addr_spec for a in message["To"].addresses] == ["victim@example.test"]
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "<a href" not in html
    text = message.get_body(("plain",)).get_content()
    assert "\u202e" not in text
    assert "\nSubject: you won" not in text


@pytest.mark.parametrize(
    "address",
    [
        "victim@example.test\r\nBcc: attacker@evil.test",
        "victim@example.test, attacker@evil.test",
        '"a b"@example.test',
        "victim@exa mple.test",
        "victim",
        "victim@@example.test",
        "<victim@example.test>",
    ],
)
def test_clean_address_refuses_injection(address: str) -> None:
    with pytest.raises(BadAddress):
        clean_address(address)


def test_clean_address_idna_domain() -> None:
    assert clean_address("Anna@Bücher.example") == "Anna@xn--bcher-kva.example"


def test_header_text_refuses_newlines() -> None:
    with pytest.raises(HeaderInjection):
        header_text("a\r\nb")
    with pytest.raises(HeaderInjection):
        address_header("a@b.test\r\nBcc: c@d.test", None)


def test_clean_name_strips_bidi_and_controls() -> None:
    assert clean_name("A\u202eB\u2066C\r\nD\x00E") == "A B C D E"
    assert clean_name("\u200f\u200e") is None


def test_html_escapes_name_and_isolates_direction() -> None:
    content = notice_content(
        LETTERHEAD, Recipient("a" * 32, "en", "<b>Bob</b> & co", frozenset(), (), "X")
    )
    html = render_html(content)
    assert "<bdi>&lt;b&gt;Bob&lt;/b&gt; &amp; co</bdi>" in html
    assert "<a " not in html


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120))
def test_message_any_name_parses_to_one_recipient(name: str) -> None:
    data = _message(name)
    message = message_from_bytes(data, policy=default)
    assert _headers(data) == EXPECTED
    assert [a.addr_spec for a in message["To"].addresses] == ["victim@example.test"]
    shown = message["To"].addresses[0].display_name
    assert "\n" not in shown
    assert "\r" not in shown
