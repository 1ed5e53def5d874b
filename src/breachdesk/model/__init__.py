"""Domain types shared by every stage: data categories, the event schema, alerts."""

from breachdesk.model.alert import Alert, Severity
from breachdesk.model.categories import (
    CATEGORY_INFO,
    Category,
    CategoryInfo,
    Group,
    parse_category,
)
from breachdesk.model.events import EVENT_FIELDS, EVENT_SCHEMA, Action, EventClass
from breachdesk.model.person import AffectedPerson

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
