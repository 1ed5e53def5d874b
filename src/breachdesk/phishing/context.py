"""What signals compare a reported email against: the brand, its lookalikes, lexicons, leaks.

A ``Signal`` is a named observation with evidence a support agent can read out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from breachdesk.errors import ConfigError
from breachdesk.phishing.domains import Brand
from breachdesk.phishing.leaked import LeakedFields
from breachdesk.phishing.lexicon import Lexicon, default_lexicon
from breachdesk.phishing.lookalikes import parse_words
from breachdesk.phishing.match import DomainMatcher
from breachdesk.phishing.watchlist import Watchlist

LeakedSource = Callable[[Iterable[str]], list[LeakedFields]]


@dataclass(frozen=True)
class Signal:
    name: str
    evidence: str


@dataclass(frozen=True)
class AttachmentKinds:
    """Attachment kind → file extensions and content types (``data/attachments.yaml``)."""

    extensions: dict[str, str]
    content_types: dict[str, str]

    def kind_of(self, filename: str, content_type: str) -> str | None:
        name = filename.lower().rstrip(". ")
        if "." in name:
            kind = self.extensions.get(name.rsplit(".", 1)[1])
            if kind is not None:
                return kind
        return self.content_types.get(content_type.lower())


@cache
def default_shorteners() -> frozenset[str]:
    text = resources.files("breachdesk.phishing").joinpath("data", "shorteners.txt")
    lines = text.read_text("utf-8").splitlines()
    return frozenset(
        parse_words(lines, kind="tlds", path="breachdesk/phishing/data/shorteners.txt")
    )


@cache
def default_attachment_kinds() -> AttachmentKinds:
    name = "data/attachments.yaml"
    try:
        data = yaml.safe_load(resources.files("breachdesk.phishing").joinpath(name).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read attachment kinds: {exc}", path=name) from None
    extensions: dict[str, str] = {}
    content_types: dict[str, str] = {}
    if not isinstance(data, dict):
        raise ConfigError("expected kinds with extensions and content_types", path=name)
    for kind, spec in data.items():
        if not isinstance(spec, dict) or set(spec) - {"extensions", "content_types"}:
            raise ConfigError(f"kind {kind!r}: only extensions and content_types", path=name)
        for ext in spec.get("extensions", []):
            extensions.setdefault(str(ext).lower(), str(kind))
        for content_type in spec.get("content_types", []):
            content_types.setdefault(str(content_type).lower(), str(kind))
    return AttachmentKinds(extensions, content_types)


@dataclass(frozen=True)
class ScoringContext:
    """Everything signals compare against: the brand, its lookalikes, lexicons, leaks."""

    brand: Brand
    matcher: DomainMatcher
    lexicon: Lexicon = field(default_factory=default_lexicon)
    shorteners: frozenset[str] = field(default_factory=default_shorteners)
    attachments: AttachmentKinds = field(default_factory=default_attachment_kinds)
    leaked: LeakedSource | None = None

    @classmethod
    def of(
        cls, brand: Brand, watchlist: Watchlist | None = None, leaked: LeakedSource | None = None
    ) -> ScoringContext:
        return cls(brand, DomainMatcher(brand, watchlist or Watchlist({})), leaked=leaked)
