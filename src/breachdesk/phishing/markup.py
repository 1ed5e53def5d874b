"""Links, forms and visible text of an email's HTML and plain text, under caps.

The standard library's ``html.parser`` is used (tolerant, no dependency, linear time); the
HTML is never rendered or fetched, only scanned, and what it yields is capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

MAX_HTML_CHARS = 512 * 1024
MAX_LINKS = 300
MAX_VISIBLE_CHARS = 256 * 1024
_URL_IN_TEXT = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'\])]{2,2000}")
_REFRESH_URL = re.compile(r"(?i)url\s*=\s*['\"]?([^'\";\s]+)")
_SKIP_TEXT = {"script", "style", "head", "title", "noscript", "template"}


@dataclass(frozen=True)
class Link:
    href: str
    text: str


@dataclass
class Markup:
    links: list[Link] = field(default_factory=list)
    form_actions: list[str] = field(default_factory=list)
    password_fields: int = 0
    text: str = ""
    malformed: bool = False


class _Scanner(HTMLParser):
    def __init__(self, markup: Markup) -> None:
        super().__init__(convert_charrefs=True)
        self.markup = markup
        self.visible: list[str] = []
        self.visible_chars = 0
        self.skip = 0
        self.anchor: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs[:50]}
        if tag in _SKIP_TEXT:
            self.skip += 1
        elif tag == "a":
            self._close_anchor()
            self.anchor = (values.get("href", "").strip(), [])
        elif tag == "area" and values.get("href"):
            self._add(values["href"], values.get("alt", ""))
        elif tag == "form":
            self.markup.form_actions.append(values.get("action", "").strip()[:2000])
        elif tag == "input" and values.get("type", "").strip().lower() == "password":
            self.markup.password_fields += 1
        elif tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            found = _REFRESH_URL.search(values.get("content", ""))
            if found:
                self._add(found.group(1), "")
        elif tag in ("br", "p", "div", "tr", "li"):
            self._text(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIP_TEXT:
            self.skip = max(0, self.skip - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TEXT:
            self.skip = max(0, self.skip - 1)
        elif tag == "a":
            self._close_anchor()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self._text(data)
        if self.anchor is not None and sum(len(t) for t in self.anchor[1]) < 500:
            self.anchor[1].append(data)

    def _text(self, data: str) -> None:
        if self.visible_chars < MAX_VISIBLE_CHARS:
            self.visible.append(data)
            self.visible_chars += len(data)

    def _close_anchor(self) -> None:
        if self.anchor is not None:
            href, text = self.anchor
            self.anchor = None
            if href:
                self._add(href, " ".join("".join(text).split()))

    def _add(self, href: str, text: str) -> None:
        if len(self.markup.links) < MAX_LINKS:
            self.markup.links.append(Link(href.strip()[:2000], text[:300]))


def scan_html(html: str) -> Markup:
    """Links (href and shown text), form actions, password fields and visible text."""
    markup = Markup()
    scanner = _Scanner(markup)
    try:
        scanner.feed(html[:MAX_HTML_CHARS])
        scanner.close()
    except (AssertionError, ValueError, IndexError, TypeError, RecursionError):
        markup.malformed = True
    scanner._close_anchor()
    markup.text = " ".join("".join(scanner.visible).split())
    return markup


def text_links(text: str) -> list[Link]:
    """URLs written out in plain text (their text is the URL itself)."""
    links = []
    for found in _URL_IN_TEXT.finditer(text):
        url = found.group(0).rstrip(".,;:!?")
        links.append(Link(url, url))
        if len(links) >= MAX_LINKS:
            break
    return links
