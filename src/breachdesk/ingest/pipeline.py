"""Ingest: input files → parsed blocks (in parallel) → partitioned Parquet, rejects, manifest.

For each file: skip it if its content was ingested before; if it continues a file ingested
before (a log that grew), start after the part already read; otherwise read it in blocks that
worker threads parse (pyarrow and DuckDB release the GIL) while the main thread writes results
in order. The file's output is committed in one step, after its last block.
"""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

from breachdesk.config import LogFormat, LogSource
from breachdesk.errors import ConfigError, UserInputError
from breachdesk.ingest.filejob import FileJob
from breachdesk.ingest.files import InputFile, expand_paths
from breachdesk.ingest.manifest import Manifest, ingest_lock, recover
from breachdesk.ingest.memory import keep_freed_memory
from breachdesk.ingest.parsers import make_parser
from breachdesk.ingest.report import FileProblem, FileResult, IngestOptions, IngestReport, Progress
from breachdesk.ingest.routes import ExposureMap
from breachdesk.ingest.timeparse import check_timezone
from breachdesk.workspace import Workspace

__all__ = [
    "FileProblem",
    "FileResult",
    "IngestOptions",
    "IngestReport",
    "ingest_configured",
    "ingest_paths",
    "planned_bytes",
]


def ingest_paths(
    workspace: Workspace,
    paths: list[str],
    fmt: LogFormat | None = None,
    source: str | None = None,
    log_format: str | None = None,
    *,
    timezone: str | None = None,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest ``paths`` as one source; settings of a configured source with that name apply
    unless given here. Lines that fail are kept in the rejects and counted."""
    configured = _configured(workspace, source)
    chosen_format = fmt or (configured.format if configured else None)
    if chosen_format is None:
        raise UserInputError("say which format the logs are in with --format")
    name = source or (configured.name if configured else chosen_format)
    setting = LogSource(
        name=name,
        format=chosen_format,
        paths=paths,
        timezone=timezone or (configured.timezone if configured else "UTC"),
        log_format=log_format
        if log_format is not None
        else (configured.log_format if configured else None),
        fields=configured.fields if configured else {},
    )
    files = expand_paths(paths, base=workspace.root)
    return _run(workspace, [(setting, files)], options or IngestOptions(), progress)


def ingest_configured(
    workspace: Workspace,
    *,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest every ``[[sources]]`` of the workspace's settings."""
    return _run(workspace, _configured_work(workspace), options or IngestOptions(), progress)


def _configured_work(workspace: Workspace) -> list[tuple[LogSource, list[InputFile]]]:
    sources = workspace.settings.sources
    if not sources:
        raise ConfigError(
            "no [[sources]] in breachdesk.toml; add one or give paths and --format",
            path=workspace.config_path,
        )
    return [(s, expand_paths(s.paths, base=workspace.root)) for s in sources]


def planned_bytes(workspace: Workspace, paths: list[str] | None) -> int:
    """Stored bytes the run will read (for a progress bar); stdin counts as 0."""
    if paths is None:
        files = [f for _, group in _configured_work(workspace) for f in group]
    else:
        files = expand_paths(paths, base=workspace.root)
    return sum(f.size() or 0 for f in files)


def _configured(workspace: Workspace, name: str | None) -> LogSource | None:
    if name is None:
        return None
    return next((s for s in workspace.settings.sources if s.name == name), None)


def _run(
    workspace: Workspace,
    work: list[tuple[LogSource, list[InputFile]]],
    options: IngestOptions,
    progress: Progress | None,
) -> IngestReport:
    started = time.perf_counter()
    with keep_freed_memory(options.tune_memory):
        report = _run_tuned(workspace, work, options, progress)
    report.seconds = time.perf_counter() - started
    return report


def _run_tuned(
    workspace: Workspace,
    work: list[tuple[LogSource, list[InputFile]]],
    options: IngestOptions,
    progress: Progress | None,
) -> IngestReport:
    events_root = workspace.path("events")
    exposure = ExposureMap(workspace.settings.exposure)
    report = IngestReport()
    for setting, _ in work:
        check_timezone(setting.timezone)
    parsers = {
        s.name: make_parser(
            s.format,
            log_format=s.log_format,
            timezone=s.timezone,
            fields=s.fields,
            max_line=options.max_line,
        )
        for s, _ in work
    }
    with ingest_lock(events_root):
        manifest = Manifest(events_root)
        recover(events_root, manifest)
        # Blocks of a file are parsed in parallel; small files are also read in parallel
        # (one block each, they would otherwise leave all but one worker idle).
        with (
            ThreadPoolExecutor(options.workers, thread_name_prefix="ingest-block") as blocks,
            ThreadPoolExecutor(options.workers, thread_name_prefix="ingest-file") as files,
        ):
            pending: deque[Future[FileResult]] = deque()
            for setting, items in work:
                for item in items:
                    job = FileJob(
                        setting=setting,
                        parser=parsers[setting.name],
                        source=item,
                        manifest=manifest,
                        exposure=exposure,
                        events_root=events_root,
                        options=options,
                        pool=blocks,
                        progress=progress,
                    )
                    size = item.size()
                    if size is not None and size < options.block_size:
                        pending.append(files.submit(job.run))
                        continue
                    while pending:
                        report.add(pending.popleft().result())
                    report.add(job.run())
            while pending:
                report.add(pending.popleft().result())
    return report
