"""Breachdesk: a workbench for the day a retailer's customer data leaks.

The public services live in the sub-packages (``inventory``, ``ingest``, ``demo``…); this
module only carries the version.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
