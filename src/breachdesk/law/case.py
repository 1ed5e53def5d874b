"""The facts of a breach that the law is applied to: when, what data, whose, how it happened.

A case comes from a JSON file (``--case``), from an incident's scope, or from the demo; it is
validated here so every later step can trust its codes, categories and times.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from breachdesk.errors import InputFileError, UserInputError
from breachdesk.law.codes import normalise_code
from breachdesk.law.schema import Cause
from breachdesk.model import Category, parse_category

MAX_CASE_BYTES = 1_000_000


class Case(BaseModel):
    """A breach as the law sees it. Times are aware UTC; codes are canonical ISO 3166."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    aware_at: datetime
    categories: frozenset[Category]
    encrypted: bool = False
    key_compromised: bool = False
    cause: Cause
    residents: dict[str, int]
    controller_establishment: str
    # Optional facts that refine the risk score (see risk.py); defaults are stated there.
    determined_at: datetime | None = None
    recipients: Literal["known", "unknown"] | None = None
    integrity_loss: Literal["none", "recoverable", "irrecoverable"] = "none"
    availability_loss: Literal["none", "temporary", "permanent"] = "none"
    reveals_status: bool = False
    vulnerable_people: bool = False
    large_scale: bool = False
    records: int | None = Field(default=None, ge=0)
    description: str = ""

    @field_validator("aware_at", "determined_at", mode="after")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("give a time zone (e.g. 2026-11-03T09:00:00Z)")
        return value.astimezone(UTC)

    @field_validator("categories", mode="before")
    @classmethod
    def _categories(cls, value: object) -> object:
        if isinstance(value, list | tuple | set | frozenset):
            return frozenset(parse_category(str(v)) for v in value)
        return value

    @field_validator("residents", mode="before")
    @classmethod
    def _residents(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        merged: dict[str, int] = {}
        for raw, count in value.items():
            code = normalise_code(str(raw))
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise ValueError(f"residents[{raw!r}] must be a whole number ≥ 0")
            merged[code] = merged.get(code, 0) + count
        return merged

    @field_validator("controller_establishment", mode="before")
    @classmethod
    def _establishment(cls, value: object) -> object:
        return normalise_code(str(value), where="controller_establishment")

    @property
    def total_residents(self) -> int:
        return sum(self.residents.values())

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["categories"] = sorted(data["categories"])
        return data


def case_from_dict(data: dict[str, Any], *, source: str = "case") -> Case:
    """A validated case; UserInputError naming the field (and ``source``) otherwise."""
    if not isinstance(data, dict):
        raise UserInputError(f"{source}: a case is a JSON object")
    if data.get("aware_at") in (None, ""):
        raise UserInputError(
            f"{source}: 'aware_at' is missing; it starts every regulatory clock — give the "
            'moment of awareness with a time zone, e.g. "2026-11-03T09:00:00Z"'
        )
    try:
        return Case.model_validate(data)
    except UserInputError as exc:
        raise UserInputError(f"{source}: {exc.message}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(top level)"
        if first["type"] == "extra_forbidden":
            message = f"unknown case field '{loc}'"
        elif first["type"] == "missing":
            message = f"case field '{loc}' is missing"
        else:
            message = f"case field '{loc}': {first['msg']}"
        raise UserInputError(f"{source}: {message}") from None


def load_case(path: Path) -> Case:
    """The case in the JSON file at ``path``; InputFileError naming the file otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read the case file: {exc.strerror}", path=path) from None
    if len(raw) > MAX_CASE_BYTES:
        raise InputFileError(f"case file larger than {MAX_CASE_BYTES:,} bytes", path=path)
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputFileError(f"not valid JSON: {exc}", path=path, line=line) from None
    try:
        return case_from_dict(data, source="case")
    except UserInputError as exc:
        message = exc.message.removeprefix("case: ")
        raise InputFileError(message, path=path) from None


def now_utc() -> datetime:
    return datetime.now(UTC)
