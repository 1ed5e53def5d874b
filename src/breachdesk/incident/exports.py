"""Exports of an incident (VERIS, STIX 2.1, Timesketch) and the file writing they share.

Files are written next to their destination and renamed into place (no half-written
export), readable by the owner only (they may hold personal data), and each export is
recorded in the audit log with the file's SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from breachdesk.errors import BreachdeskError, UserInputError
from breachdesk.incident.mutation import audit_only, check_actor
from breachdesk.incident.snapshot import take_snapshot
from breachdesk.incident.stix import write_stix
from breachdesk.incident.timesketch import write_csv, write_jsonl
from breachdesk.incident.veris import validate_veris, veris_record

# ExportFormat lives with the other incident types, which the CLI imports cheaply; it is
# re-exported for the code that imports it from here.
from breachdesk.model.incident import ExportFormat as ExportFormat
from breachdesk.model.incident import IncidentSnapshot, WrittenFile
from breachdesk.workspace import Workspace


def export_incident(
    workspace: Workspace,
    incident_id: str,
    fmt: ExportFormat,
    out: Path,
    *,
    actor: str,
    validate_against: Path | None = None,
    now: datetime | None = None,
) -> WrittenFile:
    """Write the incident in ``fmt`` to ``out``; Timesketch is CSV when ``out`` ends in .csv."""
    actor = check_actor(actor)
    snapshot = take_snapshot(workspace, incident_id, now=now)
    label = fmt.value
    writer: Callable[[Path], object]
    if fmt is ExportFormat.VERIS:
        record = veris_record(snapshot)
        if validate_against is not None:
            problems = validate_veris(record, validate_against)
            if problems:
                raise BreachdeskError(
                    f"the VERIS record does not validate against {validate_against}: "
                    + "; ".join(problems[:5])
                )

        def writer(path: Path) -> None:
            path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", "utf-8")

    elif fmt is ExportFormat.STIX:

        def writer(path: Path) -> None:
            write_stix(snapshot, path)

    elif out.suffix.lower() == ".csv":
        label = "timesketch-csv"

        def writer(path: Path) -> None:
            write_csv(snapshot.timeline, path)

    else:
        label = "timesketch-jsonl"

        def writer(path: Path) -> None:
            write_jsonl(snapshot.timeline, path)

    written = write_atomically(out, writer, incident_id=incident_id, fmt=label)
    record_written(workspace, written, actor=actor, action="incident.export", snapshot=snapshot)
    return written


def write_atomically(
    out: Path, writer: Callable[[Path], object], *, incident_id: str, fmt: str
) -> WrittenFile:
    """Run ``writer`` on a temporary file beside ``out``, then rename it into place."""
    target = out.expanduser().absolute()
    if target.is_dir():
        raise UserInputError(f"{target} is a folder; --out needs a file name")
    if not target.parent.is_dir():
        raise UserInputError(f"folder {target.parent} does not exist (for --out {out})")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise UserInputError(f"cannot write in {target.parent}: {exc.strerror}") from None
    os.close(handle)
    temp = Path(temp_name)
    try:
        writer(temp)
        temp.chmod(0o600)
        digest, size = _digest(temp)
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)
    return WrittenFile(incident_id, fmt, str(target), digest, size)


def record_written(
    workspace: Workspace,
    written: WrittenFile,
    *,
    actor: str,
    action: str,
    snapshot: IncidentSnapshot,
) -> None:
    audit_only(
        workspace.store,
        actor=actor,
        action=action,
        target=f"incident:{written.incident_id}",
        detail={
            "format": written.format,
            "path": written.path,
            "sha256": written.sha256,
            "bytes": written.bytes,
            "persons_in_scope": snapshot.scope.persons,
        },
    )


def _digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
