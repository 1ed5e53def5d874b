"""Playbooks as data: YAML files whose steps become an incident's tasks.

Breachdesk ships ``incident/playbooks/*.yaml``; a workspace adds or overrides them with its
own ``playbooks/*.yaml`` (same ``name``: the workspace's wins). Files are validated on load;
an error names the file and the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from breachdesk.errors import InputFileError, UserInputError

MAX_FILE_BYTES = 1_000_000
WORKSPACE_FOLDER = "playbooks"
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
_OFFSET = re.compile(r"(\d{1,5})\s*([mhdw])")
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

Phase = Literal[
    "contain", "preserve", "investigate", "legal", "assess", "notify", "protect", "learn"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PlaybookStep(_Strict):
    """One step: it becomes one task, due ``due`` after the incident opened (or aware_at)."""

    key: str
    title: str = Field(min_length=1, max_length=300)
    phase: Phase
    owner: str | None = Field(default=None, max_length=120)
    due: str | None = None
    due_from: Literal["opened", "aware"] = Field(default="opened", alias="from")
    description: str = Field(default="", max_length=5000)

    @field_validator("key")
    @classmethod
    def _key_is_a_slug(cls, value: str) -> str:
        if not _SLUG.fullmatch(value):
            raise ValueError("keys use lower-case letters, digits and '-' (at most 80)")
        return value

    @field_validator("due")
    @classmethod
    def _due_is_an_offset(cls, value: str | None) -> str | None:
        if value is not None and not _OFFSET.fullmatch(value.strip()):
            raise ValueError("due is an offset like '30m', '4h', '3d' or '2w'")
        return value

    @property
    def due_offset(self) -> timedelta | None:
        if self.due is None:
            return None
        match = _OFFSET.fullmatch(self.due.strip())
        assert match is not None
        return timedelta(**{_UNIT[match.group(2)]: int(match.group(1))})


class Playbook(_Strict):
    """A named list of steps, with the references it is based on."""

    name: str
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    version: int = 1
    references: list[str] = Field(default_factory=list)
    steps: list[PlaybookStep] = Field(min_length=1, max_length=200)

    @field_validator("name")
    @classmethod
    def _name_is_a_slug(cls, value: str) -> str:
        if not _SLUG.fullmatch(value):
            raise ValueError("names use lower-case letters, digits and '-' (at most 80)")
        return value

    @field_validator("steps")
    @classmethod
    def _keys_are_unique(cls, steps: list[PlaybookStep]) -> list[PlaybookStep]:
        seen: set[str] = set()
        for step in steps:
            if step.key in seen:
                raise ValueError(f"step key {step.key!r} is used twice")
            seen.add(step.key)
        return steps


@dataclass(frozen=True)
class PlaybookSource:
    """Where a playbook was found: ``builtin`` (shipped) or ``workspace``."""

    playbook: Playbook
    origin: Literal["builtin", "workspace"]
    path: str


def load_playbook(text: str, *, path: str) -> Playbook:
    """Parse and validate one playbook; InputFileError with the line of the first problem."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise InputFileError(f"playbook is larger than {MAX_FILE_BYTES:,} bytes", path=path)
    try:
        # Aliases let a small file expand into a huge structure: playbooks need none.
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else None
                raise InputFileError("YAML aliases are not allowed", path=path, line=line)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputFileError(f"not valid YAML: {problem}", path=path, line=line) from None
    if not isinstance(data, dict):
        raise InputFileError("a playbook is a mapping with 'name', 'title' and 'steps'", path=path)
    try:
        return Playbook.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(part) for part in error["loc"]]
        where = ".".join(loc) or "playbook"
        raise InputFileError(
            f"{where}: {error['msg']}", path=path, line=_line_of(node, loc)
        ) from None


def available_playbooks(workspace_root: Path | None) -> dict[str, PlaybookSource]:
    """Shipped playbooks, then the workspace's ``playbooks/*.yaml`` (which win by name)."""
    found: dict[str, PlaybookSource] = {}
    shipped = resources.files("breachdesk.incident").joinpath("playbooks")
    for entry in sorted(shipped.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            book = load_playbook(entry.read_text("utf-8"), path=f"builtin:{entry.name}")
            found[book.name] = PlaybookSource(book, "builtin", f"builtin:{entry.name}")
    if workspace_root is not None:
        folder = workspace_root / WORKSPACE_FOLDER
        if folder.is_dir():
            for file in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
                book = load_playbook(_read(file), path=str(file))
                found[book.name] = PlaybookSource(book, "workspace", str(file))
    return found


def find_playbook(workspace_root: Path | None, name: str) -> Playbook:
    """The playbook called ``name``; UserInputError listing the known ones when absent."""
    books = available_playbooks(workspace_root)
    if name not in books:
        known = ", ".join(sorted(books)) or "none"
        raise UserInputError(f"no playbook {name!r} (known: {known})")
    return books[name].playbook


def _read(file: Path) -> str:
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise InputFileError(f"playbook is larger than {MAX_FILE_BYTES:,} bytes", path=file)
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputFileError("playbook is not UTF-8 text", path=file) from None
    except OSError as exc:
        raise InputFileError(f"cannot read playbook: {exc.strerror}", path=file) from None


def _line_of(node: Any, loc: list[str]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of its nearest existing parent)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            child = node.value[int(part)]
        else:
            child = None
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line
