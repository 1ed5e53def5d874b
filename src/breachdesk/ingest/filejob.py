"""One input file through the ingest: skip, continue or read it, parse its blocks in parallel,
write the results in order, commit them with the file's manifest record."""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from breachdesk.config import LogSource
from breachdesk.ingest.blocks import REJECT_HEAD, Block, LongLine, read_blocks
from breachdesk.ingest.events import FinishContext, finish
from breachdesk.ingest.files import DecodedStream, InputFile, file_sha256, head_sha256, open_decoded
from breachdesk.ingest.manifest import FileRecord, Manifest
from breachdesk.ingest.parsers import BlockParser
from breachdesk.ingest.rejects import REASON_TRUNCATED, Reject, block_rejects, long_line_reject
from breachdesk.ingest.report import FileProblem, FileResult, IngestOptions, Progress
from breachdesk.ingest.routes import ExposureMap
from breachdesk.ingest.text import TextBlock
from breachdesk.ingest.writer import StagedOutput, move_into_place, read_intent, write_intent

FUTURE_TOLERANCE = timedelta(minutes=5)
"""Events stamped later than the ingest clock plus this are rejected: beyond any NTP skew, so
a wrong source time zone or a forged line shows up in the rejects instead of the timeline."""
HEAD = 4096
RAW_HEAD = 1 << 20


@dataclass
class FileJob:
    """Everything done to one input file of one source in one run."""

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
        if known is not None and not self.options.force:
            if self.progress:
                self.progress(self.source.size() or 0)
            return FileResult(
                self.source.display, self.setting.name, known.sha256, "already ingested"
            )
        stream = open_decoded(self.source, stdin=self.options.stdin)
        try:
            # Content ingested before and asked for again is read whole, from its first line.
            return self._ingest(stream, may_continue=known is None)
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
        replaced = self._commit(staged, record)
        unreadable = not record.recordable and stream.error is None
        if replaced is None:  # stdin, a copy of a file read in parallel, a failed --force…
            kept = FileResult(self.source.display, self.setting.name, sha, "already ingested")
            if unreadable:
                kept.problems.append(
                    self._unreadable(tally, first_line, "; its earlier events kept")
                )
            return kept
        if unreadable:
            problems.append(self._unreadable(tally, first_line, ""))
        return FileResult(
            file=self.source.display,
            source=self.setting.name,
            sha256=sha,
            status="ingested again" if replaced else "continued" if resumed else "ingested",
            events=record.events,
            rejected=record.rejected,
            skipped=record.skipped,
            lines=record.lines - first_line + 1,
            bytes=stream.raw_bytes - skipped_bytes,
            reasons=tally.reasons,
            problems=problems,
        )

    def _unreadable(self, tally: _Tally, first_line: int, note: str) -> FileProblem:
        first = min(tally.reasons, key=lambda r: -tally.reasons[r]) if tally.reasons else ""
        return FileProblem(
            self.source.display,
            tally.first_reject or first_line,
            f"no line could be read as {self.setting.format} ({first}); "
            f"check --format and --log-format{note}",
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
                previous = replace(item, first_line=item.first_line + shift)
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

    def _commit(self, staged: StagedOutput, record: FileRecord) -> int | None:
        """Move the staged output into place and record it: the number of records it replaces
        (``--force``), or None (nothing kept) when the same content is recorded already."""
        with self.manifest.lock:
            earlier = self.manifest.find(record.sha256)
            # Forced or not, a run that read no line (a wrong --format) replaces nothing.
            if earlier is not None and not (self.options.force and record.recordable):
                staged.abort()
                return None
            # Read from its first line, the file replaces its record and those of the earlier
            # files it continued (their lines are in its output now); continued, only its own.
            replaced = []
            if earlier is not None:
                replaced = self.manifest.lineage(earlier) if record.first_line == 1 else [earlier]
            destinations = [target for _, target in staged.destinations(record.key)]
            forget = [r.sha256 for r in replaced]
            remove = [f for r in replaced for f in r.files if f not in destinations]
            full = FileRecord.from_dict({**record.to_dict(), "files": destinations})
            write_intent(staged, record.key, full.to_dict(), forget=forget, remove=remove)
            intent = read_intent(staged.staging)
            assert intent is not None
            move_into_place(staged.staging, self.events_root.parent, intent)
            if full.recordable:
                self.manifest.append(full, forgetting=forget)
        staged.abort()
        return len(replaced)


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
