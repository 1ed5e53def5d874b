"""The incident as the incident service hands it out: the case, its clock, timeline, tasks,
evidence with its chain of custody, and the snapshot that exports and reports are built from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    """Where the response stands; ``closed`` freezes the case until it is reopened (only
    evidence checks still run on a closed case)."""

    OPEN = "open"
    INVESTIGATING = "investigating"
    CONTAINED = "contained"
    RECOVERING = "recovering"
    CLOSED = "closed"


class CsfFunction(StrEnum):
    """The NIST CSF 2.0 function the response is in (SP 800-61 Rev. 3 organises IR by them)."""

    DETECT = "detect"
    RESPOND = "respond"
    RECOVER = "recover"


class TimelineKind(StrEnum):
    """Where a timeline entry came from."""

    FIRST_EVENT = "first-malicious-event"
    LAST_EVENT = "last-malicious-event"
    ANALYST = "analyst"
    CONTAINMENT = "containment"
    CASE = "case"
    EVIDENCE = "evidence"


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    SKIPPED = "skipped"


class ExportFormat(StrEnum):
    VERIS = "veris"
    STIX = "stix"
    TIMESKETCH = "timesketch"


@dataclass(frozen=True)
class Change:
    """One recorded change of a key fact of the case (status, function, aware_at, …)."""

    at: datetime
    actor: str
    field: str
    old: str | None
    new: str | None
    reason: str = ""


@dataclass(frozen=True)
class Awareness:
    """When the organisation became reasonably certain personal data was compromised."""

    at: datetime
    set_by: str
    set_at: datetime
    reason: str


@dataclass(frozen=True)
class Deadline:
    """The nearest open obligation deadline: what the regulatory clock shows."""

    obligation_id: int
    jurisdiction: str
    recipient: str
    deadline_at: datetime
    deadline_text: str
    citation: str
    seconds_left: int
    open_obligations: int

    @property
    def overdue(self) -> bool:
        return self.seconds_left < 0


@dataclass(frozen=True)
class IncidentSummary:
    """One line of ``incident list``."""

    id: str
    title: str
    status: Status
    function: CsfFunction
    aware_at: datetime | None
    contained_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    alerts: int
    clock: Deadline | None


@dataclass(frozen=True)
class IncidentCase:
    """Everything ``incident show`` tells about one incident."""

    summary: IncidentSummary
    description: str
    awareness: Awareness | None
    alert_ids: tuple[str, ...]
    history: tuple[Change, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.summary.id


@dataclass(frozen=True)
class TimelineItem:
    id: int
    incident_id: str
    at: datetime
    kind: TimelineKind
    text: str
    actor: str
    source_ref: str | None


@dataclass(frozen=True)
class TaskItem:
    id: int
    incident_id: str
    title: str
    status: TaskStatus
    owner: str | None
    due_at: datetime | None
    done_at: datetime | None
    playbook: str | None
    step: str | None
    phase: str | None
    description: str
    position: int


@dataclass(frozen=True)
class EvidenceItem:
    """A stored piece of evidence; ``stored_path`` is its content-addressed copy."""

    id: int
    incident_id: str
    sha256: str
    name: str
    size: int
    media_type: str
    description: str
    collected_by: str
    collected_at: datetime
    stored_path: str
    new: bool = True


@dataclass(frozen=True)
class CustodyItem:
    """One handling of a piece of evidence (chain of custody)."""

    evidence_id: int
    evidence_name: str
    evidence_sha256: str
    at: datetime
    actor: str
    action: str
    note: str
    checked_sha256: str | None
    hash_ok: bool | None


class CheckOutcome(StrEnum):
    INTACT = "intact"
    CHANGED = "changed"
    MISSING = "missing"


@dataclass(frozen=True)
class EvidenceCheck:
    evidence_id: int
    name: str
    sha256: str
    outcome: CheckOutcome
    found_sha256: str | None


@dataclass(frozen=True)
class VerifyResult:
    incident_id: str
    checks: tuple[EvidenceCheck, ...]

    @property
    def ok(self) -> bool:
        return all(c.outcome is CheckOutcome.INTACT for c in self.checks)


@dataclass(frozen=True)
class AlertView:
    """An alert of the detection stage, as the incident uses it."""

    id: str
    severity: str
    detectors: tuple[str, ...]
    principals: tuple[str, ...]
    src_ips: tuple[str, ...]
    start: datetime
    end: datetime
    events: int
    objects: int


@dataclass(frozen=True)
class ObligationView:
    id: int
    jurisdiction: str
    recipient: str
    required: bool
    reason: str
    deadline_at: datetime | None
    deadline_text: str
    citation: str
    status: str


@dataclass(frozen=True)
class ScopeSummary:
    """Counts only: how many persons, per category and per country (no identities)."""

    persons: int
    categories: dict[str, int]
    countries: dict[str, int]
    # Persons per distinct set of categories lost, so any regrouping counts each person once.
    combinations: tuple[tuple[tuple[str, ...], int], ...] = ()


@dataclass(frozen=True)
class IncidentSnapshot:
    """All an export or report needs, read in one transaction."""

    case: IncidentCase
    controller_name: str
    controller_country: str
    alerts: tuple[AlertView, ...]
    timeline: tuple[TimelineItem, ...]
    tasks: tuple[TaskItem, ...]
    evidence: tuple[EvidenceItem, ...]
    custody: tuple[CustodyItem, ...]
    scope: ScopeSummary
    obligations: tuple[ObligationView, ...]
    notices: dict[str, int]
    taken_at: datetime


@dataclass(frozen=True)
class WrittenFile:
    """An export or report written to disk (its hash goes to the audit log)."""

    incident_id: str
    format: str
    path: str
    sha256: str
    bytes: int
