"""The synthetic retailer and the demo run along the breach path."""

from breachdesk.demo.generate import GenerateOptions, GenerateReport, generate_retailer

__all__ = ["GenerateOptions", "GenerateReport", "generate_retailer"]
