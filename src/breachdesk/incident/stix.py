"""STIX 2.1 bundle of an incident, built with the ``stix2`` library.

The ``incident`` object carries the Incident Core extension (determination, investigation
status, impacted entity counts, confidentiality impact); identities name the organisation
and the responders; indicators and observed-data carry the attacker's addresses and the
abused principals (tokens, accounts). Ids are derived from the incident, so re-exports
update the same objects instead of creating new ones.
"""

from __future__ import annotations

import ipaddress
import uuid
from pathlib import Path
from typing import Any

import stix2
from stix2.exceptions import STIXError

from breachdesk.model.incident import AlertView, IncidentSnapshot, Status

INCIDENT_CORE = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"
_NAMESPACE = uuid.UUID("5f0a1a57-3c43-4d0e-9a3b-2f7c1b0d5e11")


def stix_bundle(snapshot: IncidentSnapshot) -> stix2.v21.Bundle:
    """The incident as a STIX 2.1 bundle."""
    case = snapshot.case.summary
    key = case.id
    created = case.created_at
    modified = max(snapshot.taken_at, created)
    stamps = {"created": created, "modified": modified}
    org = stix2.v21.Identity(
        id=_id("identity", key, "organization", snapshot.controller_name),
        name=snapshot.controller_name,
        identity_class="organization",
        **stamps,
    )
    common = {**stamps, "created_by_ref": org.id}
    responders = [
        stix2.v21.Identity(
            id=_id("identity", key, "responder", name),
            name=name,
            identity_class="individual",
            roles=["incident responder"],
            **common,
        )
        for name in sorted({c.actor for c in snapshot.case.history})
    ]
    incident = stix2.v21.Incident(
        id=_id("incident", key),
        name=case.title,
        description=_description(snapshot),
        extensions={INCIDENT_CORE: _core_extension(snapshot)},
        external_references=[{"source_name": "breachdesk", "external_id": key}],
        **common,
    )
    objects: list[Any] = [org, *responders, incident]
    scos: dict[str, Any] = {}
    indicators: dict[str, Any] = {}
    for alert in snapshot.alerts:
        refs: list[str] = []
        for value in alert.src_ips:
            sco = _address(value)
            if sco is None:
                continue
            refs.append(scos.setdefault(sco.id, sco).id)
            kind = sco.type
            _indicator(
                indicators,
                key,
                f"[{kind}:value = {_literal(sco.value)}]",
                f"Attacker address {sco.value}",
                alert,
                ["malicious-activity"],
                common,
            )
        for principal in alert.principals:
            account = stix2.v21.UserAccount(user_id=principal, account_login=principal)
            refs.append(scos.setdefault(account.id, account).id)
            _indicator(
                indicators,
                key,
                f"[user-account:user_id = {_literal(principal)}]",
                f"Abused principal (token or account) {principal}",
                alert,
                ["compromised"],
                common,
            )
        if refs:
            objects.append(
                stix2.v21.ObservedData(
                    id=_id("observed-data", key, alert.id),
                    first_observed=alert.start,
                    last_observed=max(alert.end, alert.start),
                    number_observed=min(max(alert.events, 1), 999_999_999),
                    object_refs=sorted(set(refs)),
                    **common,
                )
            )
    objects += list(scos.values()) + list(indicators.values())
    for obj in list(objects):
        if obj.type in ("indicator", "observed-data"):
            objects.append(
                stix2.v21.Relationship(
                    id=_id("relationship", key, obj.id),
                    relationship_type="related-to",
                    source_ref=obj.id,
                    target_ref=incident.id,
                    **common,
                )
            )
    return stix2.v21.Bundle(objects=objects, id=_id("bundle", key, modified.isoformat()))


def write_stix(snapshot: IncidentSnapshot, out: Path) -> None:
    out.write_text(stix_bundle(snapshot).serialize(pretty=True) + "\n", encoding="utf-8")


def _core_extension(snapshot: IncidentSnapshot) -> dict[str, Any]:
    case = snapshot.case.summary
    persons = snapshot.scope.persons
    ext: dict[str, Any] = {
        "extension_type": "property-extension",
        "determination": "confirmed" if case.aware_at is not None else "suspected",
        "investigation_status": "closed" if case.status is Status.CLOSED else "open",
        "incident_types": ["data-exfiltration"],
    }
    if snapshot.alerts:
        ext["detection_methods"] = ["automated-tool"]
    if persons:
        ext["impacted_entity_counts"] = {"individual": persons}
        ext["confidentiality_impacts"] = [
            {
                "information_type": "pii",
                "record_count": persons,
                "loss_type": "confirmed-loss" if case.aware_at else "suspected-loss",
            }
        ]
    return ext


def _indicator(
    found: dict[str, Any],
    key: str,
    pattern: str,
    name: str,
    alert: AlertView,
    types: list[str],
    common: dict[str, Any],
) -> None:
    ident = _id("indicator", key, pattern)
    if ident in found:
        return
    try:
        found[ident] = stix2.v21.Indicator(
            id=ident,
            name=name,
            pattern=pattern,
            pattern_type="stix",
            valid_from=alert.start,
            indicator_types=types,
            **common,
        )
    except STIXError:
        # A value the pattern grammar cannot hold even escaped: leave it to observed-data.
        return


def _address(value: str) -> Any:
    try:
        parsed = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if parsed.version == 4:
        return stix2.v21.IPv4Address(value=str(parsed))
    return stix2.v21.IPv6Address(value=str(parsed))


def _literal(value: str) -> str:
    """A STIX pattern string literal: quotes and backslashes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _id(kind: str, *parts: str) -> str:
    return f"{kind}--{uuid.uuid5(_NAMESPACE, '|'.join(parts))}"


def _description(snapshot: IncidentSnapshot) -> str:
    case = snapshot.case
    lines = [case.description.strip()] if case.description.strip() else []
    lines.append(
        f"Status {case.summary.status.value}, CSF function {case.summary.function.value}; "
        f"{len(snapshot.alerts)} alert(s); {snapshot.scope.persons:,} person(s) in scope."
    )
    return "\n".join(lines)
