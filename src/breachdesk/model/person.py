"""A person whose data an incident exposed: who they are (for notification) and what they lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from breachdesk.model.categories import Category


@dataclass(frozen=True)
class AffectedPerson:
    """One affected person; ``key`` is their id in the person source."""

    key: str
    email: str | None
    name: str | None = None
    language: str | None = None
    country: str | None = None
    region: str | None = None
    postal_code: str | None = None
    categories: frozenset[Category] = field(default_factory=frozenset)
    first_access: datetime | None = None
    last_access: datetime | None = None
