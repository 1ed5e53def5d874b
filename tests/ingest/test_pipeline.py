"""The whole ingest: idempotency, crash recovery, damaged files, stdin, growth, limits."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pytest
import zstandard

from breachdesk.errors import InputFileError, UserInputError
from breachdesk.ingest import IngestOptions, IngestReport, ingest_configured, ingest_paths
from breachdesk.ingest import manifest as manifest_module
from breachdesk.ingest import writer as writer_module
from breachdesk.ingest.manifest import Manifest
from breachdesk.ingest.rejects import read_rejects
from breachdesk.workspace import Workspace

from .samples import EXPOSURE

MakeWorkspace = Callable[..., Workspace]
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def access_log(n: int, *, start: int = 0, day: int = 3) -> bytes:
    return b"".join(
        (
            f"198.51.100.{i % 250} - agent:{i % 7} [{day:02d}/Nov/2026:{(i // 3600) % 24:02d}:"
            f'{(i // 60) % 60:02d}:{i % 60:02d} +0100] "GET /api/v1/customers/{i} HTTP/1.1" '
            f'200 {100 + i} "-" "client/{i % 3}"\n'
        ).encode()
        for i in range(start, start + n)
    )


def events(workspace: Workspace) -> pa.Table:
    root = workspace.path("events")
    files = sorted(root.rglob("*.parquet"))
    if not files:
        return pa.table({})
    return ds.dataset([str(f) for f in files], format="parquet").to_table()


def options(**kwargs: object) -> IngestOptions:
    return IngestOptions(now=NOW, **kwargs)  # type: ignore[arg-type]


def test_ingest_writes_partitions_and_is_idempotent(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    log = tmp_path / "access.log"
    log.write_bytes(access_log(300) + access_log(50, start=300, day=4))
    first = ingest_paths(workspace, [str(log)], "nginx", "web", options=options())
    assert (first.files, first.events, first.rejected) == (1, 350, 0)
    folders = sorted(
        p.parent.relative_to(workspace.path("events"))
        for p in workspace.path("events").rglob("*.parquet")
    )
    # Local midnight at +0100 is 23:00 UTC the day before: partitions follow UTC dates.
    assert [str(f) for f in folders] == ["source=web/date=2026-11-02", "source=web/date=2026-11-03"]
    again = ingest_paths(workspace, [str(log)], "nginx", "web", options=options())
    assert (again.events, again.already_ingested) == (0, 1)
    table = events(workspace)
    assert table.num_rows == 350
    assert len(set(table.column("raw_ref").to_pylist())) == 350
    assert table.schema.field("time").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("route").type == pa.string()


def test_ingest_same_content_under_another_name_adds_nothing(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    (tmp_path / "a.log").write_bytes(access_log(20))
    (tmp_path / "copy.log").write_bytes(access_log(20))
    report = ingest_paths(
        workspace, [str(tmp_path / "a.log"), str(tmp_path / "copy.log")], "nginx", options=options()
    )
    assert (report.events, report.already_ingested) == (20, 1)


def test_ingest_resumes_after_a_crash_mid_file(
    make_workspace: MakeWorkspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = make_workspace()
    log = tmp_path / "access.log"
    log.write_bytes(access_log(2000))
    calls = {"n": 0}
    original = writer_module.StagedOutput.write_events

    def dying(self: writer_module.StagedOutput, table: pa.Table) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the process is killed mid-file
        original(self, table)

    monkeypatch.setattr(writer_module.StagedOutput, "write_events", dying)
    monkeypatch.setattr(writer_module.StagedOutput, "abort", lambda self: None)  # no cleanup
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(workspace, [str(log)], "nginx", options=options(block_size=16 << 10))
    assert events(workspace).num_rows == 0  # nothing half-written is visible
    assert any((workspace.state_dir / "ingest-staging").iterdir())
    monkeypatch.undo()
    report = ingest_paths(workspace, [str(log)], "nginx", options=options(block_size=16 << 10))
    assert report.events == 2000
    assert events(workspace).num_rows == 2000
    assert not any((workspace.state_dir / "ingest-staging").iterdir())


def test_ingest_rolls_a_half_done_commit_forward(
    make_workspace: MakeWorkspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = make_workspace()
    log = tmp_path / "access.log"
    log.write_bytes(access_log(100) + access_log(100, start=100, day=5) + b"junk\n")
    moved = {"n": 0}
    real_replace = writer_module.os.replace

    def crash_after_one_move(src: str, dst: str) -> None:
        if str(dst).endswith(".parquet") and ".staging" not in str(dst):
            moved["n"] += 1
            if moved["n"] == 2:
                raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(writer_module.os, "replace", crash_after_one_move)
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(workspace, [str(log)], "nginx", options=options())
    monkeypatch.undo()
    assert Manifest(workspace.path("events")).records() == []
    report = ingest_paths(workspace, [str(log)], "nginx", options=options())
    assert report.already_ingested == 1  # the interrupted commit was finished first
    table = events(workspace)
    assert table.num_rows == 200
    assert len(Manifest(workspace.path("events")).records()) == 1
    rejects = list(workspace.path("rejects").rglob("*.jsonl"))
    assert len(rejects) == 1


def test_ingest_torn_manifest_line_means_ingest_again(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    log = tmp_path / "access.log"
    log.write_bytes(access_log(30))
    ingest_paths(workspace, [str(log)], "nginx", options=options())
    path = workspace.path("events") / manifest_module.MANIFEST
    path.write_bytes(path.read_bytes()[:-20])  # power cut while appending
    report = ingest_paths(workspace, [str(log)], "nginx", options=options())
    assert report.events == 30
    assert events(workspace).num_rows == 30  # replaced, not added


def test_ingest_truncated_gzip_keeps_the_readable_part(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    data = gzip.compress(access_log(3000))
    log = tmp_path / "access-2026-11-03.log.gz"
    log.write_bytes(data[: len(data) * 2 // 3])
    report = ingest_paths(workspace, [str(log)], "nginx", options=options())
    assert 0 < report.events < 3000
    assert report.rejected <= 1  # the line cut in the middle, if any
    (problem,) = report.problems
    assert problem.file.endswith("access-2026-11-03.log.gz")
    assert "gzip stream truncated" in problem.message
    with pytest.raises(
        InputFileError, match=r"access-2026-11-03\.log\.gz:\d+: gzip stream truncated"
    ):
        report.raise_for_problems()
    assert events(workspace).num_rows == report.events


def test_ingest_zstd_and_stdin(make_workspace: MakeWorkspace, tmp_path: Path) -> None:
    workspace = make_workspace()
    log = tmp_path / "access.log.zst"
    log.write_bytes(zstandard.ZstdCompressor().compress(access_log(40)))
    assert ingest_paths(workspace, [str(log)], "nginx", options=options()).events == 40
    stdin = io.BytesIO(access_log(25, start=40))
    report = ingest_paths(workspace, ["-"], "nginx", options=options(stdin=stdin))
    assert report.events == 25
    assert events(workspace).column("raw_ref").to_pylist()[-1] == "<stdin>:25"
    again = ingest_paths(
        workspace, ["-"], "nginx", options=options(stdin=io.BytesIO(access_log(25, start=40)))
    )
    assert (again.events, again.already_ingested) == (0, 1)


def ingest_grown_log(workspace: Workspace, log: Path, first: int, more: int) -> IngestReport:
    """Ingest ``first`` lines of ``log``, then the log grown by ``more`` lines: the second
    run's report."""
    log.write_bytes(access_log(first))
    ingest_paths(workspace, [str(log)], "nginx", "web", options=options())
    log.write_bytes(access_log(first) + access_log(more, start=first))
    return ingest_paths(workspace, [str(log)], "nginx", "web", options=options())


def test_ingest_a_grown_log_adds_only_its_new_lines(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    report = ingest_grown_log(workspace, tmp_path / "access.log", 500, 120)
    assert report.events == 120
    assert report.results[0].status == "continued"
    refs = events(workspace).column("raw_ref").to_pylist()
    assert len(refs) == len(set(refs)) == 620
    assert f"{report.results[0].file}:501" in refs


def test_ingest_rejects_future_times_and_long_lines(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    log = tmp_path / "access.log"
    future = access_log(1, day=29)  # two days after NOW
    huge = (
        b'10.0.0.1 - - [03/Nov/2026:00:00:00 +0000] "GET /'
        + b"a" * (1 << 20)
        + b' HTTP/1.1" 200 1 "-" "-"\n'
    )
    log.write_bytes(access_log(10) + future + huge + access_log(5, start=10))
    for block_size in (32 << 20, 256 << 10):  # the long line inside a block, and longer than one
        ws = make_workspace(name=f"ws{block_size}")
        report = ingest_paths(ws, [str(log)], "nginx", options=options(block_size=block_size))
        assert (report.events, report.rejected) == (15, 2)
        assert report.reasons == {"timestamp in the future": 1, "line too long": 1}
        (stored,) = list(ws.path("rejects").rglob("*.jsonl"))
        by_line = {r.line: r for r in read_rejects(stored)}
        assert by_line[11].reason == "timestamp in the future"
        assert by_line[12].reason == "line too long"
        assert by_line[12].length == len(huge) - 1
        assert by_line[12].truncated
        assert len(by_line[12].raw) == 64 << 10
    del workspace


def test_ingest_rejects_store_raw_lines_escaped(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    log = tmp_path / "access.log"
    log.write_bytes(access_log(3) + b"\x1b[2J\x1b[31mpwned\xff\r\x07\n")
    report = ingest_paths(workspace, [str(log)], "nginx", options=options())
    assert (report.events, report.rejected) == (3, 1)
    (stored,) = list(workspace.path("rejects").rglob("*.jsonl"))
    text = stored.read_text(encoding="ascii")
    assert "\x1b" not in text
    record = json.loads(text)
    assert record["file"].endswith("access.log")
    assert record["line"] == 4
    assert record["raw"] == "\\x1b[2J\\x1b[31mpwned\\xff\\x0d\\x07"


def test_ingest_wrong_format_is_an_error_and_not_recorded(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    workspace = make_workspace()
    log = tmp_path / "app.jsonl"
    log.write_text('{"time": "2026-11-03T00:00:00Z", "path": "/"}\n', encoding="utf-8")
    report = ingest_paths(workspace, [str(log)], "nginx", options=options())
    with pytest.raises(InputFileError, match=r"app\.jsonl:1: no line could be read as nginx"):
        report.raise_for_problems()
    fixed = ingest_paths(workspace, [str(log)], "jsonl", options=options())
    assert fixed.events == 1


def test_ingest_configured_sources_with_time_zone(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    settings = (
        '[[sources]]\nname = "gateway"\nformat = "jsonl"\npaths = ["logs/gateway"]\n'
        'timezone = "America/New_York"\n[sources.fields]\ntime = "ts"\npath = "path"\n' + EXPOSURE
    )
    workspace = make_workspace(settings)
    folder = workspace.root / "logs" / "gateway"
    folder.mkdir(parents=True)
    (folder / "gateway-2026-11-03.jsonl").write_text(
        '{"ts": "2026-11-03 09:00:00", "path": "/api/v1/customers/7"}\n', encoding="utf-8"
    )
    report = ingest_configured(workspace, options=options())
    assert report.events == 1
    (row,) = events(workspace).to_pylist()
    assert row["time"] == datetime(2026, 11, 3, 14, 0, tzinfo=UTC)
    assert row["source"] == "gateway"
    assert row["raw_ref"] == "logs/gateway/gateway-2026-11-03.jsonl:1"
    assert (row["class"], row["object_id"]) == ("api", "7")


def test_ingest_needs_a_format(make_workspace: MakeWorkspace, tmp_path: Path) -> None:
    workspace = make_workspace()
    (tmp_path / "a.log").write_bytes(b"x\n")
    with pytest.raises(UserInputError, match="--format"):
        ingest_paths(workspace, [str(tmp_path / "a.log")])


def test_ingest_one_run_at_a_time(make_workspace: MakeWorkspace, tmp_path: Path) -> None:
    from breachdesk.errors import WorkspaceError

    workspace = make_workspace()
    (tmp_path / "a.log").write_bytes(access_log(2))
    with (
        manifest_module.ingest_lock(workspace.path("events")),
        pytest.raises(WorkspaceError, match="another"),
    ):
        ingest_paths(workspace, [str(tmp_path / "a.log")], "nginx", options=options())
