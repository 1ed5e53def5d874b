"""DuckDB and Spark must give the same alerts on the same events."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from breachdesk.detect import DetectionReport


@pytest.mark.spark
def test_engines_give_identical_alerts(detect_on: Callable[[str], DetectionReport]) -> None:
    duck, spark = detect_on("duckdb"), detect_on("spark")
    assert spark.alerts
    assert [a.to_dict() for a in spark.alerts] == [a.to_dict() for a in duck.alerts]
    assert spark.hits == duck.hits
    assert spark.events == duck.events
