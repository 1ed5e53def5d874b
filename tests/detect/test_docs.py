"""The detect settings, verbs, options and JSON keys are documented."""

from __future__ import annotations

from pathlib import Path

from breachdesk.config import documented_keys

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_docs_every_detect_setting_is_in_configuration_md() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    keys = [key for key in documented_keys() if key.startswith("detect.")]
    assert keys
    missing = [key for key in keys if f"`{key}`" not in text]
    assert missing == []


def test_docs_detect_verbs_options_and_json_keys() -> None:
    text = (DOCS / "detect.md").read_text(encoding="utf-8")
    for needle in (
        "breachdesk detect",
        "breachdesk alerts",
        "--since",
        "--until",
        "--engine",
        "--json",
    ):
        assert needle in text, needle
    for key in (
        "engine",
        "since",
        "until",
        "events",
        "hits",
        "rules",
        "rule_errors",
        "new_alerts",
        "seconds",
    ):
        assert f"`{key}`" in text, key
    for key in (
        "id",
        "severity",
        "detectors",
        "principals",
        "src_ips",
        "start",
        "events",
        "objects",
        "evidence_query",
    ):
        assert f"`alerts[].{key}`" in text, key
