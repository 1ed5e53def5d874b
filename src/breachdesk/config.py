"""Settings: ``breachdesk.toml`` in the workspace, overridden by ``BREACHDESK_*`` variables.

Unknown keys are errors (a typo must not silently fall back to a default); every error names
the key, the file and, where it can be found, the line.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from breachdesk.errors import ConfigError

CONFIG_NAME = "breachdesk.toml"
ENV_PREFIX = "BREACHDESK_"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ControllerSettings(_Section):
    """The organisation responsible for the data (the GDPR 'controller')."""

    name: str = "Example Retail Ltd"
    country: str = "GB"
    contact_email: str = "privacy@example.com"


class BrandSettings(_Section):
    """The brand customers know, and the domains it really sends mail and links from."""

    name: str = "Example"
    domains: list[str] = Field(default_factory=list)


class PersonSource(_Section):
    """The table that identifies people; opened read-only. Values are column names."""

    url: str = ""
    table: str = "customers"
    key: str = "id"
    email: str = "email"
    name: str | None = "full_name"
    language: str | None = None
    country: str | None = None
    region: str | None = None
    postal_code: str | None = None


LogFormat = Literal["nginx", "apache", "jsonl", "pgaudit", "mysql-general", "cloudtrail"]


class LogSource(_Section):
    """A log source for ``breachdesk ingest``: where its files are and how to read them."""

    name: str
    format: LogFormat
    paths: list[str]
    timezone: str = "UTC"
    log_format: str | None = None
    # JSON-lines only: event field -> JSON key (dotted for nested objects).
    fields: dict[str, str] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name_is_a_path_segment(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", value):
            raise ValueError("source names may use letters, digits, '.', '_' and '-' only")
        return value


class Exposure(_Section):
    """What a route or a table exposes: which rows (by ``key``) and which columns."""

    table: str
    columns: list[str]
    route: str | None = None
    key: str | None = None
    # object: one row per request (by key); list: pages of rows; search; table: bulk access.
    kind: Literal["object", "list", "search", "table"] = "object"
    # list routes: rows come ordered by ``order_by``, page ``page_param`` of ``size_param``.
    order_by: str | None = None
    page_param: str = "page"
    size_param: str = "per_page"


class Canary(_Section):
    """A planted record whose any use proves the data left the house."""

    key: str
    email: str | None = None
    note: str = ""


class ScopeSettings(_Section):
    """How ``breachdesk scope`` reads the person source: replay limits and table facts."""

    # Each replayed statement is cancelled after this long (read-only transaction either way).
    statement_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    # table -> column holding the row's creation time; unset: a column named created_at.
    created_at: dict[str, str] = Field(default_factory=dict)
    # table -> column holding the person's key; unset: <person table singular>_id if present.
    person_links: dict[str, str] = Field(default_factory=dict)


class Settings(BaseSettings):
    """All settings of one workspace."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    database_url: str | None = None
    engine: Literal["duckdb", "spark"] = "duckdb"
    controller: ControllerSettings = Field(default_factory=ControllerSettings)
    brand: BrandSettings = Field(default_factory=BrandSettings)
    person_source: PersonSource = Field(default_factory=PersonSource)
    sources: list[LogSource] = Field(default_factory=list)
    exposure: list[Exposure] = Field(default_factory=list)
    canaries: list[Canary] = Field(default_factory=list)
    scope: ScopeSettings = Field(default_factory=ScopeSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's contents arrive as init kwargs; the environment must win over the file.
        return (env_settings, init_settings)


# Variables with our prefix that are not settings: the key (a secret, never a setting) and
# the test suite's plumbing.
_NOT_SETTINGS = {"BREACHDESK_KEY"}
_NOT_SETTINGS_PREFIX = "BREACHDESK_TEST_"


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed TOML file; ConfigError with the line when it does not parse."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("no settings file; run 'breachdesk init' here", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read settings: {exc}", path=path) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 puts the position only in the message: "... (at line 2, column 7)".
        found = re.search(r"\s*\(at line (\d+), column \d+\)$", str(exc))
        line = int(found.group(1)) if found else None
        msg = str(exc)[: found.start()] if found else str(exc)
        raise ConfigError(f"not valid TOML: {msg}", path=path, line=line) from None


def load_settings(path: Path) -> Settings:
    """Settings from the TOML file at ``path`` and the ``BREACHDESK_*`` environment."""
    data = read_toml(path)
    _check_environment(path)
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise _config_error(exc, path) from None


def _check_environment(path: Path) -> None:
    """A mistyped ``BREACHDESK_*`` variable is an error, as a mistyped key in the file is."""
    known = {name.upper() for name in Settings.model_fields}
    for var in sorted(os.environ):
        if not var.startswith(ENV_PREFIX) or var in _NOT_SETTINGS:
            continue
        if var.startswith(_NOT_SETTINGS_PREFIX):
            continue
        top = var[len(ENV_PREFIX) :].split("__", 1)[0]
        if top not in known:
            raise ConfigError(f"unknown setting from the environment: {var}", path=path)


def _config_error(exc: ValidationError, path: Path) -> ConfigError:
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"]]
    dotted = ".".join(loc) or "(top level)"
    if first["type"] == "extra_forbidden":
        message = f"unknown setting '{dotted}'"
        if loc and loc[0].upper().startswith(ENV_PREFIX):
            message += " (from the environment)"
    else:
        message = f"setting '{dotted}': {first['msg']}"
    more = len(exc.errors()) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ConfigError(message, path=path, line=_line_of(path, loc))


def _line_of(path: Path, loc: list[str]) -> int | None:
    """Best effort: the line where the last named key of ``loc`` is set in the file."""
    names = [p for p in loc if not p.isdigit()]
    if not names:
        return None
    key = re.escape(names[-1])
    pattern = re.compile(rf"^\s*(\[+\s*)?([\w.]*\.)?{key}\s*(=|\]|\.)")
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.match(line):
                return number
    except (OSError, UnicodeDecodeError):
        return None
    return None


def settings_as_dict(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain JSON-able data (for ``config show``)."""
    return settings.model_dump(mode="json")


def documented_keys() -> list[str]:
    """Every settings key as ``section.key`` (``sources[].name`` for lists of tables)."""
    keys: list[str] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            annotation: object = info.annotation
            is_list = get_origin(annotation) is list
            inner = get_args(annotation)[0] if is_list else annotation
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                walk(inner, f"{prefix}{name}{'[]' if is_list else ''}.")
            else:
                keys.append(f"{prefix}{name}")

    walk(Settings, "")
    return keys


__all__ = [
    "CONFIG_NAME",
    "Canary",
    "ControllerSettings",
    "Exposure",
    "LogSource",
    "PersonSource",
    "ScopeSettings",
    "Settings",
    "documented_keys",
    "load_settings",
    "read_toml",
    "settings_as_dict",
]
