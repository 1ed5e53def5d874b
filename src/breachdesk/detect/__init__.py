"""Detection of bulk extraction in the events: detectors, Sigma rules, engines, alerts."""

from breachdesk.detect.alerts import read_alerts
from breachdesk.detect.engines import ENGINES, EngineName
from breachdesk.detect.evidence import alert_events, alert_incidents, read_alert
from breachdesk.detect.pipeline import DetectionReport, parse_moment, run_detection

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
