"""The notify stage of ``breachdesk demo``: plan the notices and send them to a local sink.

The notices go to an aiosmtpd sink on 127.0.0.1 inside the demo process, never to the
customers' real domains. When scope has not stored the incident's affected persons (the
scope stage not built yet), the demo derives them from ``truth.json``'s affected ids in the
workspace's ``shop.db`` — for the demo only — and says so.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from breachdesk.demo.stages import StageOutcome
from breachdesk.errors import SourceUnavailable
from breachdesk.model.categories import Category
from breachdesk.model.person import AffectedPerson
from breachdesk.notify.codes import verification_code
from breachdesk.notify.plan import CAMPAIGN_SECRET, plan_campaign, required_individual_duties
from breachdesk.notify.portal import PortalService
from breachdesk.notify.sink import SmtpSink
from breachdesk.notify.smtp import SmtpConfig
from breachdesk.notify.worker import run_worker
from breachdesk.store import add_affected_person
from breachdesk.store.notify_tables import Campaign
from breachdesk.store.tables import AffectedPerson as PersonRow
from breachdesk.store.tables import Incident, Notice
from breachdesk.workspace import Workspace

ACTOR = "breachdesk-demo"
DEMO_CATEGORIES = (
    Category.CONTACT_NAME,
    Category.CONTACT_EMAIL,
    Category.LOCATION_CITY,
    Category.LOCATION_REGION,
    Category.LOCATION_COUNTRY,
)


def notify_stage(workspace: Workspace) -> StageOutcome:
    """Plan one notice per affected person and deliver them to an in-process SMTP sink."""
    store = workspace.store
    with store.session() as session:
        incident = session.scalars(
            select(Incident).order_by(Incident.created_at.desc()).limit(1)
        ).first()
        if incident is None:
            return StageOutcome("done", ["No incident in the store: nothing to notify."])
        incident_id = incident.id
        persons = session.scalar(select(func.count()).where(PersonRow.incident_id == incident_id))
        voluntary = not required_individual_duties(session, incident_id)
    lines: list[str] = []
    if not persons:
        added = _persons_from_truth(workspace, incident_id)
        lines.append(
            f"Scope has not stored affected persons for {incident_id}: for the demo only, "
            f"{added:,} persons were derived from truth.json's affected ids in shop.db "
            "(names, emails, locations)."
        )
    if voluntary:
        lines.append("No obligation to tell individuals is stored: planned as voluntary notices.")
    plan = plan_campaign(workspace, incident_id, voluntary=voluntary, actor=ACTOR)
    notify = workspace.settings.notify.model_copy(
        update={"smtp_tls": "none", "domain_rate": 0.0, "connections": 4}
    )
    settings = workspace.settings.model_copy(update={"notify": notify})
    with SmtpSink() as sink:
        report = run_worker(
            store,
            settings,
            workspace.root,
            SmtpConfig("127.0.0.1", sink.port, tls="none"),
            campaign=plan.campaign,
        )
        received = sink.log.counts()
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    genuine, forged = _portal_check(workspace, plan.campaign)
    lines.append(
        f"Campaign {plan.campaign}: {plan.planned:,} notices planned ({plan.not_required:,} "
        f"affected persons with no obligation to tell them); {report.sent:,} sent to the local "
        f"sink at {report.per_second:,.0f}/s; the sink received {len(received):,} distinct "
        f"notices, {duplicates} duplicates."
    )
    lines.append("By language: " + _counts(plan.by_language))
    lines.append("By jurisdiction: " + _counts(plan.by_jurisdiction))
    if plan.other_channel_reasons:
        lines.append("Need another channel: " + _counts(plan.other_channel_reasons))
    lines.append(
        f"Portal: a real code is {'genuine' if genuine else 'NOT genuine'}; "
        f"a forged one is {'accepted (BUG)' if forged else 'rejected'}."
    )
    figures: dict[str, object] = {
        "campaign": plan.campaign,
        "incident": incident_id,
        "planned": plan.planned,
        "not_required": plan.not_required,
        "sent": report.sent,
        "received": len(received),
        "duplicates": duplicates,
        "per_second": report.per_second,
        "by_language": plan.by_language,
        "by_jurisdiction": plan.by_jurisdiction,
        "voluntary": plan.voluntary,
        "derived_from_truth": not persons,
    }
    return StageOutcome("done", lines, figures)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def _portal_check(workspace: Workspace, campaign: str) -> tuple[bool, bool]:
    store = workspace.store
    with store.session() as session:
        row = session.get(Campaign, campaign)
        notice = session.scalars(
            select(Notice.id).where(Notice.campaign == campaign, Notice.state == "sent").limit(1)
        ).first()
        if row is None or notice is None:
            return False, False
        secret = store.cipher.decrypt(row.secret_enc, CAMPAIGN_SECRET)
    code = verification_code(store.cipher, secret, notice)
    portal = PortalService(store, workspace.settings.notify)
    forged = "7KQM-3XJD-9PRA-WT4C" if code != "7KQM-3XJD-9PRA-WT4C" else "7KQM-3XJD-9PRA-WT4D"
    return portal.verify(code, "demo").genuine, portal.verify(forged, "demo").genuine


def _persons_from_truth(workspace: Workspace, incident_id: str) -> int:
    """Store the customers listed as affected in truth.json (demo only); returns how many."""
    truth = workspace.root / "truth.json"
    try:
        data = json.loads(truth.read_text(encoding="utf-8"))
        ids = [int(i) for i in data["affected"]["customer_ids"]]
        names = data["affected"].get("categories") or []
        window = (_when(data["attack"].get("start")), _when(data["attack"].get("end")))
    except (OSError, ValueError, KeyError, TypeError):
        raise SourceUnavailable(
            "no affected persons in the store and no readable truth.json", path=truth
        ) from None
    categories = frozenset(_categories(names)) or frozenset(DEMO_CATEGORIES)
    store = workspace.store
    count = 0
    with store.session() as session:
        for person in _customers(workspace, ids, categories, window):
            add_affected_person(session, store.cipher, incident_id, person)
            count += 1
    return count


def _categories(names: list[Any]) -> Iterator[Category]:
    for name in names:
        try:
            yield Category(str(name))
        except ValueError:
            continue


def _when(text: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _customers(
    workspace: Workspace,
    ids: list[int],
    categories: frozenset[Category],
    window: tuple[datetime | None, datetime | None],
) -> Iterator[AffectedPerson]:
    source = workspace.settings.person_source
    url = make_url(workspace.resolve_url(source.url or "sqlite:///shop.db"))
    path = Path(url.database or "")
    if url.get_backend_name() != "sqlite" or not path.exists():
        raise SourceUnavailable("the demo notify stage reads the demo's SQLite shop.db only")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            rows = connection.execute(
                "SELECT id, email, full_name, preferred_language, country, region, postal_code "
                f"FROM customers WHERE id IN ({marks}) ORDER BY id",
                chunk,
            )
            for key, email, name, language, country, region, postal in rows:
                yield AffectedPerson(
                    key=str(key),
                    email=email,
                    name=name,
                    language=language,
                    country=country,
                    region=region,
                    postal_code=postal,
                    categories=categories,
                    first_access=window[0],
                    last_access=window[1],
                )
    except sqlite3.Error as exc:
        raise SourceUnavailable(f"cannot read {path}: {exc}") from None
    finally:
        connection.close()
