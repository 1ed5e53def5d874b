"""The allocator tuning is opt-in and scoped to the run: a host's Arrow pool is left alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from breachdesk.ingest import IngestOptions, ingest_paths
from breachdesk.ingest.memory import keep_freed_memory
from breachdesk.workspace import Workspace

from .test_pipeline import access_log, options


def test_ingest_leaves_the_hosts_arrow_pool_alone(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    log = tmp_path / "access.log"
    log.write_bytes(access_log(200))
    before = pa.default_memory_pool().backend_name
    report = ingest_paths(make_workspace(), [str(log)], "nginx", options=options())
    assert report.events == 200
    assert pa.default_memory_pool().backend_name == before


def test_tuning_is_undone_when_the_run_ends(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    log = tmp_path / "access.log"
    log.write_bytes(access_log(200))
    before = pa.default_memory_pool().backend_name
    tuned = IngestOptions(tune_memory=True, now=options().now)
    report = ingest_paths(make_workspace(), [str(log)], "nginx", options=tuned)
    assert report.events == 200
    assert pa.default_memory_pool().backend_name == before


def test_nested_tuning_is_undone_by_the_last_to_leave() -> None:
    before = pa.default_memory_pool().backend_name
    with keep_freed_memory() as outer:
        with keep_freed_memory() as inner:
            assert inner == outer
            # Arrow keeps its own pool even while tuned (see memory.py for why).
            assert pa.default_memory_pool().backend_name == before
        assert pa.default_memory_pool().backend_name == before
    assert pa.default_memory_pool().backend_name == before
    with keep_freed_memory(enabled=False) as applied:
        assert not applied
        assert pa.default_memory_pool().backend_name == before
