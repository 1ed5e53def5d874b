"""Notices as mail: the Jinja2 templates (HTML autoescaped) and the MIME message around them.

A message is ``multipart/alternative`` (plain text first, then HTML), UTF-8, with a
``Message-ID`` derived from the notice id, so a resend after a crash is recognisably the same
message. Headers are written by ``mime`` from cleaned values only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache, lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from breachdesk.notify.answers import LetterContent
from breachdesk.notify.content import NoticeContent
from breachdesk.notify.mime import address_header, alternative_message, header_text
from breachdesk.notify.sanitize import clean_address, clean_name, domain_of


@dataclass(frozen=True)
class Sender:
    """Who the notices come from; the domain also names every Message-ID."""

    address: str
    name: str = ""
    reply_to: str = ""

    @property
    def domain(self) -> str:
        return domain_of(self.address)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("breachdesk.notify", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates ship with the package: no stat() of each file on every render.
        auto_reload=False,
    )
    env.filters["underline"] = underline
    return env


@lru_cache(maxsize=1024)  # headings repeat in every notice of a language
def underline(text: str, char: str = "-") -> str:
    """A rule as wide as ``text`` on screen (East Asian wide characters count twice)."""
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return char * width


def render_text(content: NoticeContent) -> str:
    """The plain-text alternative."""
    return _environment().get_template("notice.txt.j2").render(c=content)


def render_html(content: NoticeContent) -> str:
    """The HTML alternative: every value escaped, no images, links only when allowed."""
    return _environment().get_template("notice.html.j2").render(c=content)


def message_id(notice_id: str, sender: Sender) -> str:
    """``<notice-id@sender-domain>``: the same for every attempt of the same notice."""
    return f"<{notice_id}@{sender.domain}>"


def render_letter(content: LetterContent) -> tuple[str, str]:
    """A short letter (the portal's answers) as text and HTML."""
    env = _environment()
    return (
        env.get_template("letter.txt.j2").render(c=content),
        env.get_template("letter.html.j2").render(c=content),
    )


def build_message(
    content: NoticeContent,
    *,
    notice_id: str,
    to_address: str,
    to_name: str | None,
    sender: Sender,
    date: datetime | None = None,
) -> bytes:
    """The notice as bytes with CRLF line ends, ready for SMTP DATA.

    ``to_address`` is checked again here (``clean_address``) and the name cleaned, so no
    caller can slip a raw value into a header.
    """
    return _message(
        content.subject,
        content.language,
        render_text(content),
        render_html(content),
        key=notice_id,
        to_address=to_address,
        to_name=to_name,
        sender=sender,
        date=date,
    )


def build_letter(
    content: LetterContent,
    *,
    key: str,
    to_address: str,
    sender: Sender,
    date: datetime | None = None,
) -> bytes:
    """A letter (an answer of the portal) as a message; ``key`` names its Message-ID."""
    text, html = render_letter(content)
    return _message(
        content.subject,
        content.language,
        text,
        html,
        key=key,
        to_address=to_address,
        to_name=None,
        sender=sender,
        date=date,
    )


def _message(
    subject: str,
    language: str,
    text: str,
    html: str,
    *,
    key: str,
    to_address: str,
    to_name: str | None,
    sender: Sender,
    date: datetime | None,
) -> bytes:
    headers = [
        ("From", address_header(sender.address, clean_name(sender.name))),
        ("To", address_header(clean_address(to_address), clean_name(to_name))),
    ]
    if sender.reply_to:
        headers.append(("Reply-To", address_header(clean_address(sender.reply_to), None)))
    headers += [
        ("Subject", header_text(clean_name_line(subject))),
        ("Date", format_datetime(date or datetime.now(UTC))),
        ("Message-ID", message_id(key, sender)),
        ("Content-Language", header_text(language)),
        # RFC 3834: no auto-replies (out-of-office) to a notice.
        ("Auto-Submitted", "auto-generated"),
    ]
    return alternative_message(headers, text, html)


def clean_name_line(text: str) -> str:
    """A header value built from our own words, still flattened to one line."""
    return " ".join(text.split())
