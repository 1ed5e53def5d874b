"""Loading the rule files: YAML parsed safely, validated by the schema, indexed by jurisdiction.

An error names the file, the key path and its line (``us-ca.yaml:12: obligations.0.recipent:
unknown key``), so a lawyer editing a rule file sees at once what to fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from breachdesk.errors import InputFileError
from breachdesk.law.deadlines import zone
from breachdesk.law.schema import Jurisdiction, RuleFile

MAX_RULE_BYTES = 512_000


class RuleFileError(InputFileError):
    """A rule file is malformed: bad YAML, an unknown or misspelt key, a bad value."""


@dataclass(frozen=True)
class Entry:
    """One jurisdiction and the rule file (regime) that governs it."""

    jurisdiction: Jurisdiction
    rules: RuleFile
    path: str


@dataclass(frozen=True)
class RuleBook:
    """Every loaded rule file, and the index from jurisdiction code to its entry."""

    files: list[tuple[str, RuleFile]]
    by_code: dict[str, Entry] = field(default_factory=dict)

    def entry(self, code: str) -> Entry | None:
        return self.by_code.get(code)

    def __iter__(self) -> Iterator[Entry]:
        return iter(sorted(self.by_code.values(), key=lambda e: e.jurisdiction.code))

    def regime(self, regime: str) -> RuleFile | None:
        return next((r for _, r in self.files if r.regime == regime), None)


def default_rules_dir() -> Path:
    return Path(str(resources.files("breachdesk.law").joinpath("rules")))


def load_rule_file(path: Path) -> RuleFile:
    """One validated rule file; RuleFileError naming the file, key and line otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleFileError(f"cannot read rule file: {exc.strerror}", path=path) from None
    if len(raw) > MAX_RULE_BYTES:
        raise RuleFileError(f"rule file larger than {MAX_RULE_BYTES:,} bytes", path=path)
    try:
        text = raw.decode("utf-8")
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise RuleFileError("rule file is not UTF-8", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise RuleFileError(f"not valid YAML: {problem}", path=path, line=line) from None
    if not isinstance(data, dict):
        raise RuleFileError("a rule file is a YAML mapping (regime, title, …)", path=path)
    try:
        rules = RuleFile.model_validate(data)
    except ValidationError as exc:
        raise _rule_error(exc, path, text) from None
    for jurisdiction in rules.jurisdictions:
        try:
            zone(jurisdiction.timezone)
        except InputFileError:
            raise
        except Exception:
            raise RuleFileError(
                f"jurisdictions.{jurisdiction.code}.timezone: unknown time zone "
                f"{jurisdiction.timezone!r}",
                path=path,
            ) from None
    return rules


def load_rules(directory: Path | None = None, *, files: Iterable[Path] | None = None) -> RuleBook:
    """Every ``*.yaml`` in ``directory`` (default: the packaged rules), checked as a whole."""
    paths = (
        sorted(files)
        if files is not None
        else sorted((directory or default_rules_dir()).glob("*.yaml"))
    )
    loaded: list[tuple[str, RuleFile]] = []
    index: dict[str, Entry] = {}
    regimes: dict[str, str] = {}
    for path in paths:
        rules = load_rule_file(path)
        if rules.regime in regimes:
            raise RuleFileError(
                f"regime {rules.regime!r} is also defined in {regimes[rules.regime]}", path=path
            )
        regimes[rules.regime] = path.name
        loaded.append((path.name, rules))
        for jurisdiction in rules.jurisdictions:
            if jurisdiction.code in index:
                other = index[jurisdiction.code].path
                raise RuleFileError(
                    f"jurisdiction {jurisdiction.code} is also covered by {other}", path=path
                )
            index[jurisdiction.code] = Entry(jurisdiction, rules, path.name)
    return RuleBook(loaded, index)


@cache
def packaged_rules() -> RuleBook:
    """The rule files shipped with Breachdesk (loaded once per process)."""
    return load_rules()


def _rule_error(exc: ValidationError, path: Path, text: str) -> RuleFileError:
    errors = exc.errors()
    # A misspelt key shows as both "unknown" and "missing": the unknown one says more.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = [str(p) for p in first["loc"] if not str(p).startswith("function-")]
    dotted = ".".join(loc) or "(top level)"
    if first["type"] == "extra_forbidden":
        parent = first["loc"][:-1]
        missing = [
            str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"][:-1] == parent
        ]
        close = difflib.get_close_matches(str(first["loc"][-1]), missing, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "check its spelling in docs/law.md"
        message = f"{dotted}: unknown key ({hint})"
    elif first["type"] == "missing":
        message = f"{dotted}: required key is missing"
    else:
        message = f"{dotted}: {first['msg']}"
    more = len(errors) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return RuleFileError(message, path=path, line=_line_of(text, first["loc"]))


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (best effort: the deepest node found)."""
    try:
        node: Any = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line: int | None = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for key, value in node.value:
                if key.value == str(part):
                    line = key.start_mark.line + 1
                    nxt = value
                    break
            if nxt is None:
                return line
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
