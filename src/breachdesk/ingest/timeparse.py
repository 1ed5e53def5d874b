"""Timestamps of every log format to UTC microseconds, vectorised over distinct values.

Logs repeat the same second many times, so each distinct text is parsed once (dictionary
encoding) and the result spread back. An offset written in the value wins; otherwise the
source's time zone applies (a wall-clock time repeated at a DST change reads as its first
occurrence; one that a DST gap skipped, as the first instant after the gap). Unparseable
values become null; the caller rejects those lines.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.errors import ConfigError
from breachdesk.ingest.arrowtext import NULL_STRING, groups, matched

TimeKind = Literal["clf", "iso8601", "epoch", "epoch_ms", "strptime", "mysql_legacy"]
UTC_TYPE = pa.timestamp("us", tz="UTC")
_NAIVE = pa.timestamp("us")
_UTC_NAMES = ("Z", "z", "UTC", "GMT", "UT")

_CLF = (
    r"^\[?(?P<dt>\d{1,2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2})(?:[.,](?P<frac>\d{1,9}))?"
    r"(?:\s*(?P<zone>[+-]\d{2}:?\d{2}|Z|UTC|GMT))?\]?$"
)
_ISO = (
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}:\d{2})(?:[.,](?P<frac>\d{1,9}))?"
    r"\s*(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?|[A-Za-z]{2,6})?$"
)
_CLF_CLOCK = r"^(?P<dt>\d{1,2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2})(?:[.,](?P<frac>\d{1,9}))?$"
_CLF_SHAPE = r"^\[?\d\d/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]?$"
_ISO_ZONED_SHAPE = r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d(:?\d\d)?)$"
_MYSQL_LEGACY = r"^(?P<date>\d{6})\s+(?P<h>\d{1,2}):(?P<ms>\d{2}:\d{2})$"
_OFFSET = r"^(?P<sign>[+-])(?P<hh>\d{2}):?(?P<mm>\d{2})?$"
_EPOCH = r"^\d{1,16}(\.\d{1,9})?$"


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone (or a fixed offset like ``+01:00``)."""
    if _offset_seconds(name) is not None:
        return name
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r}; use an IANA name such as 'Europe/Paris' or 'UTC'"
        ) from None
    return name


def _offset_seconds(text: str) -> int | None:
    import re

    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text)
    if not match:
        return None
    seconds = int(match.group(2)) * 3600 + int(match.group(3)) * 60
    return -seconds if match.group(1) == "-" else seconds


def parse_times(
    values: pa.Array, kind: TimeKind, timezone: str = "UTC", *, fmt: str | None = None
) -> pa.Array:
    """``values`` (strings) as ``timestamp[us, UTC]``; null where a value does not parse."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if len(values) == 0:
        return pa.array([], type=UTC_TYPE)
    encoded = pc.dictionary_encode(values)
    distinct = encoded.dictionary
    if kind == "clf":
        parsed = _parse_clf(distinct, timezone)
    elif kind == "iso8601":
        parsed = _parse_iso(distinct, timezone)
    elif kind in ("epoch", "epoch_ms"):
        parsed = _parse_epoch(distinct, 1_000 if kind == "epoch_ms" else 1_000_000)
    elif kind == "mysql_legacy":
        parsed = _parse_mysql_legacy(distinct, timezone)
    else:
        if fmt is None:
            raise ValueError("strptime needs a format")
        naive = pc.strptime(distinct, format=fmt, unit="us", error_is_null=True)
        parsed = _localise(naive, None, timezone)
    return pc.take(parsed, encoded.indices)


def parse_clf_parts(clock: pa.Array, zone: pa.Array) -> pa.Array:
    """``$time_local`` split at its space, as a space-delimited tokenizer leaves it:
    ``[10/Oct/2000:13:55:36`` and ``-0700]``. Null where either part is not well formed."""
    clocks = _encoded(clock)
    zones = _encoded(zone)
    local = _clf_clock(pc.utf8_ltrim(clocks.dictionary, "["))
    offsets = _offset_micros(pc.utf8_rtrim(zones.dictionary, "]"))
    utc = pc.subtract(pc.take(local, clocks.indices), pc.take(offsets, zones.indices))
    return pc.cast(utc, UTC_TYPE)


def _encoded(values: pa.Array) -> pa.DictionaryArray:
    if isinstance(values, pa.DictionaryArray):
        return values
    encoded: pa.DictionaryArray = pc.dictionary_encode(values)
    return encoded


def _clf_clock(text: pa.Array) -> pa.Array:
    """Local time of ``dd/Mon/yyyy:HH:MM:SS`` as integer microseconds (null if malformed):
    the date (few distinct values) through strptime, the clock through integer casts."""
    shaped = matched(text, r"^\d\d/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d$")
    if not pc.all(shaped).as_py():
        parts = groups(pc.if_else(shaped, "01/Jan/1970:00:00:00", text), _CLF_CLOCK)
        naive = pc.strptime(parts["dt"], format="%d/%b/%Y:%H:%M:%S", unit="us", error_is_null=True)
        slow = pc.cast(_add_fraction(naive, parts["frac"]), pa.int64())
        fast = _clf_clock(pc.if_else(shaped, text, "01/Jan/1970:00:00:00"))
        return pc.if_else(shaped, fast, slow)
    day = pc.dictionary_encode(pc.utf8_slice_codeunits(text, 0, 11))
    midnight = pc.cast(
        pc.strptime(day.dictionary, format="%d/%b/%Y", unit="us", error_is_null=True), pa.int64()
    )
    hours = pc.cast(pc.utf8_slice_codeunits(text, 12, 14), pa.int64())
    minutes = pc.cast(pc.utf8_slice_codeunits(text, 15, 17), pa.int64())
    seconds = pc.cast(pc.utf8_slice_codeunits(text, 18, 20), pa.int64())
    in_range = pc.and_(pc.and_(pc.less(hours, 24), pc.less(minutes, 60)), pc.less(seconds, 61))
    clock = pc.add(pc.add(pc.multiply(hours, 3600), pc.multiply(minutes, 60)), seconds)
    local = pc.add(pc.take(midnight, day.indices), pc.multiply(clock, 1_000_000))
    return pc.if_else(in_range, local, pa.scalar(None, pa.int64()))


def _parse_clf(distinct: pa.Array, timezone: str) -> pa.Array:
    shaped = matched(distinct, _CLF_SHAPE)
    if not pc.any(shaped).as_py():
        return _slow_clf(distinct, timezone)
    parts = pc.split_pattern(
        pc.if_else(shaped, distinct, "01/Jan/1970:00:00:00 +0000"), " ", max_splits=1
    )
    fast = parse_clf_parts(pc.list_element(parts, 0), pc.list_element(parts, 1))
    if pc.all(shaped).as_py():
        return fast
    return pc.if_else(shaped, fast, _slow_clf(distinct, timezone))


def _slow_clf(distinct: pa.Array, timezone: str) -> pa.Array:
    parts = groups(distinct, _CLF)
    naive = pc.strptime(parts["dt"], format="%d/%b/%Y:%H:%M:%S", unit="us", error_is_null=True)
    naive = _add_fraction(naive, parts["frac"])
    return _localise(naive, parts["zone"], timezone)


def _parse_iso(distinct: pa.Array, timezone: str) -> pa.Array:
    if pc.all(matched(distinct, _ISO_ZONED_SHAPE)).as_py():
        try:
            return pc.cast(distinct, UTC_TYPE)  # Arrow's own ISO 8601 parser: fast
        except pa.ArrowInvalid:
            pass  # e.g. a 30th of February: parse value by value below
    parts = groups(distinct, _ISO)
    joined = pc.binary_join_element_wise(parts["date"], parts["time"], "T")
    naive = pc.strptime(joined, format="%Y-%m-%dT%H:%M:%S", unit="us", error_is_null=True)
    naive = _add_fraction(naive, parts["frac"])
    return _localise(naive, parts["zone"], timezone)


def _parse_mysql_legacy(distinct: pa.Array, timezone: str) -> pa.Array:
    parts = groups(distinct, _MYSQL_LEGACY)
    hour = pc.utf8_lpad(parts["h"], 2, "0")
    text = pc.binary_join_element_wise(
        parts["date"], pc.binary_join_element_wise(hour, parts["ms"], ":"), " "
    )
    naive = pc.strptime(text, format="%y%m%d %H:%M:%S", unit="us", error_is_null=True)
    return _localise(naive, None, timezone)


def _parse_epoch(distinct: pa.Array, per_unit: int) -> pa.Array:
    cleaned = pc.if_else(matched(distinct, _EPOCH), distinct, NULL_STRING)
    seconds = pc.cast(cleaned, pa.float64())
    micros = pc.cast(pc.round(pc.multiply(seconds, float(per_unit))), pa.int64())
    return pc.cast(micros, UTC_TYPE)


def _add_fraction(naive: pa.Array, fraction: pa.Array) -> pa.Array:
    """``naive`` plus the sub-second digits (any precision, truncated to microseconds)."""
    digits = pc.utf8_slice_codeunits(pc.utf8_rpad(fraction, 6, "0"), 0, 6)
    micros = pc.fill_null(pc.cast(pc.fill_null(digits, "0"), pa.int64()), 0)
    return pc.cast(pc.add(pc.cast(naive, pa.int64()), micros), _NAIVE)


def _localise(naive: pa.Array, zone: pa.Array | None, timezone: str) -> pa.Array:
    """UTC instants: the written offset when there is one, else the source's time zone."""
    local = pc.cast(naive, pa.int64())
    fixed = _offset_seconds(timezone)
    if fixed is not None:
        default = pc.subtract(local, fixed * 1_000_000)
    elif timezone in ("UTC", "Etc/UTC", "GMT"):
        default = local
    else:
        zoned = pc.assume_timezone(
            naive, timezone=timezone, ambiguous="earliest", nonexistent="latest"
        )
        default = pc.cast(zoned, pa.int64())
    if zone is None:
        return pc.cast(default, UTC_TYPE)
    offset = _offset_micros(zone)
    explicit = pc.subtract(local, pc.fill_null(offset, 0))
    utc = pc.if_else(pc.is_valid(offset), explicit, default)
    return pc.cast(utc, UTC_TYPE)


def _offset_micros(zone: pa.Array) -> pa.Array:
    """Offset of each zone text in microseconds; null when absent or a named zone."""
    parts = groups(zone, _OFFSET)
    hours = pc.cast(parts["hh"], pa.int64())
    minutes = pc.fill_null(pc.cast(parts["mm"], pa.int64()), 0)
    magnitude = pc.multiply(pc.add(pc.multiply(hours, 3600), pc.multiply(minutes, 60)), 1_000_000)
    signed = pc.if_else(pc.equal(parts["sign"], "-"), pc.negate(magnitude), magnitude)
    is_utc = pc.is_in(zone, value_set=pa.array(_UTC_NAMES))
    return pc.if_else(pc.fill_null(is_utc, False), pa.scalar(0, pa.int64()), signed)
