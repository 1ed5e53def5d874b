"""The names of the analytics engines, kept apart from the engines themselves so that a
command-line option can name them without importing Ibis.
"""

from typing import Literal

EngineName = Literal["duckdb", "spark"]
ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")

__all__ = ["ENGINES", "EngineName"]
