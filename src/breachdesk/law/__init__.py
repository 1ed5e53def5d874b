"""Law: who must be told, by when and why — jurisdiction rules as data, applied to a case."""

from breachdesk.law.assess import (
    DISCLAIMER,
    Assessment,
    Conclusion,
    ConclusionOverride,
    assess,
)
from breachdesk.law.case import Case, case_from_dict, load_case
from breachdesk.law.deadlines import add_business_days, compute_deadline
from breachdesk.law.demo import law_stage
from breachdesk.law.drafts import Controller, art33_report, notice_checklists
from breachdesk.law.loader import (
    RuleBook,
    RuleFileError,
    load_rule_file,
    load_rules,
    packaged_rules,
)
from breachdesk.law.risk import RiskAssessment, RiskOverride, assess_risk
from breachdesk.law.service import (
    Coverage,
    assess_case,
    assess_incident,
    controller_of,
    coverage,
    current_assessment,
    normalise_target,
    override_conclusion,
)

__all__ = [
    "DISCLAIMER",
    "Assessment",
    "Case",
    "Conclusion",
    "ConclusionOverride",
    "Controller",
    "Coverage",
    "RiskAssessment",
    "RiskOverride",
    "RuleBook",
    "RuleFileError",
    "add_business_days",
    "art33_report",
    "assess",
    "assess_case",
    "assess_incident",
    "assess_risk",
    "case_from_dict",
    "compute_deadline",
    "controller_of",
    "coverage",
    "current_assessment",
    "law_stage",
    "load_case",
    "load_rule_file",
    "load_rules",
    "normalise_target",
    "notice_checklists",
    "override_conclusion",
    "packaged_rules",
]
