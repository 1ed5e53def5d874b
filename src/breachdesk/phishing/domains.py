"""Domain names as phishing defence compares them: IDNA form, organisational domain, skeleton.

Every comparison happens on the ASCII (IDNA, ``xn--``) form; the public-suffix list is the
snapshot bundled with tldextract, never fetched (no network, ever).
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import idna
import tldextract

from breachdesk.phishing.fuzzer import Fuzzer

_EXTRACT = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)
_LABEL = r"(?!-)[a-z0-9_-]{1,63}(?<!-)"
_ASCII_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_DOTS = re.compile("[\u3002\uff0e\uff61]")  # ideographic and fullwidth full stops
_COMBINING = re.compile("[\u0300-\u036f]")
_NOT_ALNUM = re.compile("[^a-z0-9]+")
MAX_HOST = 253


@lru_cache(maxsize=65536)
def to_idna(host: str) -> str | None:
    """``host`` lower-cased in IDNA (punycode) form, or None when it is not a domain name."""
    value = _DOTS.sub(".", host.strip()).rstrip(".").lower()
    if not value or len(value) > 4 * MAX_HOST:
        return None
    ascii_host = value if value.isascii() else _encode_unicode(value) or ""
    if not ascii_host or len(ascii_host) > MAX_HOST or not _ASCII_HOST.fullmatch(ascii_host):
        return None
    return ascii_host


def _encode_unicode(value: str) -> str | None:
    try:
        return idna.encode(value, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        pass
    # IDNA 2008 refuses some characters that registries and browsers of the 2003 rules
    # still show; phishers use exactly those, so fall back to the older codec.
    try:
        return value.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


@lru_cache(maxsize=16384)
def to_unicode(host: str) -> str:
    """``host`` with its ``xn--`` labels shown as Unicode (for people); unchanged on error."""
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label = idna.decode(label)
            except (idna.IDNAError, UnicodeError, ValueError):
                with contextlib.suppress(UnicodeError):
                    label = label.encode("ascii").decode("idna")
        labels.append(label)
    return ".".join(labels)


def is_punycode(host: str) -> bool:
    return host.startswith("xn--") or ".xn--" in host


@lru_cache(maxsize=65536)
def organisational_domain(host: str) -> str:
    """The registrable domain: ``shop.maison-aurelle.co.uk`` → ``maison-aurelle.co.uk``."""
    parts = _EXTRACT(host)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    return host


def registrable_label(host: str) -> str:
    """The label just under the public suffix (``maison-aurelle`` for ``www.maison-aurelle.fr``)."""
    parts = _EXTRACT(host)
    return parts.domain or host


def is_ip_host(host: str) -> bool:
    """An IP address (v4, v6, or a bare number a browser reads as one) instead of a name."""
    value = host.strip("[]")
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return bool(re.fullmatch(r"(0x[0-9a-f]+|\d+)(\.(0x[0-9a-f]+|\d+)){0,3}", value))
    return True


def url_host(url: str) -> str | None:
    """The host of ``url`` (userinfo dropped, as a browser would), or None."""
    text = url.strip()
    if text.lower().startswith("www."):
        text = "http://" + text
    try:
        host = urlsplit(text[:2048]).hostname
    except ValueError:
        return None
    return host or None


def _skeleton_map() -> dict[str, str]:
    # dnstwist's homoglyph tables, inverted: the characters it uses to imitate a letter.
    table: dict[str, str] = {}
    for letter, glyphs in Fuzzer.glyphs_unicode.items():
        for glyph in glyphs:
            if len(glyph) == 1 and len(letter) == 1:
                table.setdefault(glyph, letter)
    for by_tld in Fuzzer.glyphs_idn_by_tld.values():
        for letter, glyphs in by_tld.items():
            for glyph in glyphs:
                if len(glyph) == 1 and len(letter) == 1:
                    table.setdefault(glyph, letter)
    for letter, glyph in Fuzzer.latin_to_cyrillic.items():
        table.setdefault(glyph, letter)
    # Greek letters that dnstwist leaves out (from Unicode TR39 confusables).
    for glyph, letter in zip("αβεικνορτυχωℓ", "abeiknoptuxwl", strict=True):
        table.setdefault(glyph, letter)
    return table


_SKELETON = str.maketrans(_skeleton_map())
# Multi-letter ASCII imitations (rn → m) and digit-for-letter swaps.
_ASCII_FOLDS = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("0", "o"), ("1", "l"), ("3", "e"))


@lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """``text`` with homoglyphs folded to the ASCII letters they imitate, accents and separators
    removed: ``rnaison-aurеlle`` (Cyrillic е) and ``maison-aurelle`` share ``maisonaurelle``."""
    value = text.lower().translate(_SKELETON)
    value = _COMBINING.sub("", unicodedata.normalize("NFKD", value))
    for imitation, letter in _ASCII_FOLDS:
        value = value.replace(imitation, letter)
    return _NOT_ALNUM.sub("", value)


def compact(text: str) -> str:
    """Lower-case letters and digits only (``Maison Aurelle`` → ``maisonaurelle``)."""
    value = text.lower()
    if not value.isascii():
        value = _COMBINING.sub("", unicodedata.normalize("NFKD", value))
    return _NOT_ALNUM.sub("", value)


@dataclass(frozen=True)
class Brand:
    """The brand to defend: its name, real domains (IDNA) and the terms that name it."""

    name: str
    domains: frozenset[str]
    organisational: frozenset[str]
    terms: frozenset[str]

    @classmethod
    def of(cls, name: str, domains: list[str] | tuple[str, ...]) -> Brand:
        idna_domains = frozenset(d for d in (to_idna(x) for x in domains) if d)
        organisational = frozenset(organisational_domain(d) for d in idna_domains)
        terms = {compact(name)} if len(compact(name)) >= 3 else set()
        terms |= {compact(registrable_label(d)) for d in idna_domains}
        return cls(name, idna_domains, organisational, frozenset(t for t in terms if t))

    def owns(self, host: str) -> bool:
        """``host`` is one of the brand's domains or a subdomain of one."""
        return organisational_domain(host) in self.organisational or host in self.domains

    def named_in(self, text: str) -> str | None:
        """The brand term a short ``text`` (a display name, a label) contains, compared
        compact and as a homoglyph skeleton."""
        text = text[:256]
        flat = compact(text)
        for term in self.terms:
            if _contains(flat, term):
                return term
        folded = skeleton(text)
        for term in self.terms:
            if _contains(folded, skeleton(term)):
                return term
        return None

    def mentioned_in(self, text: str) -> str | None:
        """The brand term a long ``text`` (a body) contains, compared compact only."""
        flat = compact(text[:65536])
        for term in self.terms:
            if len(term) >= 5 and term in flat:
                return term
            if len(term) < 5 and re.search(rf"(?<![a-z0-9]){term}(?![a-z0-9])", text.lower()):
                return term
        return None


def _contains(haystack: str, term: str) -> bool:
    # Short brand terms ("co", "ab") would be found everywhere: require them whole.
    if len(term) >= 5:
        return term in haystack
    return haystack == term
