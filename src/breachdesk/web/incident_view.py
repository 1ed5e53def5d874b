"""What the incident page shows, read through the services' public names only.

Counts, never identities: the scope summary is the latest run's per-country and
per-category counts, and the notice campaign is counts per state. Every string here may
come from logs or people; the templates escape it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from breachdesk.errors import UserInputError
from breachdesk.incident import (
    clock_text,
    custody_report,
    list_entries,
    list_evidence,
    list_tasks,
    parse_time,
    show_incident,
)
from breachdesk.law import Assessment, RuleFileError, current_assessment
from breachdesk.model.incident import (
    CustodyItem,
    EvidenceItem,
    IncidentCase,
    TaskItem,
    TimelineItem,
    TimelineKind,
)
from breachdesk.notify import STATES, CampaignStatus, campaign_status, default_campaign
from breachdesk.scope import list_runs
from breachdesk.workspace import Workspace

# Entries drawn and listed on one page (two per alert, plus the team's own).
TIMELINE_LIMIT = 2_000


@dataclass(frozen=True)
class ClockView:
    """The regulatory clock: when the organisation became aware, and the nearest deadline."""

    aware_at: datetime | None
    aware_reason: str
    deadline_at: datetime | None
    seconds_left: int | None
    text: str | None  # clock_text of the nearest open deadline

    @property
    def overdue(self) -> bool:
        return self.seconds_left is not None and self.seconds_left < 0


@dataclass(frozen=True)
class ScopeView:
    """The latest scope run, as counts (no names, no keys)."""

    run_id: int
    runs: int
    finished_at: datetime
    actor: str
    engine: str
    affected: int
    by_country: tuple[tuple[str, int], ...]
    by_category: tuple[tuple[str, int], ...]
    by_confidence: tuple[tuple[str, int], ...]
    notes: tuple[tuple[str, str, int], ...]  # kind, reason, events


@dataclass(frozen=True)
class ObligationRow:
    """One conclusion of the law assessment, with the time left to its deadline."""

    key: str
    jurisdiction: str
    jurisdiction_name: str
    recipient: str
    authority: str | None
    required: bool
    deadline_at: datetime | None
    deadline_rule: str
    seconds_left: int | None
    citation: str
    reason: str
    residents: int
    needs_review: bool
    overridden: bool

    @property
    def overdue(self) -> bool:
        return self.seconds_left is not None and self.seconds_left < 0


@dataclass(frozen=True)
class ObligationsView:
    assessed_at: datetime
    risk: str
    obligations: tuple[ObligationRow, ...]

    @property
    def required(self) -> tuple[ObligationRow, ...]:
        return tuple(o for o in self.obligations if o.required)


@dataclass(frozen=True)
class CampaignView:
    """Progress of the incident's notice campaign: notices per state."""

    campaign: str
    total: int
    by_state: tuple[tuple[str, int], ...]
    needs_other_channel: int
    first_sent_at: str | None
    last_sent_at: str | None
    done: bool

    @property
    def sent(self) -> int:
        return dict(self.by_state).get("sent", 0)


@dataclass(frozen=True)
class EvidenceRow:
    """A piece of evidence and the last time its stored copy was re-hashed."""

    item: EvidenceItem
    checked_at: datetime | None
    checked_by: str | None
    intact: bool | None  # None: never checked
    check_note: str


@dataclass(frozen=True)
class VerifySummary:
    """The latest ``verify`` of the incident's evidence: when, by whom, how many intact."""

    at: datetime
    actor: str
    intact: int
    failed: int

    @property
    def ok(self) -> bool:
        return self.failed == 0


@dataclass(frozen=True)
class TimelineFilter:
    """Which entries the timeline shows: kinds (empty: all) and a time window."""

    kinds: tuple[TimelineKind, ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    @property
    def active(self) -> bool:
        return bool(self.kinds) or self.since is not None or self.until is not None


@dataclass(frozen=True)
class IncidentView:
    """Everything the incident page draws, read at ``now``."""

    case: IncidentCase
    clock: ClockView
    timeline: tuple[TimelineItem, ...]
    timeline_total: int  # entries matching the filter; more than shown when capped
    timeline_filter: TimelineFilter
    tasks: tuple[TaskItem, ...]
    evidence: tuple[EvidenceRow, ...]
    last_verify: VerifySummary | None
    scope: ScopeView | None
    obligations: ObligationsView | None
    campaign: CampaignView | None
    now: datetime

    @property
    def id(self) -> str:
        return self.case.id


def parse_filter(
    kinds: Sequence[str] = (), since: str | None = None, until: str | None = None
) -> TimelineFilter:
    """A filter from form values; UserInputError naming the bad one."""
    chosen: list[TimelineKind] = []
    for value in kinds:
        try:
            chosen.append(TimelineKind(value))
        except ValueError:
            raise UserInputError(f"unknown timeline kind {value[:40]!r}") from None
    start = parse_time(since, what="since") if since else None
    end = parse_time(until, what="until") if until else None
    if start is not None and end is not None and start > end:
        raise UserInputError("the timeline's 'since' is after its 'until'")
    return TimelineFilter(tuple(dict.fromkeys(chosen)), start, end)


def incident_view(
    workspace: Workspace,
    incident_id: str,
    *,
    timeline_filter: TimelineFilter | None = None,
    timeline_limit: int = TIMELINE_LIMIT,
    now: datetime | None = None,
) -> IncidentView:
    """The incident page's content; UnknownIncident when there is no such incident.

    The timeline keeps its first ``timeline_limit`` entries (in time order) so one page
    stays small whatever the incident's size; the filter narrows it to the rest.
    """
    when = (now or datetime.now(UTC)).astimezone(UTC)
    chosen = timeline_filter or TimelineFilter()
    case = show_incident(workspace, incident_id, now=when)
    rows, last_verify = evidence_of(
        list_evidence(workspace, incident_id), custody_report(workspace, incident_id)
    )
    entries = list_entries(
        workspace, incident_id, since=chosen.since, until=chosen.until, kinds=chosen.kinds
    )
    return IncidentView(
        case=case,
        clock=clock_of(case),
        timeline=tuple(entries[:timeline_limit]),
        timeline_total=len(entries),
        timeline_filter=chosen,
        tasks=tuple(list_tasks(workspace, incident_id)),
        evidence=rows,
        last_verify=last_verify,
        scope=scope_of(list_runs(workspace, incident_id)),
        obligations=obligations_of(workspace, incident_id, when),
        campaign=campaign_of(workspace, incident_id),
        now=when,
    )


def clock_of(case: IncidentCase) -> ClockView:
    deadline = case.summary.clock
    return ClockView(
        aware_at=case.summary.aware_at,
        aware_reason=case.awareness.reason if case.awareness else "",
        deadline_at=deadline.deadline_at if deadline else None,
        seconds_left=deadline.seconds_left if deadline else None,
        text=clock_text(deadline) if deadline else None,
    )


def evidence_of(
    items: Sequence[EvidenceItem], custody: Sequence[CustodyItem]
) -> tuple[tuple[EvidenceRow, ...], VerifySummary | None]:
    """Each item with its latest check, and the outcome of the latest verify run."""
    # "collected" events carry a hash too; only re-hashes of the stored copy are checks.
    checks = [c for c in custody if c.action == "verified" or c.action.startswith("verify-")]
    latest: dict[int, CustodyItem] = {}
    for check in sorted(checks, key=lambda c: c.at):
        latest[check.evidence_id] = check
    rows = tuple(
        EvidenceRow(
            item=item,
            checked_at=latest[item.id].at if item.id in latest else None,
            checked_by=latest[item.id].actor if item.id in latest else None,
            intact=latest[item.id].hash_ok if item.id in latest else None,
            check_note=latest[item.id].note if item.id in latest else "",
        )
        for item in items
    )
    if not checks:
        return rows, None
    # One verify run records every check with the same time.
    last_at = max(c.at for c in checks)
    run = [c for c in checks if c.at == last_at]
    summary = VerifySummary(
        at=last_at,
        actor=run[0].actor,
        intact=sum(1 for c in run if c.hash_ok),
        failed=sum(1 for c in run if not c.hash_ok),
    )
    return rows, summary


def scope_of(runs: Sequence[Mapping[str, Any]]) -> ScopeView | None:
    """The latest run of ``list_runs`` as counts; None before the first run."""
    if not runs:
        return None
    last = runs[-1]
    summary: Mapping[str, Any] = last.get("summary") or {}
    notes = tuple(
        (str(n.get("kind", "")), str(n.get("reason", "")), int(n.get("events") or 0))
        for n in summary.get("notes") or ()
        if isinstance(n, Mapping)
    )
    return ScopeView(
        run_id=int(last["run"]),
        runs=len(runs),
        finished_at=datetime.fromisoformat(str(last["finished_at"])),
        actor=str(last["actor"]),
        engine=str(last["engine"]),
        affected=int(last["affected"]),
        by_country=_counts(summary.get("by_country")),
        by_category=_counts(summary.get("by_category")),
        by_confidence=_counts(summary.get("by_confidence")),
        notes=notes,
    )


def obligations_of(workspace: Workspace, incident_id: str, now: datetime) -> ObligationsView | None:
    """The assessment as it stands; None while the incident has not been assessed."""
    try:
        assessment = current_assessment(workspace, incident_id)
    except RuleFileError:
        raise  # broken rules must show as an error, not as "not assessed"
    except UserInputError:
        return None
    return obligations_view(assessment, now)


def obligations_view(assessment: Assessment, now: datetime) -> ObligationsView:
    rows = tuple(
        ObligationRow(
            key=c.key,
            jurisdiction=c.jurisdiction,
            jurisdiction_name=c.jurisdiction_name,
            recipient=str(c.recipient),
            authority=c.authority,
            required=c.required,
            deadline_at=c.deadline,
            deadline_rule=c.deadline_rule,
            seconds_left=int((c.deadline - now).total_seconds()) if c.deadline else None,
            citation=c.citation,
            reason=c.reason,
            residents=c.residents,
            needs_review=c.needs_review,
            overridden=c.overridden,
        )
        for c in assessment.conclusions
    )
    # Required duties first, the most urgent on top; the rest in the assessment's order.
    ordered = sorted(
        rows,
        key=lambda r: (not r.required, r.deadline_at is None, r.deadline_at or now),
    )
    return ObligationsView(assessment.assessed_at, str(assessment.risk.level), tuple(ordered))


def campaign_of(workspace: Workspace, incident_id: str) -> CampaignView | None:
    """The incident's notice campaign (``INCIDENT-C1``); None before one is planned."""
    try:
        status = campaign_status(workspace, default_campaign(incident_id))
    except UserInputError:
        return None
    return campaign_view(status)


def campaign_view(status: CampaignStatus) -> CampaignView:
    states = tuple((state, int(status.by_state.get(state, 0))) for state in STATES)
    extra = tuple(
        (state, int(n)) for state, n in sorted(status.by_state.items()) if state not in STATES
    )
    return CampaignView(
        campaign=status.campaign,
        total=status.total,
        by_state=states + extra,
        needs_other_channel=status.needs_other_channel,
        first_sent_at=status.first_sent_at,
        last_sent_at=status.last_sent_at,
        done=status.done,
    )


def _counts(value: object) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, Mapping):
        return ()
    pairs = [(str(k), int(v)) for k, v in value.items() if int(v) > 0]
    return tuple(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))
