"""Delivery status notifications (RFC 3464) → notices marked ``bounced``.

A DSN names the failed message by its original headers (``text/rfc822-headers`` or
``message/rfc822``): our Message-ID is ``<notice-id@domain>``, so the notice is found without
guessing. When the original headers are missing, the ``Final-Recipient`` address is looked up
by its blind index. Input is untrusted mail: size, parts and depth are capped, and a file that
is not a DSN is counted, not fatal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from breachdesk.errors import InputFileError
from breachdesk.notify.outbox import BOUNCED, SENDING, SENT, UNCERTAIN, now_utc
from breachdesk.notify.plan import PERSON_EMAIL
from breachdesk.store import record_audit
from breachdesk.store.tables import AffectedPerson as PersonRow
from breachdesk.store.tables import Notice
from breachdesk.workspace import Workspace

MAX_BYTES = 2 * 1024 * 1024
MAX_PARTS = 64
MAX_FILES = 1_000_000
_NOTICE_ID = re.compile(r"<([0-9a-f]{32})@[^>\s]+>")
_STATUS = re.compile(r"^([245])\.\d{1,3}\.\d{1,3}$")


@dataclass(frozen=True)
class DsnRecipient:
    """One per-recipient block of a DSN."""

    recipient: str
    action: str
    status: str
    diagnostic: str


@dataclass(frozen=True)
class Dsn:
    original_message_id: str | None
    recipients: list[DsnRecipient]

    @property
    def notice_id(self) -> str | None:
        found = _NOTICE_ID.search(self.original_message_id or "")
        return found.group(1) if found else None


@dataclass
class BounceReport:
    files: int = 0
    dsns: int = 0
    bounced: int = 0
    already: int = 0
    delayed: int = 0
    unmatched: int = 0
    not_dsn: int = 0
    notices: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def parse_dsn(data: bytes) -> Dsn | None:
    """The DSN in ``data``, or None when it is not one; InputFileError when it is too big."""
    if len(data) > MAX_BYTES:
        raise InputFileError(f"message larger than {MAX_BYTES // 1024} KiB")
    message = message_from_bytes(data, policy=compat32)
    status_part: Message | None = None
    original: str | None = None
    for count, part in enumerate(_walk(message, depth=0)):
        if count >= MAX_PARTS:
            break
        kind = part.get_content_type()
        if kind == "message/delivery-status" and status_part is None:
            status_part = part
        elif kind == "text/rfc822-headers" and original is None:
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                headers = HeaderParser(policy=compat32).parsestr(payload.decode("utf-8", "replace"))
                original = _one_line(headers.get("Message-ID"))
        elif kind == "message/rfc822" and original is None:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                original = _one_line(inner[0].get("Message-ID"))
    if status_part is None:
        return None
    return Dsn(original, _recipients(status_part))


def _walk(message: Message, depth: int) -> Iterator[Message]:
    yield message
    if depth >= 5 or not message.is_multipart():
        return
    payload = message.get_payload()
    if not isinstance(payload, list):
        return
    for child in payload[:MAX_PARTS]:
        if isinstance(child, Message) and message.get_content_type() != "message/delivery-status":
            yield from _walk(child, depth + 1)


def _recipients(part: Message) -> list[DsnRecipient]:
    blocks = part.get_payload()
    if not isinstance(blocks, list):
        return []
    out: list[DsnRecipient] = []
    # The first block holds per-message fields; the rest, one recipient each.
    for block in blocks[1:MAX_PARTS]:
        if not isinstance(block, Message):
            continue
        final = _one_line(block.get("Final-Recipient") or block.get("Original-Recipient"))
        if not final:
            continue
        address = final.split(";", 1)[-1].strip().strip("<>")
        out.append(
            DsnRecipient(
                recipient=address[:254],
                action=(_one_line(block.get("Action")) or "").lower()[:20],
                status=(_one_line(block.get("Status")) or "")[:20],
                diagnostic=(_one_line(block.get("Diagnostic-Code")) or "")[:300],
            )
        )
    return out


def _one_line(value: object) -> str | None:
    if value is None:
        return None
    return " ".join(str(value).split())[:500]


def dsn_files(paths: Iterable[Path]) -> Iterator[Path]:
    """``.eml`` files, maildirs (``cur``/``new``) and folders of either, in a stable order."""
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            if (path / "cur").is_dir() or (path / "new").is_dir():
                for sub in ("new", "cur"):
                    if (path / sub).is_dir():
                        yield from sorted(p for p in (path / sub).iterdir() if p.is_file())
            else:
                yield from sorted(p for p in path.rglob("*.eml") if p.is_file())
        else:
            raise InputFileError("no such file or folder", path=path)


def process_bounces(workspace: Workspace, paths: list[Path], *, actor: str = "cli") -> BounceReport:
    """Read DSNs and mark the failed notices ``bounced`` (audited)."""
    report = BounceReport()
    store = workspace.store
    for count, path in enumerate(dsn_files(paths)):
        if count >= MAX_FILES:
            break
        report.files += 1
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
            dsn = parse_dsn(data)
        except (OSError, InputFileError) as exc:
            report.errors.append({"file": str(path), "error": str(exc)})
            continue
        if dsn is None:
            report.not_dsn += 1
            continue
        report.dsns += 1
        for rcpt in dsn.recipients:
            _apply(workspace, report, dsn, rcpt, path)
    with store.session() as session:
        record_audit(
            session,
            actor=actor,
            action="notify.bounces",
            target="outbox",
            detail={"files": report.files, "bounced": report.bounced},
        )
    return report


def _apply(
    workspace: Workspace, report: BounceReport, dsn: Dsn, rcpt: DsnRecipient, path: Path
) -> None:
    permanent = (
        rcpt.action == "failed" and bool(_STATUS.match(rcpt.status)) and rcpt.status.startswith("5")
    )
    if rcpt.action == "delayed" or (rcpt.action == "failed" and not permanent):
        report.delayed += 1
        return
    if rcpt.action != "failed":
        return
    store = workspace.store
    with store.session() as session:
        ids: list[str]
        if dsn.notice_id is not None:
            ids = [dsn.notice_id]
        else:
            index = store.cipher.blind_index(rcpt.recipient, PERSON_EMAIL)
            ids = list(
                session.scalars(
                    select(Notice.id)
                    .join(PersonRow, PersonRow.id == Notice.person_id)
                    .where(PersonRow.email_index == index, Notice.state == SENT)
                )
            )
        if not ids:
            report.unmatched += 1
            return
        detail = f"DSN {rcpt.status} {rcpt.diagnostic}".strip()[:2000]
        changed = list(
            session.scalars(
                update(Notice)
                .where(Notice.id.in_(ids), Notice.state.in_([SENT, SENDING, UNCERTAIN]))
                .values(state=BOUNCED, last_error=detail, updated_at=now_utc())
                .returning(Notice.id)
                .execution_options(synchronize_session=False)
            )
        )
        if changed:
            report.bounced += len(changed)
            report.notices.extend(changed)
        elif session.scalar(select(Notice.id).where(Notice.id.in_(ids), Notice.state == BOUNCED)):
            report.already += 1
        else:
            report.unmatched += 1
