"""Detection of bulk extraction in the events: detectors, Sigma rules, engines, alerts.

The names below are loaded on first use: reading stored alerts (the CLI's ``alerts``, the web
pages) must not import Ibis and pyarrow, which running detection needs.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from breachdesk.model.engines import ENGINES, EngineName

if TYPE_CHECKING:
    from breachdesk.detect.alert_store import read_alerts
    from breachdesk.detect.evidence import alert_events, alert_incidents, read_alert
    from breachdesk.detect.pipeline import DetectionReport, parse_moment, run_detection

_WHERE = {
    "read_alerts": "breachdesk.detect.alert_store",
    "alert_events": "breachdesk.detect.evidence",
    "alert_incidents": "breachdesk.detect.evidence",
    "read_alert": "breachdesk.detect.evidence",
    "DetectionReport": "breachdesk.detect.pipeline",
    "parse_moment": "breachdesk.detect.pipeline",
    "run_detection": "breachdesk.detect.pipeline",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)


__all__ = [
    "ENGINES",
    "DetectionReport",
    "EngineName",
    "alert_events",
    "alert_incidents",
    "parse_moment",
    "read_alert",
    "read_alerts",
    "run_detection",
]
