"""Ingest: input files → parsed blocks (in parallel) → partitioned Parquet, rejects, manifest.

For each file: skip it if its content was ingested before; if it continues a file ingested
before (a log that grew), start after the part already read; otherwise read it in blocks that
worker threads parse (pyarrow and DuckDB release the GIL) while the main thread writes results
in order. The file's output is committed in one step, after its last block.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from breachdesk.config import LogFormat, LogSource
from breachdesk.errors import ConfigError, InputFileError, UserInputError
from breachdesk.ingest.blocks import BLOCK_SIZE, REJECT_HEAD, Block, LongLine, read_blocks
from breachdesk.ingest.events import FinishContext, finish
from breachdesk.ingest.files import (
    DecodedStream,
    InputFile,
    expand_paths,
    file_sha256,
    head_sha256,
    open_decoded,
)
from breachdesk.ingest.manifest import FileRecord, Manifest, ingest_lock, recover
from breachdesk.ingest.memory import keep_freed_memory
from breachdesk.ingest.parsers import MAX_LINE, BlockParser, make_parser
from breachdesk.ingest.rejects import REASON_TRUNCATED, Reject, block_rejects, long_line_reject
from breachdesk.ingest.routes import ExposureMap
from breachdesk.ingest.text import TextBlock
from breachdesk.ingest.timeparse import check_timezone
from breachdesk.ingest.writer import StagedOutput, move_into_place, read_intent, write_intent
from breachdesk.workspace import Workspace

FUTURE_TOLERANCE = timedelta(minutes=5)
"""Events stamped later than the ingest clock plus this are rejected: beyond any NTP skew, so
a wrong source time zone or a forged line shows up in the rejects instead of the timeline."""
HEAD = 4096
RAW_HEAD = 1 << 20

Progress = Callable[[int], None]
"""Called with the number of stored bytes just read."""


@dataclass(frozen=True)
class FileProblem:
    """An input file that could not be read to its end (its readable part was kept)."""

    file: str
    line: int
    message: str


@dataclass
class FileResult:
    file: str
    source: str
    sha256: str
    status: str  # "ingested", "already ingested", "continued"
    events: int = 0
    rejected: int = 0
    skipped: int = 0
    lines: int = 0
    bytes: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    problems: list[FileProblem] = field(default_factory=list)


@dataclass
class IngestReport:
    """What one ingest run did; ``as_json`` is the CLI's ``--json`` output."""

    files: int = 0
    events: int = 0
    rejected: int = 0
    bytes: int = 0
    seconds: float = 0.0
    skipped_lines: int = 0
    already_ingested: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    results: list[FileResult] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "events": self.events,
            "rejected": self.rejected,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
        }

    def add(self, result: FileResult) -> None:
        self.results.append(result)
        self.problems.extend(result.problems)
        for reason, count in result.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + count
        self.files += 1
        self.events += result.events
        self.rejected += result.rejected
        self.skipped_lines += result.skipped
        self.bytes += result.bytes
        if result.status == "already ingested":
            self.already_ingested += 1

    def raise_for_problems(self) -> None:
        """One line naming the first unreadable file and line (exit code 2)."""
        if self.problems:
            first = self.problems[0]
            more = len(self.problems) - 1
            tail = f" (and {more} more file{'s' if more > 1 else ''})" if more else ""
            raise InputFileError(first.message + tail, path=first.file, line=first.line)


@dataclass(frozen=True)
class IngestOptions:
    """Tuning knobs; the defaults suit a laptop and the tests override them."""

    workers: int = max(1, min(4, os.cpu_count() or 1))
    block_size: int = BLOCK_SIZE
    max_line: int = MAX_LINE
    now: datetime | None = None
    stdin: BinaryIO | None = None


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
    keep_freed_memory()
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
                    job = _FileJob(
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
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class _FileJob:
    setting: LogSource
    parser: BlockParser
    source: InputFile
    manifest: Manifest
    exposure: ExposureMap
    events_root: Path
    options: IngestOptions
    pool: ThreadPoolExecutor
    progress: Progress | None

    def run(self) -> FileResult:
        known = self._already_ingested()
        if known is not None:
            if self.progress:
                self.progress(self.source.size() or 0)
            return FileResult(
                self.source.display, self.setting.name, known.sha256, "already ingested"
            )
        stream = open_decoded(self.source, stdin=self.options.stdin)
        try:
            return self._ingest(stream, may_continue=True)
        except _Restart:
            stream.close()
            stream = open_decoded(self.source, stdin=self.options.stdin)
            return self._ingest(stream, may_continue=False)
        finally:
            stream.close()

    def _already_ingested(self) -> FileRecord | None:
        """The record of this exact content, hashing the whole file only when the cheap
        pre-check (size and first MiB) says it could be known."""
        path = self.source.path
        if path is None:
            return None
        if not self.manifest.same_start(path.stat().st_size, head_sha256(path, RAW_HEAD)):
            return None
        return self.manifest.find(file_sha256(path))

    def _ingest(self, stream: DecodedStream, *, may_continue: bool) -> FileResult:
        decoded = hashlib.sha256()
        head = bytearray()
        first_line, resumed = 1, None
        if may_continue and not self.source.is_stdin:
            first_line, resumed = self._continue_after(stream, decoded, head)
        skipped_bytes = stream.raw_bytes if resumed else 0
        staged = StagedOutput(self.events_root, self.setting.name)
        problems: list[FileProblem] = []
        now = self.options.now or datetime.now(UTC)
        latest = int((now + FUTURE_TOLERANCE).timestamp() * 1_000_000)
        tally = _Tally(last_line=first_line - 1, parser=self.parser)
        in_flight: deque[Future[_BlockOutcome]] = deque()
        reported = 0
        try:
            for item in self._items(stream, first_line, decoded, head):
                if self.progress and stream.raw_bytes > reported:
                    self.progress(stream.raw_bytes - reported)
                    reported = stream.raw_bytes
                if isinstance(item, LongLine):
                    rejected = [long_line_reject(self.source.display, item)]
                    tally.count(rejected)
                    staged.write_rejects(rejected)
                    tally.last_line = max(tally.last_line, item.line)
                    continue
                ctx = FinishContext(
                    source=self.setting.name,
                    display=self.source.display,
                    first_line=item.first_line,
                    exposure=self.exposure,
                    latest_allowed_us=latest,
                )
                in_flight.append(self.pool.submit(_parse_block, self.parser, item, ctx))
                while len(in_flight) > self.options.workers:
                    tally.collect(in_flight.popleft().result(), staged)
            while in_flight:
                tally.collect(in_flight.popleft().result(), staged)
        except BaseException:
            for future in in_flight:
                future.cancel()
            staged.abort()
            raise
        if stream.error is not None:
            stream.drain_raw()
            message = f"{stream.error}; what came before line {tally.last_line + 1} was kept"
            problems.append(FileProblem(self.source.display, tally.last_line, message))
        if self.progress and stream.raw_bytes > reported:
            self.progress(stream.raw_bytes - reported)
        staged.close()
        sha = stream.sha256
        record = FileRecord(
            sha256=sha,
            source=self.setting.name,
            path=self.source.display,
            format=self.setting.format,
            size=stream.raw_bytes,
            raw_head_sha256=""
            if self.source.path is None
            else head_sha256(self.source.path, RAW_HEAD),
            decoded_bytes=stream.decoded_bytes,
            decoded_sha256=decoded.hexdigest() if stream.compression != "none" else sha,
            head_len=len(head),
            head_sha256=hashlib.sha256(bytes(head)).hexdigest(),
            lines=tally.last_line,
            events=staged.events,
            rejected=staged.rejected,
            skipped=tally.skipped,
            first_line=first_line,
            resumed_from=resumed,
            error=stream.error,
            ingested_at=now.isoformat(timespec="seconds"),
        )
        if not self._commit(staged, record):  # stdin, a copy of a file read in parallel…
            return FileResult(self.source.display, self.setting.name, sha, "already ingested")
        if not record.recordable and stream.error is None:
            first = min(tally.reasons, key=lambda r: -tally.reasons[r]) if tally.reasons else ""
            problems.append(
                FileProblem(
                    self.source.display,
                    tally.first_reject or first_line,
                    f"no line could be read as {self.setting.format} ({first}); "
                    "check --format and --log-format",
                )
            )
        return FileResult(
            file=self.source.display,
            source=self.setting.name,
            sha256=sha,
            status="continued" if resumed else "ingested",
            events=record.events,
            rejected=record.rejected,
            skipped=record.skipped,
            lines=record.lines - first_line + 1,
            bytes=stream.raw_bytes - skipped_bytes,
            reasons=tally.reasons,
            problems=problems,
        )

    def _items(
        self, stream: DecodedStream, first_line: int, decoded: Any, head: bytearray
    ) -> Iterator[Block | LongLine]:
        """Blocks of the stream, numbered from ``first_line``, hashing the decoded bytes; the
        last line of a damaged stream, cut short, comes out as a reject."""
        hashed = _HashingStream(stream, decoded, head)
        block_size = (1 << 62) if self.parser.whole_file else self.options.block_size
        shift = first_line - 1
        items = read_blocks(
            hashed,  # type: ignore[arg-type]
            block_size=block_size,
            record_start=self.parser.record_start,
        )
        previous: Block | LongLine | None = None
        for item in items:
            if previous is not None:
                yield previous
            if isinstance(item, Block):
                previous = Block(item.index, item.data, item.first_line + shift, item.n_lines)
            else:
                previous = LongLine(item.line + shift, item.head, item.length, item.reason)
        if previous is None:
            return
        damaged = stream.error is not None
        if damaged and isinstance(previous, Block) and not previous.data.endswith(b"\n"):
            cut = previous.data.rfind(b"\n") + 1
            last = previous.first_line + previous.n_lines - 1
            if cut:
                yield Block(
                    previous.index, previous.data[:cut], previous.first_line, previous.n_lines - 1
                )
            tail = previous.data[cut:]
            yield LongLine(last, bytes(tail[:REJECT_HEAD]), len(tail), REASON_TRUNCATED)
            return
        yield previous

    def _continue_after(
        self, stream: DecodedStream, decoded: Any, head: bytearray
    ) -> tuple[int, str | None]:
        """When this file starts with the whole of a file of the same source ingested before
        (a log that grew), skip that part: returns (first line to read, that file's sha256)."""
        candidates = self.manifest.prefixes(self.setting.name)
        if not candidates:
            return 1, None
        start = stream.read(HEAD)
        matches = [
            r
            for r in candidates
            if r.decoded_bytes > r.head_len
            and r.head_len == len(start)
            and r.head_sha256 == hashlib.sha256(start).hexdigest()
        ] + [
            r
            for r in candidates
            if r.decoded_bytes == r.head_len < len(start)
            and hashlib.sha256(start[: r.head_len]).hexdigest() == r.head_sha256
        ]
        if not matches:
            stream.unread(start)
            return 1, None
        best = max(matches, key=lambda r: r.decoded_bytes)
        head.extend(start[:HEAD])
        if best.decoded_bytes <= len(start):
            decoded.update(start[: best.decoded_bytes])
            stream.unread(start[best.decoded_bytes :])
            head.clear()
            head.extend(start[: best.decoded_bytes])
        else:
            decoded.update(start)
            remaining = best.decoded_bytes - len(start)
            while remaining > 0:
                chunk = stream.read(min(remaining, 8 << 20))
                if not chunk:
                    break
                decoded.update(chunk)
                remaining -= len(chunk)
            if remaining > 0:
                raise _Restart()
        if decoded.copy().hexdigest() != best.decoded_sha256:
            raise _Restart()
        return best.lines + 1, best.sha256

    def _commit(self, staged: StagedOutput, record: FileRecord) -> bool:
        """Move the staged output into place and record it; False (nothing kept) when the
        same content was recorded meanwhile."""
        with self.manifest.lock:
            if self.manifest.find(record.sha256) is not None:
                staged.abort()
                return False
            destinations = [target for _, target in staged.destinations(record.key)]
            full = FileRecord.from_dict({**record.to_dict(), "files": destinations})
            write_intent(staged, record.key, full.to_dict())
            intent = read_intent(staged.staging)
            assert intent is not None
            move_into_place(staged.staging, self.events_root.parent, intent)
            if full.recordable:
                self.manifest.append(full)
        staged.abort()
        return True


@dataclass
class _Tally:
    last_line: int
    parser: BlockParser
    skipped: int = 0
    state: dict[str, Any] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    first_reject: int | None = None

    def collect(self, outcome: _BlockOutcome, staged: StagedOutput) -> None:
        self.count(outcome.rejects)
        events = outcome.events
        resolve = getattr(self.parser, "resolve", None)
        if resolve is not None:
            events = resolve(events, outcome.carry, self.state)
        staged.write_events(events)
        staged.write_rejects(outcome.rejects)
        self.skipped += outcome.skipped
        self.last_line = max(self.last_line, outcome.last_line)

    def count(self, rejects: list[Reject]) -> None:
        for reject in rejects:
            if self.first_reject is None or reject.line < self.first_reject:
                self.first_reject = reject.line
            self.reasons[reject.reason] = self.reasons.get(reject.reason, 0) + 1


class _Restart(Exception):
    """The file did not continue the recorded one after all: read it from the start."""


class _HashingStream:
    """A DecodedStream whose reads also keep the head and, for compressed input, feed a hash
    of the decoded bytes (for a plain file that is the stored bytes' hash already)."""

    def __init__(self, stream: DecodedStream, digest: Any, head: bytearray) -> None:
        self._stream = stream
        self._digest = digest if stream.compression != "none" else None
        self._head = head

    def read_after(self, prefix: bytes, size: int) -> bytearray:
        data = self._stream.read_after(prefix, size)
        fresh = memoryview(data)[len(prefix) :]
        if self._digest is not None:
            self._digest.update(fresh)
        if len(self._head) < HEAD:
            self._head.extend(fresh[: HEAD - len(self._head)])
        fresh.release()
        return data


@dataclass
class _BlockOutcome:
    events: Any
    rejects: list[Reject]
    skipped: int
    last_line: int
    carry: dict[str, Any]


def _parse_block(parser: BlockParser, block: Block, ctx: FinishContext) -> _BlockOutcome:
    text = TextBlock.from_block(block)
    parsed = parser.parse(text)
    done = finish(parsed, ctx)
    rejects = block_rejects(ctx.display, parsed.source_lines or text, done.rejects)
    last = block.first_line + block.n_lines - 1
    return _BlockOutcome(done.events, rejects, done.skipped, last, done.carry)
