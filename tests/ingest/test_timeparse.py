"""Timestamps of every format to UTC: offsets, source time zones, DST, bad values."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from breachdesk.errors import ConfigError
from breachdesk.ingest.timeparse import check_timezone, parse_clf_parts, parse_times


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_parse_times_clf_with_and_without_offset() -> None:
    values = pa.array(
        ["10/Oct/2000:13:55:36 -0700", "[01/Nov/2026:15:48:28 +0100]", "01/Nov/2026:15:48:28"]
    )
    assert parse_times(values, "clf", "Europe/Paris").to_pylist() == [
        utc(2000, 10, 10, 20, 55, 36),
        utc(2026, 11, 1, 14, 48, 28),
        utc(2026, 11, 1, 14, 48, 28),
    ]


def test_parse_times_clf_rejects_impossible_values() -> None:
    values = pa.array(["32/Nov/2026:15:48:28 +0100", "01/Foo/2026:15:48:28 +0100", "garbage", None])
    assert parse_times(values, "clf").to_pylist() == [None, None, None, None]


def test_parse_clf_parts_reads_the_two_tokens() -> None:
    clock = pa.array(["[10/Oct/2000:13:55:36", "[01/Nov/2026:25:00:00", "[01/Nov/026:01:00:00"])
    zone = pa.array(["-0700]", "+0000]", "+0000]"])
    assert parse_clf_parts(clock, zone).to_pylist() == [utc(2000, 10, 10, 20, 55, 36), None, None]


def test_parse_times_iso8601_variants() -> None:
    values = pa.array(
        [
            "2026-11-03 02:14:07.123 UTC",
            "2026-11-03T02:14:07.123456789Z",
            "2026-11-03T02:14:07+01:00",
            "2026-11-03T02:14:07.5-0330",
            "2026-11-03T02:14:07",
        ]
    )
    assert parse_times(values, "iso8601", "Europe/Paris").to_pylist() == [
        datetime(2026, 11, 3, 2, 14, 7, 123000, tzinfo=UTC),
        datetime(2026, 11, 3, 2, 14, 7, 123456, tzinfo=UTC),
        utc(2026, 11, 3, 1, 14, 7),
        datetime(2026, 11, 3, 5, 44, 7, 500000, tzinfo=UTC),
        utc(2026, 11, 3, 1, 14, 7),
    ]


def test_parse_times_named_zone_abbreviations_use_the_source_zone() -> None:
    values = pa.array(["2026-07-03 02:14:07 CEST"])
    assert parse_times(values, "iso8601", "Europe/Paris").to_pylist() == [utc(2026, 7, 3, 0, 14, 7)]


def test_parse_times_dst_gap_and_overlap() -> None:
    values = pa.array(["2026-03-29 02:30:00", "2026-10-25 02:30:00"])
    got = parse_times(values, "strptime", "Europe/Paris", fmt="%Y-%m-%d %H:%M:%S").to_pylist()
    # 02:30 does not exist on 29 March (read as the first instant after the gap, 03:00 CEST);
    # on 25 October it happens twice (read as the first, CEST).
    assert got == [utc(2026, 3, 29, 1, 0), utc(2026, 10, 25, 0, 30)]


def test_parse_times_fixed_offset_zone() -> None:
    values = pa.array(["2026-01-01T10:00:00"])
    assert parse_times(values, "iso8601", "+05:30").to_pylist() == [utc(2026, 1, 1, 4, 30)]


def test_parse_times_epochs() -> None:
    assert parse_times(pa.array(["1700000000.5", "x"]), "epoch").to_pylist() == [
        datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC),
        None,
    ]
    assert parse_times(pa.array(["1700000000500"]), "epoch_ms").to_pylist() == [
        datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)
    ]


def test_parse_times_mysql_legacy() -> None:
    values = pa.array(["171122  9:23:50", "171122 10:23:50"])
    assert parse_times(values, "mysql_legacy").to_pylist() == [
        utc(2017, 11, 22, 9, 23, 50),
        utc(2017, 11, 22, 10, 23, 50),
    ]


def test_check_timezone_names_the_bad_zone() -> None:
    assert check_timezone("Europe/Paris") == "Europe/Paris"
    assert check_timezone("+01:00") == "+01:00"
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        check_timezone("Mars/Olympus")
