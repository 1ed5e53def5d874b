"""The synthetic retailer and the demo run along the breach path.

The generator (Faker, numpy, argon2) loads on first use, so importing ``breachdesk.demo``
(for its stages, say) stays cheap for every other command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from breachdesk.demo.generate import GenerateOptions, GenerateReport, generate_retailer

__all__ = ["GenerateOptions", "GenerateReport", "generate_retailer"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from breachdesk.demo import generate

        return getattr(generate, name)
    raise AttributeError(f"module 'breachdesk.demo' has no attribute {name!r}")
