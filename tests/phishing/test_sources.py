"""Message sources: .eml files, folders, mbox files and maildirs; unreadable paths refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from breachdesk.errors import InputFileError
from breachdesk.phishing.sources import iter_messages

ONE = b"From: a@example.org\nSubject: one\n\nbody one\n"
TWO = b"From: b@example.org\nSubject: two\n\nFrom the top\n>From escaped\n"


def _names(paths: list[Path]) -> list[str]:
    return [m.name for m in iter_messages(paths, 1_000_000)]


def test_eml_file_and_folder(tmp_path: Path) -> None:
    (tmp_path / "b.eml").write_bytes(TWO)
    (tmp_path / "a.eml").write_bytes(ONE)
    (tmp_path / "notes.md").write_text("# not mail")
    (tmp_path / ".hidden.eml").write_bytes(ONE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "msg").write_bytes(ONE)  # no suffix, looks like mail
    names = _names([tmp_path])
    assert names == [
        str(tmp_path / "a.eml"),
        str(tmp_path / "b.eml"),
        str(tmp_path / "sub" / "msg"),
    ]


def test_mbox_messages_are_split_and_unescaped(tmp_path: Path) -> None:
    mbox = tmp_path / "reported.mbox"
    # mboxrd: body lines starting with "From " are written with one more ">".
    escaped = TWO.replace(b"\nFrom the", b"\n>From the").replace(b"\n>From esc", b"\n>>From esc")
    envelope = b"From a@x Mon Nov  3 02:00:00 2026\n"
    mbox.write_bytes(envelope + ONE + b"\n" + envelope + escaped)
    messages = list(iter_messages([mbox], 1_000_000))
    assert [m.name for m in messages] == [f"{mbox}#1", f"{mbox}#2"]
    assert messages[0].data == ONE
    assert messages[1].data == TWO


def test_single_message_with_envelope_line_is_named_by_its_path(tmp_path: Path) -> None:
    eml = tmp_path / "one.eml"
    eml.write_bytes(b"From a@x Mon Nov  3 02:00:00 2026\n" + ONE)
    assert _names([eml]) == [str(eml)]


def test_maildir(tmp_path: Path) -> None:
    box = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    (box / "new" / "1.host").write_bytes(ONE)
    (box / "cur" / "2.host:2,S").write_bytes(TWO)
    (box / "tmp" / "3.host").write_bytes(ONE)  # still being delivered: not read
    assert _names([box]) == [str(box / "new" / "1.host"), str(box / "cur" / "2.host:2,S")]


def test_messages_are_read_up_to_the_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.eml"
    big.write_bytes(ONE + b"x" * 5_000)
    assert len(next(iter_messages([big], 1_000)).data) == 1_001


def test_missing_path_is_refused_before_reading(tmp_path: Path) -> None:
    (tmp_path / "a.eml").write_bytes(ONE)
    with pytest.raises(InputFileError, match="no such file or folder") as caught:
        list(iter_messages([tmp_path / "a.eml", tmp_path / "missing.eml"], 1_000))
    assert caught.value.path == str(tmp_path / "missing.eml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked.eml"
    locked.write_bytes(ONE)
    locked.chmod(0)
    with pytest.raises(InputFileError, match="not readable"):
        list(iter_messages([locked], 1_000))
