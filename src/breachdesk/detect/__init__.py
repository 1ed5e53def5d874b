"""Detection of bulk extraction in the events: detectors, Sigma rules, engines, alerts."""

from breachdesk.detect.alerts import read_alerts
from breachdesk.detect.engines import ENGINES, EngineName
from breachdesk.detect.pipeline import DetectionReport, parse_moment, run_detection

__all__ = [
    "ENGINES",
    "DetectionReport",
    "EngineName",
    "parse_moment",
    "read_alerts",
    "run_detection",
]
