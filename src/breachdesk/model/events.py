"""The event schema: one flat row per access, whatever log it came from.

Names follow OCSF where OCSF has one (API Activity 6003, HTTP Activity 4002, Datastore
Activity 6005, Authentication 3002). Stored as Parquet partitioned by source and date.
"""

from __future__ import annotations

from enum import StrEnum

import pyarrow as pa


class EventClass(StrEnum):
    HTTP = "http"
    API = "api"
    DATASTORE = "datastore"
    AUTH = "auth"


class Action(StrEnum):
    READ = "read"
    LIST = "list"
    SEARCH = "search"
    EXPORT = "export"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"


EVENT_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("time", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("class", pa.string(), nullable=False),
        pa.field("principal", pa.string()),
        pa.field("src_ip", pa.string()),
        pa.field("user_agent", pa.string()),
        pa.field("action", pa.string()),
        pa.field("method", pa.string()),
        pa.field("path", pa.string()),
        pa.field("route", pa.string()),
        pa.field("query", pa.string()),
        pa.field("status", pa.int32()),
        pa.field("bytes", pa.int64()),
        pa.field("resource", pa.string()),
        pa.field("object_id", pa.string()),
        pa.field("rows", pa.int64()),
        pa.field("statement", pa.string()),
        pa.field("raw_ref", pa.string(), nullable=False),
    ],
    metadata={"breachdesk.schema": "event/1"},
)
"""Arrow schema of an event; ``raw_ref`` is ``file:line`` of the line it was parsed from."""

EVENT_FIELDS: tuple[str, ...] = tuple(EVENT_SCHEMA.names)
