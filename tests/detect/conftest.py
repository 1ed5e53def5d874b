"""Fixtures of the detection tests: one synthetic workspace, detected once per engine.

Spark tests share one local SparkSession per test session. They are skipped with a reason
when pyspark or Java is missing, except under CI (CI=true), where a skip is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from breachdesk.detect import DetectionReport, run_detection
from breachdesk.detect.hits import Hit
from breachdesk.workspace import init_workspace, open_workspace
from tests.detect.detect_traffic import (
    SETTINGS,
    Attack,
    Traffic,
    canary_touch,
    night_attack,
    normal_traffic,
    slow_extraction,
)

RULES = {
    "scripted-client.yml": """
title: Scripted HTTP client reading customers
id: 8b0c2f7e-3c1a-4f59-9a51-2f4c7d1e0a01
status: test
level: medium
logsource:
    category: webserver
    product: breachdesk
detection:
    selection:
        c-useragent|contains: 'python-requests'
        route|startswith: '/api/v1/customers'
    condition: selection
""",
    "list-burst.yml": """
title: Customer list read page after page
id: 8b0c2f7e-3c1a-4f59-9a51-2f4c7d1e0a02
name: customer_list_call
status: test
logsource:
    category: webserver
    product: breachdesk
detection:
    selection:
        route: '/api/v1/customers'
        action: list
        sc-status: 200
    condition: selection
---
title: Burst of customer list calls
id: 8b0c2f7e-3c1a-4f59-9a51-2f4c7d1e0a03
status: test
level: high
correlation:
    type: event_count
    rules:
        - customer_list_call
    group-by:
        - principal
    timespan: 1h
    condition:
        gte: 50
---
title: Many distinct customers in an hour
id: 8b0c2f7e-3c1a-4f59-9a51-2f4c7d1e0a05
status: test
level: high
correlation:
    type: value_count
    rules:
        - customer_record_read
    group-by:
        - principal
    timespan: 1h
    condition:
        field: object_id
        gte: 300
""",
    "record-read.yml": """
title: Customer record read by id
id: 8b0c2f7e-3c1a-4f59-9a51-2f4c7d1e0a04
name: customer_record_read
status: test
logsource:
    category: webserver
    product: breachdesk
detection:
    selection:
        route: '/api/v1/customers/{id}'
        sc-status: 200
    condition: selection
""",
}


def _spark_available() -> str | None:
    """None when Spark can run here, else why not."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (java on PATH or JAVA_HOME)"
    return None


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    reason = _spark_available()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Spark tests cannot be skipped under CI: {reason}")
        pytest.skip(reason)
    from breachdesk.detect.engines import spark_session_for

    session = spark_session_for("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A workspace with four weeks of normal traffic, the night attack, a slow extraction,
    a canary read and two Sigma rule files."""
    root = tmp_path_factory.mktemp("detect-scenario")
    workspace = init_workspace(root, settings_text=SETTINGS)
    traffic = Traffic()
    normal_traffic(traffic)
    attack = night_attack(traffic)
    slow = slow_extraction(traffic)
    canary_at = canary_touch(traffic)
    count = traffic.write(workspace.path("events"))
    rules = root / "rules"
    rules.mkdir()
    for name, text in RULES.items():
        (rules / name).write_text(text, encoding="utf-8")
    workspace.close()
    return {"root": root, "attack": attack, "slow": slow, "canary_at": canary_at, "events": count}


@pytest.fixture(scope="session")
def detect_on(
    request: pytest.FixtureRequest, scenario: dict[str, Any]
) -> Callable[[str], DetectionReport]:
    """Detection of the scenario on an engine, run once per engine and test session."""
    reports: dict[str, DetectionReport] = {}

    def run(engine_name: str) -> DetectionReport:
        if engine_name not in reports:
            session = request.getfixturevalue("spark_session") if engine_name == "spark" else None
            workspace = open_workspace(scenario["root"])
            try:
                reports[engine_name] = run_detection(
                    workspace,
                    engine=engine_name,  # type: ignore[arg-type]
                    spark_session=session,
                    store=engine_name == "duckdb",
                )
            finally:
                workspace.close()
        return reports[engine_name]

    return run


@pytest.fixture(scope="session", params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def report(
    request: pytest.FixtureRequest, detect_on: Callable[[str], DetectionReport]
) -> DetectionReport:
    """The scenario detected on each engine in turn."""
    return detect_on(str(request.param))


def covered(attack: Attack, alerts: list[dict[str, Any]]) -> bool:
    from breachdesk.detect.pipeline import parse_moment

    spans = sorted((parse_moment(a["start"]), parse_moment(a["end"])) for a in alerts)
    moment = attack.start
    for start, end in spans:
        if start <= moment <= end:
            moment = max(moment, end)
    return moment >= attack.end


def run_detector(traffic: Traffic, detector: Callable[..., Any]) -> list[Hit]:
    """Hits of one detector over ``traffic`` on DuckDB, with the scenario's settings."""
    import tempfile
    import tomllib

    from breachdesk.config import Settings
    from breachdesk.detect.engines import open_engine
    from breachdesk.detect.hits import hits_from_arrow
    from breachdesk.detect.observations import observe

    settings = Settings(**tomllib.loads(SETTINGS))
    with tempfile.TemporaryDirectory() as folder:
        traffic.write(Path(folder))
        engine = open_engine("duckdb")
        try:
            obs = observe(engine, Path(folder), settings, until=None)
            return hits_from_arrow(engine.execute(detector(obs)))
        finally:
            engine.close()
