"""Domain types shared by every stage: data categories, the event schema, alerts."""

from typing import TYPE_CHECKING, Any

from breachdesk.model.alert import Alert, Severity
from breachdesk.model.categories import (
    CATEGORY_INFO,
    Category,
    CategoryInfo,
    Group,
    parse_category,
)
from breachdesk.model.person import AffectedPerson

if TYPE_CHECKING:
    from breachdesk.model.events import EVENT_FIELDS, EVENT_SCHEMA, Action, EventClass

_EVENT_NAMES = frozenset({"EVENT_FIELDS", "EVENT_SCHEMA", "Action", "EventClass"})


def __getattr__(name: str) -> Any:
    # The event schema is built with pyarrow (0.2 s to import): load it on first use, so that
    # importing a light sibling (model.incident for the CLI's options) does not pay for it.
    if name in _EVENT_NAMES:
        from breachdesk.model import events

        return getattr(events, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CATEGORY_INFO",
    "EVENT_FIELDS",
    "EVENT_SCHEMA",
    "Action",
    "AffectedPerson",
    "Alert",
    "Category",
    "CategoryInfo",
    "EventClass",
    "Group",
    "Severity",
    "parse_category",
]
