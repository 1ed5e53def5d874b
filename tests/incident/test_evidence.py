from __future__ import annotations

import hashlib
import os
import stat
import threading
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import select

from breachdesk.errors import InputFileError
from breachdesk.incident import (
    UnknownIncident,
    add_evidence,
    custody_report,
    open_incident,
    verify_evidence,
)
from breachdesk.model.incident import CheckOutcome
from breachdesk.store.tables import Evidence, Incident
from breachdesk.workspace import Workspace


def _case(ws: Workspace) -> str:
    return open_incident(ws, title="evidence", actor="alice").id


def _flip_one_byte(path: Path, offset: int = 3) -> None:
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_evidence_is_content_addressed_and_read_only(workspace: Workspace, tmp_path: Path) -> None:
    incident = _case(workspace)
    source = tmp_path / "access.log"
    source.write_bytes(b"GET /api/v1/customers?page=1\n" * 100)
    item = add_evidence(workspace, incident, source, actor="alice", description="nginx")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    stored = Path(item.stored_path)
    assert item.sha256 == digest
    assert item.size == source.stat().st_size
    assert stored == workspace.path("evidence") / digest[:2] / digest
    assert stored.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(stored.stat().st_mode) & 0o222 == 0
    events = custody_report(workspace, incident)
    assert [(e.action, e.actor, e.hash_ok, e.checked_sha256) for e in events] == [
        ("collected", "alice", True, digest)
    ]


def test_same_content_twice_is_stored_once(workspace: Workspace, tmp_path: Path) -> None:
    incident = _case(workspace)
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_text("same")
    second.write_text("same")
    one = add_evidence(workspace, incident, first, actor="alice")
    two = add_evidence(workspace, incident, second, actor="bob")
    assert (one.id, one.new, two.new) == (two.id, True, False)
    assert [e.action for e in custody_report(workspace, incident)] == [
        "collected",
        "presented-again",
    ]
    # Another incident may hold the same content: one stored copy, two evidence rows.
    other = _case(workspace)
    three = add_evidence(workspace, other, first, actor="carol")
    assert three.stored_path == one.stored_path
    assert three.id != one.id


def test_verify_names_changed_and_missing_files(workspace: Workspace, tmp_path: Path) -> None:
    incident = _case(workspace)
    items = []
    for n in range(3):
        source = tmp_path / f"f{n}.log"
        source.write_bytes(f"log file number {n}\n".encode() * 50)
        items.append(add_evidence(workspace, incident, source, actor="alice"))
    assert verify_evidence(workspace, incident, actor="bob").ok
    _flip_one_byte(Path(items[0].stored_path))
    Path(items[2].stored_path).unlink()
    result = verify_evidence(workspace, incident, actor="bob")
    outcomes = {c.name: c.outcome for c in result.checks}
    assert not result.ok
    assert outcomes == {
        "f0.log": CheckOutcome.CHANGED,
        "f1.log": CheckOutcome.INTACT,
        "f2.log": CheckOutcome.MISSING,
    }
    last = custody_report(workspace, incident)[-3:]
    assert [(e.evidence_name, e.action, e.hash_ok) for e in last] == [
        ("f0.log", "verify-changed", False),
        ("f1.log", "verified", True),
        ("f2.log", "verify-missing", False),
    ]


def test_adding_changed_content_never_overwrites(workspace: Workspace, tmp_path: Path) -> None:
    incident = _case(workspace)
    source = tmp_path / "a.log"
    source.write_bytes(b"original evidence\n")
    item = add_evidence(workspace, incident, source, actor="alice")
    stored = Path(item.stored_path)
    _flip_one_byte(stored)
    tampered = stored.read_bytes()
    with pytest.raises(Exception, match="no longer matches its hash"):
        add_evidence(workspace, incident, source, actor="alice")
    assert stored.read_bytes() == tampered


@pytest.mark.parametrize("kind", ["folder", "device", "fifo", "missing"])
def test_evidence_must_be_a_regular_file(
    kind: str, sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    incident = _case(sqlite_workspace)
    path = {
        "folder": tmp_path,
        "device": Path("/dev/zero"),
        "fifo": tmp_path / "pipe",
        "missing": tmp_path / "absent.log",
    }[kind]
    if kind == "fifo":
        os.mkfifo(path)
    expected = {
        "folder": "is a folder",
        "device": "is a device",
        "fifo": "not a regular file",
        "missing": "no such file",
    }[kind]
    with pytest.raises(InputFileError, match=expected) as info:
        add_evidence(sqlite_workspace, incident, path, actor="alice")
    assert info.value.exit_code == 2
    assert str(path) in str(info.value)
    with sqlite_workspace.store.session() as session:
        assert session.scalars(select(Evidence)).all() == []
    assert not any(p.is_file() for p in sqlite_workspace.path("evidence").rglob("*"))


def test_unknown_incident_stores_nothing(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "a.log"
    source.write_text("x")
    with pytest.raises(UnknownIncident):
        add_evidence(sqlite_workspace, "INC-1999-0001", source, actor="a")
    assert not any(sqlite_workspace.path("evidence").rglob("*"))


def test_large_file_is_hashed_with_bounded_memory(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    incident = _case(sqlite_workspace)
    big = tmp_path / "big.img"
    size = 192 * 2**20
    with big.open("wb") as handle:  # sparse: costs no disk until copied
        handle.seek(size - 5)
        handle.write(b"tail\n")
    seen: list[int] = []
    tracemalloc.start()
    try:
        item = add_evidence(
            sqlite_workspace, incident, big, actor="a", progress=lambda d, t: seen.append(d)
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert item.size == size
    assert peak < 16 * 2**20, f"peak Python memory {peak:,} bytes for a {size:,}-byte file"
    assert seen[-1] == size
    assert len(seen) > 100
    expected = hashlib.sha256()
    zeros = bytes(2**20)
    for _ in range((size - 5) // len(zeros)):
        expected.update(zeros)
    expected.update(bytes((size - 5) % len(zeros)) + b"tail\n")
    assert item.sha256 == expected.hexdigest()


def test_size_column_holds_files_over_4_gb(workspace: Workspace) -> None:
    incident = _case(workspace)
    five_gb = 5 * 2**30
    with workspace.store.session() as session:
        row = session.get(Incident, incident)
        assert row is not None
        session.add(
            Evidence(
                incident_id=incident,
                sha256="0" * 64,
                name="disk.img",
                size=five_gb,
                collected_by="a",
                collected_at=row.created_at,
            )
        )
    with workspace.store.session() as session:
        assert session.scalar(select(Evidence.size)) == five_gb


def test_concurrent_adds_of_one_file_keep_one_row(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    incident = _case(sqlite_workspace)
    source = tmp_path / "a.log"
    source.write_bytes(b"x" * 100_000)
    errors: list[BaseException] = []

    def add() -> None:
        try:
            add_evidence(sqlite_workspace, incident, source, actor="t")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite_workspace.store.session() as session:
        assert len(session.scalars(select(Evidence)).all()) == 1
    actions = sorted(e.action for e in custody_report(sqlite_workspace, incident))
    assert actions == ["collected"] + ["presented-again"] * 3
