"""The schema of a rule file (``law/rules/*.yaml``): one regime, its jurisdictions, its duties.

Every model forbids unknown keys, so a typo in a rule file is an error naming the file and the
key instead of a rule silently read as absent. ``docs/law.md`` describes each key.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from breachdesk.model import Category, parse_category

Recipient = Literal["authority", "individuals", "credit_agencies", "public"]
Confidence = Literal["verified", "secondary-source"]
RiskTest = Literal[
    "none",
    "gdpr-risk",
    "gdpr-high-risk",
    "high-risk",
    "real-risk-of-significant-harm",
    "serious-harm",
    "significant-harm",
    "relevant-risk",
]
Cause = Literal["malicious", "accidental", "internal"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Authority(_Strict):
    """Who receives a notice: a regulator, an attorney general, a commissioner."""

    name: str
    contact: str = ""
    portal: str = ""


class Threshold(_Strict):
    """A count of residents, written as the statute words it: ``more_than`` or ``at_least``."""

    more_than: int | None = Field(default=None, ge=0)
    at_least: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> Threshold:
        if (self.more_than is None) == (self.at_least is None):
            raise ValueError("give exactly one of more_than or at_least")
        return self

    def met_by(self, count: int) -> bool:
        if self.more_than is not None:
            return count > self.more_than
        assert self.at_least is not None
        return count >= self.at_least

    def describe(self) -> str:
        if self.more_than is not None:
            return f"more than {self.more_than:,}"
        return f"{self.at_least:,} or more"


class Combination(_Strict):
    """Categories that count together, written ``contact.name + identity.national_id``."""

    categories: frozenset[Category]

    @classmethod
    def parse(cls, text: str) -> Combination:
        parts = [p.strip() for p in text.split("+")]
        if not parts or any(not p for p in parts):
            raise ValueError(f"not a combination of categories: {text!r}")
        return cls(categories=frozenset(parse_category(p) for p in parts))

    def matched_by(self, categories: frozenset[Category]) -> bool:
        return self.categories <= categories

    def describe(self) -> str:
        return " + ".join(sorted(c.value for c in self.categories))


def _combinations(value: object) -> object:
    if isinstance(value, list):
        return [Combination.parse(v) if isinstance(v, str) else v for v in value]
    return value


class PersonalInformation(_Strict):
    """What data a regime protects: any personal data, or only listed combinations."""

    any_personal_data: bool = False
    combinations: list[Combination] = Field(default_factory=list)
    definition: str = ""
    citation: str = ""

    _parse = field_validator("combinations", mode="before")(_combinations)

    @model_validator(mode="after")
    def _something(self) -> PersonalInformation:
        if not self.any_personal_data and not self.combinations:
            raise ValueError("set any_personal_data: true or list combinations")
        return self

    def matches(self, categories: frozenset[Category]) -> list[Combination]:
        return [c for c in self.combinations if c.matched_by(categories)]


class Trigger(_Strict):
    """One condition of an any-of list (e.g. APPI's four reportable situations)."""

    label: str
    citation: str = ""
    data_any: list[Category] = Field(default_factory=list)
    combinations: list[Combination] = Field(default_factory=list)
    cause: list[Cause] = Field(default_factory=list)
    residents: Threshold | None = None
    large_scale: bool = False
    vulnerable_people: bool = False
    risk_test: RiskTest | None = None

    _parse = field_validator("combinations", mode="before")(_combinations)

    @model_validator(mode="after")
    def _exactly_one(self) -> Trigger:
        given = [
            self.risk_test is not None,
            bool(self.data_any),
            bool(self.combinations),
            bool(self.cause),
            self.residents is not None,
            self.large_scale,
            self.vulnerable_people,
        ]
        if sum(given) != 1:
            raise ValueError(
                "a trigger takes exactly one of data_any, combinations, cause, residents, "
                "large_scale, vulnerable_people, risk_test"
            )
        return self


DeadlineStart = Literal["awareness", "determination", "individuals-notice"]


class Deadline(_Strict):
    """When a notice is due: the statute's words, and a computable bound where there is one.

    ``within`` empty means the statute sets no number ("most expedient time possible"); with a
    number and ``outer_bound: true`` the words ("without undue delay") are the real standard
    and the number only the latest acceptable moment.
    """

    standard: str
    within: int | None = Field(default=None, ge=0)
    unit: Literal["hours", "days"] = "days"
    count: Literal["calendar", "business"] = "calendar"
    start: DeadlineStart = Field(default="awareness", alias="from")
    outer_bound: bool = False

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _business_days_only(self) -> Deadline:
        if self.unit == "hours" and self.count == "business":
            raise ValueError("business counting applies to days, not hours")
        return self

    def describe(self) -> str:
        if self.within is None:
            return self.standard
        unit = self.unit if self.within != 1 else self.unit[:-1]
        kind = f"{self.count} " if self.unit == "days" else ""
        start = {
            "awareness": "awareness",
            "determination": "the determination that notice is required",
            "individuals-notice": "notifying individuals",
        }[self.start]
        bound = f"{self.within} {kind}{unit} after {start}"
        if self.outer_bound:
            return f"{self.standard}; at the latest {bound}"
        return f"{self.standard} ({bound})" if self.standard else bound


Exemption = Literal["encryption"]


class ObligationRule(_Strict):
    """One duty of a regime: tell this recipient when these conditions hold, by this deadline."""

    recipient: Recipient
    name: str = Field(default="", pattern=r"^[a-z0-9-]*$")
    authority: Authority | None = None
    data: Literal["covered", "any"] = "covered"
    risk_test: RiskTest = "none"
    triggers: list[Trigger] = Field(default_factory=list)
    threshold: Threshold | None = None
    exemptions: list[Exemption] = Field(default_factory=list)
    unless_cause: list[Cause] = Field(default_factory=list)
    harm_exemption: str = ""
    deadline: Deadline
    content: list[str] = Field(default_factory=list)
    citation: str
    notes: str = ""
    effective_from: date | None = None
    effective_until: date | None = None
    confidence: Confidence | None = None

    def in_force(self, day: date) -> bool:
        if self.effective_from is not None and day < self.effective_from:
            return False
        return not (self.effective_until is not None and day >= self.effective_until)


class Jurisdiction(_Strict):
    """A place whose residents a regime protects, with the authority that receives notices."""

    code: str
    name: str
    authority: Authority
    timezone: str = "UTC"
    holidays: list[date] = Field(default_factory=list)
    notes: str = ""
    # How sure the authority's name, contact and portal are (the law's rules: the file's).
    confidence: Confidence | None = None

    @field_validator("code")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.strip().upper()


class Source(_Strict):
    cite: str
    url: str = ""


class RuleFile(_Strict):
    """One rule file: a regime (a law), the jurisdictions it covers and its obligations."""

    regime: str
    title: str
    law: str
    effective_from: date
    confidence: Confidence
    reviewed: date | None = None
    sources: list[Source] = Field(default_factory=list)
    personal_information: PersonalInformation
    one_stop_shop: bool = False
    jurisdictions: list[Jurisdiction] = Field(min_length=1)
    obligations: list[ObligationRule] = Field(min_length=1)
    content_checklist: list[str] = Field(default_factory=list)
    notice_title: str = ""
    notice_headings: list[str] = Field(default_factory=list)
    notes: str = ""

    @field_validator("regime")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", value):
            raise ValueError("regime ids are lower-case letters, digits and '-'")
        return value
