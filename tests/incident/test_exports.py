from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest
import stix2
from sqlalchemy import select

from breachdesk.errors import BreachdeskError, UserInputError
from breachdesk.incident import (
    INCIDENT_CORE,
    ExportFormat,
    add_entry,
    export_incident,
    open_incident,
    take_snapshot,
    update_incident,
    validate_veris,
    veris_record,
)
from breachdesk.model import AffectedPerson, Category
from breachdesk.store import add_affected_person
from breachdesk.store.tables import AuditEntry
from breachdesk.workspace import Workspace

from .conftest import T0, VERIS_SCHEMA, add_alert

needs_schema = pytest.mark.skipif(
    not VERIS_SCHEMA.is_file(), reason=f"VERIS schema not found at {VERIS_SCHEMA}"
)


def _full_case(ws: Workspace, principal: str = "agent:jmartin") -> str:
    add_alert(ws, principals=(principal, "svc:report's\\job"), ips=("203.0.113.7", "2001:db8::7"))
    case = open_incident(ws, title="Bulk read of customers", actor="alice", alert_ids=["A1"])
    update_incident(
        ws,
        case.id,
        actor="bob",
        aware_at=T0 + timedelta(hours=30),
        aware_reason="confirmed",
        contained_at=T0 + timedelta(hours=40),
    )
    with ws.store.session() as session:
        for n, cats in enumerate(
            [
                {Category.CONTACT_NAME, Category.CONTACT_EMAIL},
                {Category.CONTACT_EMAIL, Category.FINANCIAL_CARD_NUMBER},
                {Category.CREDENTIAL_PASSWORD_HASH},
            ]
        ):
            person = AffectedPerson(
                key=str(n), email=f"p{n}@example.com", categories=frozenset(cats)
            )
            add_affected_person(session, ws.store.cipher, case.id, person)
    return case.id


@needs_schema
def test_veris_validates_against_the_schema(workspace: Workspace) -> None:
    incident = _full_case(workspace)
    record = veris_record(take_snapshot(workspace, incident))
    assert validate_veris(record, VERIS_SCHEMA) == []
    conf = record["attribute"]["confidentiality"]
    assert conf["data_disclosure"] == "Yes"
    assert conf["data_total"] == 3
    assert {d["variety"]: d["amount"] for d in conf["data"]} == {
        "Credentials": 1,
        "Payment": 1,
        "Personal": 2,
    }
    assert record["timeline"]["incident"] == {
        "year": 2026,
        "month": 11,
        "day": 3,
        "time": "01:00:00 AM",
    }
    assert record["timeline"]["discovery"] == {"unit": "Hours", "value": 30.0}
    assert record["security_incident"] == "Confirmed"


@needs_schema
def test_veris_of_a_bare_incident_validates(sqlite_workspace: Workspace) -> None:
    incident = open_incident(sqlite_workspace, title="nothing known yet", actor="a").id
    record = veris_record(take_snapshot(sqlite_workspace, incident))
    assert validate_veris(record, VERIS_SCHEMA) == []
    assert record["attribute"]["confidentiality"] == {"data_disclosure": "Unknown"}
    assert record["discovery_method"] == {"unknown": True}


@needs_schema
def test_export_validate_against_option(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    incident = _full_case(sqlite_workspace)
    out = tmp_path / "v.json"
    export_incident(
        sqlite_workspace,
        incident,
        ExportFormat.VERIS,
        out,
        actor="a",
        validate_against=VERIS_SCHEMA,
    )
    assert json.loads(out.read_text())["incident_id"] == incident
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps({"type": "object", "required": ["not_there"]}))
    with pytest.raises(BreachdeskError, match="does not validate"):
        export_incident(
            sqlite_workspace,
            incident,
            ExportFormat.VERIS,
            tmp_path / "x.json",
            actor="a",
            validate_against=strict,
        )
    assert not (tmp_path / "x.json").exists()


def test_stix_bundle_parses_back(workspace: Workspace, tmp_path: Path) -> None:
    incident = _full_case(workspace, principal="tok_'); DROP --\\")
    out = tmp_path / "bundle.json"
    export_incident(workspace, incident, ExportFormat.STIX, out, actor="a")
    bundle = stix2.parse(out.read_text(), allow_custom=False)
    by_type: dict[str, list[object]] = {}
    for obj in bundle.objects:
        by_type.setdefault(obj.type, []).append(obj)
    (stix_incident,) = by_type["incident"]
    core = stix_incident.extensions[INCIDENT_CORE]
    assert core["determination"] == "confirmed"
    assert core["impacted_entity_counts"] == {"individual": 3}
    assert core["confidentiality_impacts"][0]["record_count"] == 3
    patterns = sorted(i.pattern for i in by_type["indicator"])
    assert "[ipv4-addr:value = '203.0.113.7']" in patterns
    assert "[ipv6-addr:value = '2001:db8::7']" in patterns
    assert "[user-account:user_id = 'tok_\\'); DROP --\\\\']" in patterns
    assert len(patterns) == 4
    assert {i.name for i in by_type["identity"]} >= {"Example Retail Ltd", "alice", "bob"}
    (observed,) = by_type["observed-data"]
    assert observed.number_observed == 1200
    assert len(observed.object_refs) == 4
    # Re-exporting keeps the ids, so consumers update instead of duplicating.
    again = stix2.parse(
        (export_incident(workspace, incident, ExportFormat.STIX, out, actor="a"), out.read_text())[
            1
        ]
    )
    assert {o.id for o in again.objects} == {o.id for o in bundle.objects}


def test_timesketch_jsonl_and_csv(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    incident = _full_case(sqlite_workspace)
    add_entry(
        sqlite_workspace, incident, at=T0 + timedelta(hours=1), text="=HYPERLINK(1)", actor="bob"
    )
    jsonl = tmp_path / "t.jsonl"
    export_incident(sqlite_workspace, incident, ExportFormat.TIMESKETCH, jsonl, actor="a")
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert rows
    for row in rows:
        assert {"message", "datetime", "timestamp_desc"} <= set(row)
        assert row["datetime"].endswith("Z")
    assert rows[0]["timestamp_desc"] == "First malicious event"
    assert rows[0]["datetime"] == "2026-11-03T01:00:00Z"
    assert rows[0]["timestamp"] == int(T0.timestamp() * 1_000_000)
    written = export_incident(
        sqlite_workspace, incident, ExportFormat.TIMESKETCH, tmp_path / "t.csv", actor="a"
    )
    assert written.format == "timesketch-csv"
    with open(tmp_path / "t.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [r["message"] for r in table] == [
        r["message"] if not r["message"].startswith("=") else "'" + r["message"] for r in rows
    ]
    assert "'=HYPERLINK(1)" in [r["message"] for r in table]


def test_exports_are_audited_with_their_hash(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    incident = _full_case(sqlite_workspace)
    out = tmp_path / "v.json"
    written = export_incident(sqlite_workspace, incident, ExportFormat.VERIS, out, actor="eve")
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    with sqlite_workspace.store.session() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None
    assert (last.actor, last.action, last.target) == (
        "eve",
        "incident.export",
        f"incident:{incident}",
    )
    assert last.detail["sha256"] == written.sha256
    assert last.detail["persons_in_scope"] == 3


def test_export_to_a_folder_is_refused(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    incident = open_incident(sqlite_workspace, title="t", actor="a").id
    with pytest.raises(UserInputError, match="is a folder"):
        export_incident(sqlite_workspace, incident, ExportFormat.STIX, tmp_path, actor="a")
    with pytest.raises(UserInputError, match="does not exist"):
        export_incident(
            sqlite_workspace, incident, ExportFormat.STIX, tmp_path / "no" / "x.json", actor="a"
        )
