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
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from breachdesk.errors import ConfigError
from breachdesk.model.engines import EngineName

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


class NotifySettings(_Section):
    """Notices to affected people: SMTP delivery, signing, rate limits and the public portal."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    # none: plain SMTP (a local relay); starttls: upgrade on port 25/587; tls: implicit TLS (465).
    smtp_tls: Literal["none", "starttls", "tls"] = "starttls"
    smtp_user: str | None = None
    # The password is never a setting: BREACHDESK_SMTP_PASSWORD or this file (mode 0600).
    smtp_password_file: str | None = None
    smtp_timeout: float = Field(default=30.0, gt=0)
    # AUTH over an unencrypted connection sends the password in clear: refused unless set
    # (a relay on this host or a private link).
    smtp_allow_plain_auth: bool = False
    # PEM certificates to trust for the SMTP server instead of the system's (a private CA).
    smtp_ca_file: str = ""
    connections: int = Field(default=4, ge=1, le=64)
    batch_size: int = Field(default=100, ge=1, le=5000)
    domain_rate: float = Field(default=20.0, ge=0)
    max_attempts: int = Field(default=5, ge=1, le=50)
    retry_base_seconds: float = Field(default=60.0, ge=0)
    lease_seconds: int = Field(default=120, ge=5)
    uncertain_policy: Literal["resend", "assume-sent"] = "resend"
    from_address: str = ""
    from_name: str = ""
    reply_to: str = ""
    official_domain: str = ""
    default_language: str = "en"
    allow_links: bool = False
    portal_path: str = "/verify"
    dkim_selector: str = ""
    dkim_key_path: str = ""
    dkim_algorithm: Literal["rsa-sha256", "ed25519-sha256"] = "rsa-sha256"
    dkim_domain: str = ""
    portal_ip_limit: int = Field(default=20, ge=1)
    portal_ip_window_seconds: int = Field(default=3600, ge=1)
    portal_address_limit: int = Field(default=2, ge=1)
    portal_address_window_seconds: int = Field(default=86400, ge=1)
    portal_min_response_ms: int = Field(default=400, ge=0, le=10000)
    portal_trust_proxy: bool = False


class VolumeParams(_Section):
    """Rows of person data read per principal per hour, against its own and its peers' usual."""

    # Below this many rows in an hour nothing is "bulk", whatever the baseline says: a support
    # agent opening a few dozen customer records is work, not extraction.
    floor_rows: int = 200
    # Robust z-score (x - median) / (1.4826 * MAD) above which an hour stands out; 6 keeps the
    # false-alarm rate tiny on heavy-tailed traffic where 3 (the textbook value) fires daily.
    min_score: float = 6.0
    # A principal with fewer active hours than this has no baseline of its own yet.
    min_baseline_hours: int = 8
    # MAD is 0 for perfectly regular principals; the scale never drops below this share of the
    # median (nor below 1 row), so "12 rows instead of 10" is never an anomaly.
    min_scale_share: float = 0.5
    # An hour this many times the floor is strong evidence on its own.
    strong_factor: float = 10.0


class EnumerationParams(_Section):
    """Walking object ids in order, and paging list endpoints deep (OWASP API1/API6)."""

    # Consecutive ids (allowing gaps of max_gap) read by one principal; people look records up
    # at random, scripts walk them in order. 25 in a row is rare by chance on a large table.
    min_run: int = 25
    max_gap: int = 2
    # A run this long is strong evidence on its own. Runs are counted per ISO week, so a
    # walk spread over several days adds up while random lookups over months do not.
    strong_run: int = 500
    # A principal walking ids on this many days, and on at least half of its active days,
    # is a systematic reader (an order sync following new ids): its runs are weak signals.
    routine_days: int = 7
    # Page number of a list endpoint that nobody reaches by hand.
    deep_page: int = 20
    strong_page: int = 100


class NewSourceParams(_Section):
    """Person data read from a network or user agent new for the principal."""

    # How long a network or user agent stays "new" after its first use.
    window_hours: int = 24
    # A new user agent counts too; turn off where principals use auto-updating browsers.
    user_agents: bool = True


class OffHoursParams(_Section):
    """Person-data reads at hours the principal does not usually work."""

    # An hour of day (UTC) is usual for a principal when it was active in it on at least this
    # many days, or this share of its active days; the hours either side count too (DST).
    min_days: int = 3
    min_day_share: float = 0.2
    # Principals with fewer active days than this are judged against the office hours.
    min_history_days: int = 5


class BulkQueryParams(_Section):
    """Datastore statements reading person tables without a selective predicate."""

    # Columns whose equality or IN restricts a statement to a few records; a time column in
    # WHERE makes an incremental batch (a nightly sync) rather than a dump.
    key_columns: list[str] = Field(default_factory=lambda: ["id", "customer_id", "email"])
    time_columns: list[str] = Field(
        default_factory=lambda: ["updated_at", "created_at", "placed_at", "modified_at"]
    )
    # Rows returned (when the log has them) that make a non-selective read strong evidence.
    strong_rows: int = 10000


class SeverityParams(_Section):
    """How detector evidence adds up to a severity (points per hit strength 1..3)."""

    # Sum of points of distinct detectors for each level; one detector alone counts at most
    # its own strength, so a single weak signal stays low or medium.
    medium: int = 2
    high: int = 5
    critical: int = 8


class DetectSettings(_Section):
    """Detection over the events: thresholds are data (why each value: see the comments)."""

    # Sigma rules folder, relative to the workspace.
    rules: str = "rules"
    # Spark master for engine = "spark" ("local[*]", "spark://host:7077", "yarn").
    spark_master: str = "local[2]"
    # Tables that hold person data; empty: the person source table and every exposure table.
    person_tables: list[str] = Field(default_factory=list)
    # A principal's first days are learnt, not judged (new networks, usual hours).
    learning_days: int = 7
    # Hits of one principal this close in time belong to one alert.
    merge_gap_minutes: int = 120
    # Office hours in the office's time zone, used for principals without a history.
    timezone: str = "UTC"
    office_hours: tuple[int, int] = (8, 19)
    office_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    # Principals reading their own record ("customer:42" reading customer 42) are not extraction.
    self_prefix: str = "customer:"
    # Peer group name -> principal globs; by default a principal's peers share its prefix
    # before ":" ("agent:", "svc:"), colon-less database roles form one group.
    peer_groups: dict[str, list[str]] = Field(default_factory=dict)
    volume: VolumeParams = Field(default_factory=VolumeParams)
    enumeration: EnumerationParams = Field(default_factory=EnumerationParams)
    new_source: NewSourceParams = Field(default_factory=NewSourceParams)
    off_hours: OffHoursParams = Field(default_factory=OffHoursParams)
    bulk_query: BulkQueryParams = Field(default_factory=BulkQueryParams)
    severity: SeverityParams = Field(default_factory=SeverityParams)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value

    @field_validator("office_hours")
    @classmethod
    def _hours_in_a_day(cls, value: tuple[int, int]) -> tuple[int, int]:
        start, end = value
        if not 0 <= start < end <= 24:
            raise ValueError("office_hours is [start, end] with 0 <= start < end <= 24")
        return value

    @field_validator("office_days")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(day not in range(7) for day in value):
            raise ValueError("office_days are weekday numbers, Monday 0 to Sunday 6")
        return value


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
    engine: EngineName = "duckdb"
    controller: ControllerSettings = Field(default_factory=ControllerSettings)
    brand: BrandSettings = Field(default_factory=BrandSettings)
    person_source: PersonSource = Field(default_factory=PersonSource)
    sources: list[LogSource] = Field(default_factory=list)
    exposure: list[Exposure] = Field(default_factory=list)
    canaries: list[Canary] = Field(default_factory=list)
    notify: NotifySettings = Field(default_factory=NotifySettings)

    detect: DetectSettings = Field(default_factory=DetectSettings)
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


# Variables with our prefix that are not settings: secrets (the key, the SMTP password), never
# settings, and the test suite's plumbing.
_NOT_SETTINGS = {"BREACHDESK_KEY", "BREACHDESK_SMTP_PASSWORD"}
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
    "DetectSettings",
    "Exposure",
    "LogSource",
    "NotifySettings",
    "PersonSource",
    "ScopeSettings",
    "Settings",
    "documented_keys",
    "load_settings",
    "read_toml",
    "settings_as_dict",
]
