"""Evidence: files stored content-addressed by SHA-256, write-once, with a chain of custody.

A file is read once, in fixed-size chunks, hashing and copying at the same time (memory
stays bounded whatever its size). The copy lands at ``evidence/ab/abcd…`` read-only and is
never overwritten; the same content is stored once however often it is added. ``verify``
re-hashes every stored copy and names each one that changed or went missing; every add and
every check is a custody event (who, when, what, which hash was seen).
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import stat
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from breachdesk.errors import InputFileError, StoreError, UserInputError
from breachdesk.incident.errors import UnknownIncident
from breachdesk.incident.mutation import Outcome, check_actor, mutate_incident
from breachdesk.model.incident import (
    CheckOutcome,
    CustodyItem,
    EvidenceCheck,
    EvidenceItem,
    TimelineKind,
    VerifyResult,
)
from breachdesk.store.tables import CustodyEvent, Evidence, Incident, TimelineEntry
from breachdesk.workspace import Workspace

CHUNK = 1 << 20
Progress = Callable[[int, int], None]


def add_evidence(
    workspace: Workspace,
    incident_id: str,
    path: Path,
    *,
    actor: str,
    description: str = "",
    progress: Progress | None = None,
    now: datetime | None = None,
) -> EvidenceItem:
    """Store ``path`` as evidence of the incident and record who collected it, when."""
    actor = check_actor(actor)
    if len(description) > 5000:
        raise UserInputError("the evidence description is longer than 5,000 characters")
    _require_incident(workspace, incident_id)
    source = path.expanduser().absolute()
    folder = workspace.path("evidence")
    digest, size = _store_copy(source, folder, progress)
    stored = stored_path(folder, digest)
    name = source.name[:500]

    def change(session: Session, row: Incident, when: datetime) -> Outcome[tuple[Evidence, bool]]:
        existing = session.scalar(
            select(Evidence).where(Evidence.incident_id == row.id, Evidence.sha256 == digest)
        )
        if existing is not None:
            session.add(
                CustodyEvent(
                    evidence_id=existing.id,
                    at=when,
                    actor=actor,
                    action="presented-again",
                    note=f"same content added again from {source}",
                    sha256=digest,
                    hash_ok=True,
                )
            )
            detail = {"evidence": existing.id, "sha256": digest, "source": str(source)}
            return Outcome((existing, False), "incident.evidence.present", detail)
        evidence = Evidence(
            incident_id=row.id,
            sha256=digest,
            name=name,
            size=size,
            media_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            description=description,
            collected_by=actor,
            collected_at=when,
            created_at=when,
        )
        session.add(evidence)
        session.flush()
        session.add(
            CustodyEvent(
                evidence_id=evidence.id,
                at=when,
                actor=actor,
                action="collected",
                note=f"copied from {source}; stored read-only at {stored}",
                sha256=digest,
                hash_ok=True,
            )
        )
        session.add(
            TimelineEntry(
                incident_id=row.id,
                at=when,
                kind=TimelineKind.EVIDENCE.value,
                text=f"Evidence collected: {name} ({size:,} bytes, sha256 {digest[:16]}…)",
                actor=actor,
                source_ref=f"evidence:{digest}",
                created_at=when,
            )
        )
        detail = {"sha256": digest, "name": name, "size": size, "source": str(source)}
        return Outcome((evidence, True), "incident.evidence.add", detail)

    # Evidence rows are flushed inside the change, so autoflush is not needed.
    evidence, new = mutate_incident(workspace.store, incident_id, change, actor=actor, now=now)
    return _item(evidence, folder, new=new)


def verify_evidence(
    workspace: Workspace, incident_id: str, *, actor: str, now: datetime | None = None
) -> VerifyResult:
    """Re-hash every stored copy of the incident's evidence; record each check as custody."""
    actor = check_actor(actor)
    folder = workspace.path("evidence")
    with workspace.store.session() as session:
        if session.get(Incident, incident_id) is None:
            raise UnknownIncident(incident_id)
        rows = [
            (row.id, row.name, row.sha256)
            for row in session.scalars(
                select(Evidence).where(Evidence.incident_id == incident_id).order_by(Evidence.id)
            )
        ]
    checks = tuple(_check(folder, *row) for row in rows)
    if not checks:
        return VerifyResult(incident_id, checks)

    def change(session: Session, row: Incident, when: datetime) -> Outcome[None]:
        for check in checks:
            ok = check.outcome is CheckOutcome.INTACT
            note = {
                CheckOutcome.INTACT: "stored copy re-hashed: matches",
                CheckOutcome.CHANGED: "stored copy re-hashed: DOES NOT MATCH",
                CheckOutcome.MISSING: "stored copy is MISSING",
            }[check.outcome]
            session.add(
                CustodyEvent(
                    evidence_id=check.evidence_id,
                    at=when,
                    actor=actor,
                    action="verified" if ok else f"verify-{check.outcome.value}",
                    note=note,
                    sha256=check.found_sha256,
                    hash_ok=ok,
                )
            )
        counts = {o.value: sum(c.outcome is o for c in checks) for o in CheckOutcome}
        bad = [c.evidence_id for c in checks if c.outcome is not CheckOutcome.INTACT]
        return Outcome(None, "incident.evidence.verify", {**counts, "failed": bad})

    # Checking custody stays possible after closing (evidence may be needed for years).
    mutate_incident(workspace.store, incident_id, change, actor=actor, now=now, allow_closed=True)
    return VerifyResult(incident_id, checks)


def list_evidence(workspace: Workspace, incident_id: str) -> list[EvidenceItem]:
    folder = workspace.path("evidence")
    with workspace.store.session() as session:
        return evidence_of(session, incident_id, folder)


def evidence_of(session: Session, incident_id: str, folder: Path) -> list[EvidenceItem]:
    if session.get(Incident, incident_id) is None:
        raise UnknownIncident(incident_id)
    rows = session.scalars(
        select(Evidence).where(Evidence.incident_id == incident_id).order_by(Evidence.id)
    )
    return [_item(row, folder, new=False) for row in rows]


def custody_report(workspace: Workspace, incident_id: str) -> list[CustodyItem]:
    """Every custody event of the incident's evidence, in time order."""
    with workspace.store.session() as session:
        return custody_of(session, incident_id)


def custody_of(session: Session, incident_id: str) -> list[CustodyItem]:
    if session.get(Incident, incident_id) is None:
        raise UnknownIncident(incident_id)
    rows = session.execute(
        select(CustodyEvent, Evidence)
        .join(Evidence, CustodyEvent.evidence_id == Evidence.id)
        .where(Evidence.incident_id == incident_id)
        .order_by(CustodyEvent.at, CustodyEvent.id)
    ).all()
    return [
        CustodyItem(
            evidence_id=evidence.id,
            evidence_name=evidence.name,
            evidence_sha256=evidence.sha256,
            at=event.at,
            actor=event.actor,
            action=event.action,
            note=event.note,
            checked_sha256=event.sha256,
            hash_ok=event.hash_ok,
        )
        for event, evidence in rows
    ]


def stored_path(folder: Path, digest: str) -> Path:
    return folder / digest[:2] / digest


def hash_file(path: Path, progress: Progress | None = None) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    return digest.hexdigest()


def _store_copy(source: Path, folder: Path, progress: Progress | None) -> tuple[str, int]:
    """Copy ``source`` into the content-addressed store; its SHA-256 and size."""
    fd = _open_regular(source)
    try:
        total = os.fstat(fd).st_size
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=folder)
        temp = Path(temp_name)
        try:
            digest = hashlib.sha256()
            size = 0
            while chunk := os.read(fd, CHUNK):
                digest.update(chunk)
                _write_all(handle, chunk)
                size += len(chunk)
                if progress is not None:
                    progress(size, total)
            os.fsync(handle)
        except BaseException:
            os.close(handle)
            temp.unlink(missing_ok=True)
            raise
        os.close(handle)
    finally:
        os.close(fd)
    hexdigest = digest.hexdigest()
    try:
        _place(temp, stored_path(folder, hexdigest))
    finally:
        temp.unlink(missing_ok=True)
    return hexdigest, size


def _open_regular(source: Path) -> int:
    """An fd of ``source`` after checking (on the open file) that it is a regular file."""
    try:
        # O_NONBLOCK: opening a FIFO must not hang waiting for a writer.
        fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputFileError("no such file", path=source) from None
    except PermissionError:
        raise InputFileError("cannot read the file: permission denied", path=source) from None
    except OSError as exc:
        raise InputFileError(f"cannot open the file: {exc.strerror}", path=source) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise InputFileError("is a folder; add the files in it one by one", path=source)
        kind = "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"
        raise InputFileError(f"is {kind}; evidence must be a regular file", path=source)
    os.set_blocking(fd, True)
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _place(temp: Path, final: Path) -> None:
    """Publish the copy read-only at ``final``; never replace a stored copy."""
    final.parent.mkdir(exist_ok=True)
    temp.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        os.link(temp, final)
    except FileExistsError:
        # Same content already stored: keep the old copy, but only if it is still intact.
        if hash_file(final) != final.name:
            raise StoreError(
                f"the stored evidence {final} no longer matches its hash; it is kept as found "
                "for investigation ('breachdesk incident evidence verify' reports it)"
            ) from None
    except OSError:
        # File systems without hard links: an exclusive create keeps the never-overwrite rule.
        with contextlib.suppress(FileExistsError):
            _copy_exclusive(temp, final)


def _copy_exclusive(temp: Path, final: Path) -> None:
    out = os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    try:
        with temp.open("rb") as source:
            while chunk := source.read(CHUNK):
                _write_all(out, chunk)
        os.fsync(out)
    finally:
        os.close(out)


def _check(folder: Path, evidence_id: int, name: str, digest: str) -> EvidenceCheck:
    path = stored_path(folder, digest)
    try:
        found = hash_file(path)
    except FileNotFoundError:
        return EvidenceCheck(evidence_id, name, digest, CheckOutcome.MISSING, None)
    except OSError:
        return EvidenceCheck(evidence_id, name, digest, CheckOutcome.MISSING, None)
    outcome = CheckOutcome.INTACT if found == digest else CheckOutcome.CHANGED
    return EvidenceCheck(evidence_id, name, digest, outcome, found)


def _require_incident(workspace: Workspace, incident_id: str) -> None:
    with workspace.store.session() as session:
        if session.get(Incident, incident_id) is None:
            raise UnknownIncident(incident_id)


def _item(row: Evidence, folder: Path, *, new: bool) -> EvidenceItem:
    return EvidenceItem(
        id=row.id,
        incident_id=row.incident_id,
        sha256=row.sha256,
        name=row.name,
        size=row.size,
        media_type=row.media_type,
        description=row.description,
        collected_by=row.collected_by,
        collected_at=row.collected_at,
        stored_path=str(stored_path(folder, row.sha256)),
        new=new,
    )
