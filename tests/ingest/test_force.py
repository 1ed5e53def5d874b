"""``ingest --force``: content ingested before is read again and replaces what it produced."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from breachdesk.cli.main import main
from breachdesk.errors import InputFileError
from breachdesk.ingest import ingest_paths
from breachdesk.ingest import manifest as manifest_module
from breachdesk.ingest import writer as writer_module
from breachdesk.ingest.manifest import Manifest, rebuild_advice
from breachdesk.workspace import Workspace, init_workspace

from .test_pipeline import access_log, events, ingest_grown_log, options

MakeWorkspace = Callable[..., Workspace]


def _refs(workspace: Workspace) -> list[str]:
    return sorted(events(workspace).column("raw_ref").to_pylist())


def test_force_rebuilds_a_deleted_event_file_without_duplicates(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    log = tmp_path / "access.log"
    log.write_bytes(access_log(300) + access_log(50, start=300, day=4) + b"junk\n")
    ingest_paths(workspace, [str(log)], "nginx", "web", options=options())
    before = _refs(workspace)
    lost = sorted(workspace.path("events").rglob("*.parquet"))[0]
    lost.unlink()  # a damaged file the team moved aside
    assert len(_refs(workspace)) < len(before)

    again = ingest_paths(workspace, [str(log)], "nginx", "web", options=options())
    assert (again.events, again.already_ingested) == (0, 1)  # without --force: nothing

    forced = ingest_paths(workspace, [str(log)], "nginx", "web", options=options(force=True))
    assert (forced.events, forced.rejected, forced.ingested_again) == (350, 1, 1)
    assert forced.results[0].status == "ingested again"
    assert _refs(workspace) == before
    records = Manifest(workspace.path("events")).records()
    assert [r.events for r in records] == [350]
    assert len(list(workspace.path("rejects").rglob("*.jsonl"))) == 1

    twice = ingest_paths(workspace, [str(log)], "nginx", "web", options=options(force=True))
    assert twice.events == 350
    assert _refs(workspace) == before  # replaced again, never added to


def test_force_on_a_grown_log_replaces_the_part_read_before(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    log = tmp_path / "access.log"
    grown = ingest_grown_log(workspace, log, 500, 120)
    assert grown.results[0].status == "continued"
    manifest = Manifest(workspace.path("events"))
    first, second = manifest.records()
    assert second.resumed_from == first.sha256
    assert manifest.lineage(second) == [second, first]

    forced = ingest_paths(workspace, [str(log)], "nginx", "web", options=options(force=True))
    assert forced.events == 620  # read whole, from line 1
    refs = _refs(workspace)
    assert len(refs) == len(set(refs)) == 620
    # The earlier file's own output is gone: its lines are in the grown file's now.
    assert not list(workspace.path("events").rglob(f"{first.key}.parquet"))
    (record,) = Manifest(workspace.path("events")).records()
    assert (record.sha256, record.first_line, record.resumed_from) == (second.sha256, 1, None)


def test_force_of_the_earlier_file_keeps_its_continuation(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    old, new = tmp_path / "old.log", tmp_path / "new.log"
    old.write_bytes(access_log(200))
    new.write_bytes(access_log(200) + access_log(30, start=200))
    ingest_paths(workspace, [str(old)], "nginx", "web", options=options())
    ingest_paths(workspace, [str(new)], "nginx", "web", options=options())
    ingest_paths(workspace, [str(old)], "nginx", "web", options=options(force=True))
    refs = _refs(workspace)
    assert len(refs) == len(set(refs)) == 230
    assert len(Manifest(workspace.path("events")).records()) == 2


def test_force_commit_interrupted_is_finished_by_the_next_run(
    make_workspace: MakeWorkspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = make_workspace()
    log = tmp_path / "access.log"
    ingest_grown_log(workspace, log, 400, 40)
    first = Manifest(workspace.path("events")).records()[0]

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # the process dies after the moves, before the record

    monkeypatch.setattr(manifest_module.Manifest, "append", killed)
    monkeypatch.setattr(writer_module.StagedOutput, "abort", lambda self: None)  # no cleanup
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(workspace, [str(log)], "nginx", "web", options=options(force=True))
    monkeypatch.undo()
    # The intent said which record it replaces and which output to remove: the next run
    # finishes that before anything else, then finds the file recorded.
    report = ingest_paths(workspace, [str(log)], "nginx", "web", options=options())
    assert report.already_ingested == 1
    refs = _refs(workspace)
    assert len(refs) == len(set(refs)) == 440
    assert not list(workspace.path("events").rglob(f"{first.key}.parquet"))
    (record,) = Manifest(workspace.path("events")).records()
    assert record.first_line == 1
    lines = (workspace.path("events") / manifest_module.MANIFEST).read_text().splitlines()
    assert sum("forgotten" in json.loads(line) for line in lines) == 2


def test_forgotten_lines_are_read_in_order(tmp_path: Path) -> None:
    root = tmp_path / "events"
    root.mkdir()
    record = {
        "sha256": "a" * 64,
        "source": "web",
        "path": "x.log",
        "format": "nginx",
        "size": 1,
        "raw_head_sha256": "",
        "decoded_bytes": 1,
        "decoded_sha256": "",
        "head_len": 1,
        "head_sha256": "",
        "lines": 1,
        "events": 1,
        "rejected": 0,
        "skipped": 0,
    }
    lines = [record, {"forgotten": "a" * 64}, {**record, "events": 2}, {"forgotten": "b" * 64}]
    (root / manifest_module.MANIFEST).write_text("".join(json.dumps(x) + "\n" for x in lines))
    (found,) = Manifest(root).records()
    assert found.events == 2
    forgotten = {"forgotten": "a" * 64}
    (root / manifest_module.MANIFEST).write_text(f"{json.dumps(record)}\n{json.dumps(forgotten)}\n")
    assert Manifest(root).records() == []


def test_rebuild_advice_names_the_log_and_the_command(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    log = tmp_path / "my logs" / "access.log"
    log.parent.mkdir()
    log.write_bytes(access_log(20))
    ingest_paths(workspace, [str(log)], "nginx", "web", options=options())
    made = next(workspace.path("events").rglob("*.parquet"))
    advice = rebuild_advice(made)
    assert f"'breachdesk ingest --force '{log}' --source web --format nginx'" in advice
    stray = made.parent / "stray.parquet"
    assert rebuild_advice(stray) == "move it aside to work without its events"


def test_cli_force_after_a_broken_event_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = init_workspace(tmp_path / "ws")  # with its store: detect keeps its alerts
    workspace.close()
    log = tmp_path / "access.log"
    log.write_bytes(access_log(100))
    root = str(workspace.root)
    assert main(["--workspace", root, "ingest", str(log), "--format", "nginx"]) == 0
    made = next(workspace.path("events").rglob("*.parquet"))
    made.write_bytes(made.read_bytes()[:100])  # truncated on disk
    capsys.readouterr()
    assert main(["--workspace", root, "detect"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--force" in err
    assert str(log) in err
    assert main(["--workspace", root, "ingest", str(log), "--format", "nginx", "--force"]) == 0
    assert "1 file(s) ingested again" in capsys.readouterr().out
    assert main(["--workspace", root, "detect", "--json"]) == 0
    assert len(_refs(workspace)) == 100
    capsys.readouterr()
    # Without --force the summary points to it; with it, a file left as it was (no line read
    # in the format given) is explained by the error line, not by the same advice again.
    assert main(["--workspace", root, "ingest", str(log), "--format", "nginx"]) == 0
    assert "--force ingests them again" in capsys.readouterr().out
    assert main(["--workspace", root, "ingest", str(log), "--format", "jsonl", "--force"]) == 2
    out, err = capsys.readouterr()
    assert "already ingested: nothing added\n" in out
    assert "its earlier events kept" in err


def test_force_with_a_wrong_format_keeps_what_was_ingested(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    log = tmp_path / "access.log"
    log.write_bytes(access_log(60))
    ingest_paths(workspace, [str(log)], "nginx", "web", options=options())
    before = _refs(workspace)
    report = ingest_paths(workspace, [str(log)], "jsonl", "web", options=options(force=True))
    assert report.already_ingested == 1
    with pytest.raises(InputFileError, match="its earlier events kept"):
        report.raise_for_problems()
    assert _refs(workspace) == before
    assert len(Manifest(workspace.path("events")).records()) == 1


def test_rebuild_advice_when_the_manifest_cannot_be_read(tmp_path: Path) -> None:
    events = tmp_path / ".breachdesk" / "events"
    (events / manifest_module.MANIFEST).mkdir(parents=True)  # not a file: open() fails
    broken = events / "source=web" / "date=2026-11-03" / "x.parquet"
    assert rebuild_advice(broken) == "move it aside to work without its events"
