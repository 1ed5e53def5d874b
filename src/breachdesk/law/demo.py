"""The law stage of ``breachdesk demo``: assess the demo breach and show who must be told.

Until the scope stage exists, the case is derived from the demo workspace itself: residents
counted from the person source (the customers listed as affected in ``truth.json`` when it is
there, else all customers), names + emails + locations, malicious, the controller's country.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url

from breachdesk.demo.stages import StageOutcome
from breachdesk.errors import BreachdeskError, SourceUnavailable, UserInputError
from breachdesk.law.assess import Assessment, assess
from breachdesk.law.case import case_from_dict, now_utc
from breachdesk.law.codes import normalise_code
from breachdesk.law.deadlines import iso_utc
from breachdesk.law.loader import packaged_rules
from breachdesk.law.records import case_from_scope, save_assessment
from breachdesk.store.tables import Incident
from breachdesk.workspace import Workspace

DEMO_CATEGORIES = [
    "contact.name",
    "contact.email",
    "location.city",
    "location.region",
    "location.country",
]
_CHUNK = 500
DESCRIPTION = (
    "Demo: a support agent's API token used at night to page through customers, and a bulk "
    "SELECT of names, emails and locations."
)


def law_stage(workspace: Workspace) -> StageOutcome:
    """Assess the demo incident from its scope (or from the demo data when scope has not
    stored anyone yet) and report who must be told, by when."""
    incident_id, aware_at = _latest_incident(workspace)
    case = None
    if incident_id is not None and aware_at is not None:
        try:
            case = case_from_scope(
                workspace.store,
                incident_id,
                cause="malicious",
                controller_establishment=workspace.settings.controller.country,
            ).model_copy(update={"reveals_status": True, "description": DESCRIPTION})
        except UserInputError:
            case = None  # no affected persons stored yet
    if case is not None:
        basis = f"the {sum(case.residents.values()):,} affected persons stored by scope"
    else:
        residents, basis = demo_residents(workspace)
        case = case_from_dict(
            {
                "aware_at": (aware_at or now_utc()).isoformat(),
                "categories": DEMO_CATEGORIES,
                "encrypted": False,
                "key_compromised": False,
                "cause": "malicious",
                "residents": residents,
                "controller_establishment": workspace.settings.controller.country,
                "reveals_status": True,
                "description": DESCRIPTION,
            },
            source="demo case",
        )
    assessment = assess(case)
    if incident_id is not None:
        save_assessment(workspace.store, incident_id, assessment, actor="demo")
    return StageOutcome("done", _lines(assessment, basis, incident_id), _figures(assessment))


def demo_residents(workspace: Workspace) -> tuple[dict[str, int], str]:
    """Residents per jurisdiction code from the person source, and a sentence saying how."""
    source = workspace.settings.person_source
    if not source.url:
        raise SourceUnavailable("person_source.url is not set: the law stage needs the customers")
    url = make_url(workspace.resolve_url(source.url))
    if url.get_backend_name() != "sqlite" or not url.database:
        raise SourceUnavailable("the demo law stage reads a SQLite person source only")
    path = Path(url.database)
    if not path.exists():
        raise SourceUnavailable(f"person source {path} does not exist")
    affected = _truth_ids(workspace.root / "truth.json")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        columns = {row[1] for row in connection.execute(f'PRAGMA table_info("{source.table}")')}
        country = source.country or ("country" if "country" in columns else None)
        region = source.region or ("region" if "region" in columns else None)
        if country is None:
            raise SourceUnavailable(f"person source table {source.table} has no country column")
        region_sql = f'"{region}"' if region else "NULL"
        base = f'SELECT "{country}", {region_sql} FROM "{source.table}"'
        rows: Iterable[tuple[Any, Any]]
        if affected is None:
            rows = connection.execute(base)
            basis = f"all {{n:,}} customers of {source.table} (no truth.json)"
            rows = list(rows)
        else:
            rows = []
            ids = sorted(affected)
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                marks = ",".join("?" for _ in chunk)
                rows += connection.execute(
                    f'{base} WHERE "{source.key}" IN ({marks})', chunk
                ).fetchall()
            basis = "the {n:,} affected customers listed in truth.json"
    except sqlite3.Error as exc:
        raise SourceUnavailable(f"cannot read person source {path}: {exc}") from None
    finally:
        connection.close()
    counts: Counter[str] = Counter(_code(c, r) for c, r in rows)
    counts.pop("", None)
    return dict(counts), basis.format(n=sum(counts.values()))


def _truth_ids(path: Path) -> list[Any] | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        ids = data["affected"]["customer_ids"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return list(ids) if isinstance(ids, list) else None


def _code(country: Any, region: Any) -> str:
    """``US-CA`` for a US state given by code or name; the country code otherwise."""
    try:
        code = normalise_code(str(country or ""))
    except Exception:
        return ""
    if code == "US" and region:
        text = str(region).strip()
        names = _us_names()
        candidate = names.get(text.lower(), f"US-{text.upper()}")
        try:
            return normalise_code(candidate)
        except Exception:
            return ""
    return code


def _us_names() -> dict[str, str]:
    return {
        e.jurisdiction.name.lower(): e.jurisdiction.code
        for e in packaged_rules()
        if e.jurisdiction.code.startswith("US-")
    }


def _latest_incident(workspace: Workspace) -> tuple[str | None, Any]:
    """The newest incident and its aware_at; none when the workspace has no store yet."""
    if not workspace.settings.database_url and not workspace.state_dir.exists():
        return None, None
    try:
        store = workspace.store
    except BreachdeskError:
        return None, None
    with store.session() as session:
        incident = session.scalars(
            select(Incident).order_by(Incident.created_at.desc()).limit(1)
        ).first()
        if incident is None:
            return None, None
        return incident.id, incident.aware_at


def _lines(assessment: Assessment, basis: str, incident_id: str | None) -> list[str]:
    case = assessment.case
    where = f"incident {incident_id}" if incident_id else "no incident yet (aware_at = now)"
    lines = [
        f"Case from {basis}; categories {', '.join(sorted(case.categories))}; malicious; "
        f"controller in {case.controller_establishment}; {where}.",
        f"Risk {assessment.risk.level} (ENISA SE {assessment.risk.score:g}); "
        + "; ".join(assessment.risk.explanation[:2]),
    ]
    for c in assessment.required:
        due = iso_utc(c.deadline) or _short(c.deadline_rule)
        to = c.authority or "affected individuals"
        lines.append(f"MUST tell {to} [{c.key}] by {due} — {c.citation}")
    dismissed = [c for c in assessment.conclusions if not c.required]
    us = [c for c in dismissed if c.jurisdiction.startswith("US-") and c.recipient == "individuals"]
    if us:
        lines.append(
            f"No US state notice ({', '.join(c.jurisdiction for c in us)}): "
            f"{_short(us[0].reason, 160)}"
        )
    others = len(dismissed) - len(us)
    if others:
        lines.append(
            f"{others} other conclusions not required, each with its reason "
            "('breachdesk law assess --json')."
        )
    return lines


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _figures(assessment: Assessment) -> dict[str, object]:
    return {
        "risk": assessment.risk.level,
        "score": assessment.risk.score,
        "residents": assessment.case.residents,
        "required": len(assessment.required),
        "not_required": len(assessment.conclusions) - len(assessment.required),
        "obligations": [c.to_json() for c in assessment.conclusions],
    }
