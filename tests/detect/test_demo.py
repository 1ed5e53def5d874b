"""The demo's detect stage and time options."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from breachdesk.demo.stages import demo_stages
from breachdesk.detect import parse_moment
from breachdesk.errors import UserInputError
from breachdesk.workspace import open_workspace


def test_demo_detect_stage_is_wired_and_names_the_severe_alerts(
    scenario: dict[str, Any], detect_on: Any
) -> None:
    detect_on("duckdb")
    stage = next(s for s in demo_stages() if s.name == "detect")
    assert stage.run is not None
    workspace = open_workspace(scenario["root"])
    try:
        outcome = stage.run(workspace)
    finally:
        workspace.close()
    assert outcome.status == "done"
    assert any("agent:jmartin" in line and "critical" in line for line in outcome.lines)
    assert outcome.figures["alerts"] == len(detect_on("duckdb").alerts)


NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-03", datetime(2026, 11, 3, tzinfo=UTC)),
        ("2026-11-03T02:00Z", datetime(2026, 11, 3, 2, tzinfo=UTC)),
        ("2026-11-03T03:00+01:00", datetime(2026, 11, 3, 2, tzinfo=UTC)),
        ("36h", NOW - timedelta(hours=36)),
        ("2w", NOW - timedelta(weeks=2)),
    ],
)
def test_parse_moment_accepts_dates_times_and_spans(text: str, expected: datetime) -> None:
    assert parse_moment(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "36 h", "-3d", "2026-13-01"])
def test_parse_moment_rejects_other_text(text: str) -> None:
    with pytest.raises(UserInputError):
        parse_moment(text, now=NOW)
