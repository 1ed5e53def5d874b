"""Loading the inventory's data files (lexicon, hash formats, issuers, ids, rules).

Each file is YAML shipped in ``breachdesk/inventory/data``; a malformed one is a
``RuleFileError`` naming the file and the problem, never a crash deep in a classifier.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from breachdesk.errors import InputFileError

DATA_PACKAGE = "breachdesk.inventory.data"


class RuleFileError(InputFileError):
    """One of the inventory's data files (lexicon, formats, rules) is malformed."""


def load_data_file(name: str) -> dict[str, Any]:
    """The parsed YAML data file ``name``; RuleFileError when unreadable or not a mapping."""
    resource = resources.files(DATA_PACKAGE).joinpath(name)
    try:
        text = resource.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"cannot read data file: {exc}", path=name) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = None
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            line = int(mark.line) + 1
        raise RuleFileError(f"not valid YAML: {exc}", path=name, line=line) from None
    if not isinstance(data, dict):
        raise RuleFileError("expected a mapping at the top level", path=name)
    return data


def require(condition: bool, message: str, name: str) -> None:
    """Raise RuleFileError for data file ``name`` unless ``condition`` holds."""
    if not condition:
        raise RuleFileError(message, path=name)


def string_list(value: Any, what: str, name: str) -> list[str]:
    """``value`` checked to be a list of strings."""
    require(
        isinstance(value, list) and all(isinstance(v, str) for v in value),
        f"{what} must be a list of strings",
        name,
    )
    return list(value)
