from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.errors import InputFileError, UserInputError
from breachdesk.incident import (
    apply_playbook,
    available_playbooks,
    find_playbook,
    list_tasks,
    load_playbook,
    open_incident,
)
from breachdesk.workspace import Workspace

from .conftest import T0

SHIPPED = "customer-data-exfiltration"


def test_shipped_playbook_covers_the_response() -> None:
    book = find_playbook(None, SHIPPED)
    keys = [s.key for s in book.steps]
    assert keys == [
        "revoke-token",
        "rotate-credentials",
        "block-networks",
        "patch-the-hole",
        "preserve-evidence",
        "engage-forensics",
        "engage-law-enforcement",
        "assess-obligations",
        "notify",
        "watch-phishing",
        "lessons-learned",
    ]
    assert {
        s.phase for s in book.steps if s.key.startswith(("revoke", "rotate", "block", "patch"))
    } == {"contain"}
    assert all(s.owner and s.due for s in book.steps)


def test_playbook_tasks_have_owners_and_due_times(workspace: Workspace) -> None:
    case = open_incident(workspace, title="t", actor="a", playbook=SHIPPED, now=T0)
    tasks = list_tasks(workspace, case.id)
    by_step = {t.step: t for t in tasks}
    assert len(tasks) == 11
    assert by_step["revoke-token"].due_at == T0 + timedelta(hours=1)
    assert by_step["revoke-token"].owner == "security-oncall"
    # Without aware_at, regulatory steps count from the opening; applying twice adds nothing.
    assert by_step["notify"].due_at == T0 + timedelta(hours=72)
    assert apply_playbook(workspace, case.id, SHIPPED, actor="a") == []
    assert [t.position for t in tasks] == list(range(1, 12))


def test_regulatory_steps_count_from_awareness(sqlite_workspace: Workspace) -> None:
    aware = T0 + timedelta(hours=5)
    case = open_incident(
        sqlite_workspace,
        title="t",
        actor="a",
        aware_at=aware,
        aware_reason="r",
        playbook=SHIPPED,
        now=T0 + timedelta(hours=10),
    )
    by_step = {t.step: t for t in list_tasks(sqlite_workspace, case.id)}
    assert by_step["notify"].due_at == aware + timedelta(hours=72)
    assert by_step["revoke-token"].due_at == T0 + timedelta(hours=11)


WORKSPACE_BOOK = """\
name: ransomware
title: Ransomware
steps:
  - key: isolate
    phase: contain
    title: Isolate the hosts
    due: 30m
"""


def test_workspace_playbooks_add_and_override(sqlite_workspace: Workspace) -> None:
    folder = sqlite_workspace.root / "playbooks"
    folder.mkdir()
    (folder / "ransomware.yaml").write_text(WORKSPACE_BOOK)
    (folder / "mine.yml").write_text(
        f"name: {SHIPPED}\ntitle: Our own\n"
        "steps:\n  - {key: call-ciso, phase: legal, title: Call}\n"
    )
    books = available_playbooks(sqlite_workspace.root)
    assert books["ransomware"].origin == "workspace"
    assert books[SHIPPED].playbook.title == "Our own"
    case = open_incident(sqlite_workspace, title="t", actor="a")
    added = apply_playbook(sqlite_workspace, case.id, "ransomware", actor="a")
    assert [(t.step, t.phase) for t in added] == [("isolate", "contain")]
    with pytest.raises(UserInputError, match=r"no playbook 'nope' \(known: .*ransomware"):
        apply_playbook(sqlite_workspace, case.id, "nope", actor="a")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "name: x\ntitle: t\nsteps:\n  - key: a\n    phase: contain\n"
            "    title: T\n    due: soon\n",
            7,
            "due is an offset",
        ),
        (
            "name: x\ntitle: t\nsteps:\n  - key: a\n    phase: dance\n    title: T\n",
            5,
            "steps.0.phase",
        ),
        ("name: x\ntitle: t\nsteps: [\n", 4, "not valid YAML"),
        ("name: Bad Name\ntitle: t\nsteps:\n  - {key: a, phase: learn, title: T}\n", 1, "name"),
        (
            "name: x\ntitle: t\nsteps:\n  - {key: a, phase: learn, title: T}\n"
            "  - {key: a, phase: learn, title: U}\n",
            4,
            "used twice",
        ),
        ("a: &x [1]\nb: *x\n", 2, "aliases are not allowed"),
        (
            "name: x\ntitle: t\nsteps:\n  - {key: a, phase: learn, title: T, colour: red}\n",
            4,
            "colour",
        ),
    ],
)
def test_bad_playbooks_name_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(InputFileError, match=message) as info:
        load_playbook(text, path="book.yaml")
    assert (info.value.path, info.value.line) == ("book.yaml", line)


@settings(max_examples=150)
@given(st.text(max_size=300))
def test_playbook_loader_fails_only_with_input_errors(text: str) -> None:
    with contextlib.suppress(InputFileError):
        load_playbook(text, path="fuzz.yaml")


def test_oversized_playbook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="larger than"):
        load_playbook("#" * 1_000_001, path="big.yaml")
