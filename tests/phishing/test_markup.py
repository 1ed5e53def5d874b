"""HTML scanning: links with their shown text, forms, password fields, visible text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.phishing.markup import MAX_LINKS, scan_html, text_links


def test_scan_html_links_forms_and_text() -> None:
    markup = scan_html(
        "<html><head><style>a{}</style><script>var x='verify';</script></head><body>"
        "<p>Hello&nbsp;<b>Camille</b></p>"
        "<a href='https://evil.top/x'>https://www.<span>maison-aurelle.com</span></a>"
        '<a href="https://ok.example"><img src=x></a>'
        "<form action='https://evil.top/p'><input TYPE='Password' name=p></form>"
        "<meta http-equiv='refresh' content='0; url=https://refresh.example/'>"
        "</body></html>"
    )
    assert [(link.href, link.text) for link in markup.links[:2]] == [
        ("https://evil.top/x", "https://www.maison-aurelle.com"),
        ("https://ok.example", ""),
    ]
    assert markup.links[2].href == "https://refresh.example/"
    assert markup.form_actions == ["https://evil.top/p"]
    assert markup.password_fields == 1
    assert "Camille" in markup.text
    assert "verify" not in markup.text
    assert "a{}" not in markup.text


def test_scan_html_unclosed_anchor_and_caps() -> None:
    markup = scan_html("<a href='https://x.example'>click" + "<a href=h>x</a>" * (MAX_LINKS + 50))
    assert markup.links[0].text == "click"
    assert len(markup.links) == MAX_LINKS


def test_text_links() -> None:
    links = text_links("Go to https://rnaison-aurelle.com/login. Or www.example.org, then.")
    assert [link.href for link in links] == ["https://rnaison-aurelle.com/login", "www.example.org"]


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(st.characters(), st.sampled_from(list("<>/='\"!-[]&;#"))),
        max_size=400,
    )
)
def test_scan_html_never_fails(html: str) -> None:
    markup = scan_html(html)
    assert len(markup.links) <= MAX_LINKS
