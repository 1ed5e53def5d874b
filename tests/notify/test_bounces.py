"""Delivery status notifications (RFC 3464) mark notices bounced; parsing is fuzzed."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from breachdesk.notify import needs_other_channel, parse_dsn, plan_campaign, process_bounces
from breachdesk.notify.sink import SmtpSink
from breachdesk.notify.smtp import SmtpConfig
from breachdesk.notify.worker import run_worker
from breachdesk.store.tables import AffectedPerson as PersonRow
from breachdesk.store.tables import Notice
from tests.notify.conftest import populated


def dsn(
    message_id: str | None, recipient: str, action: str = "failed", status: str = "5.1.1"
) -> bytes:
    original = (
        f"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {message_id}\r\n"
        "Subject: x\r\n\r\n"
        if message_id
        else ""
    )
    return (
        "From: MAILER-DAEMON@mx.example.test\r\nTo: notices@maison-aurelle.com\r\n"
        "Subject: Undelivered Mail\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.test\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
        f"{original}--b--\r\n"
    ).encode()


def test_parse_dsn_reads_recipient_and_original() -> None:
    parsed = parse_dsn(dsn("<" + "a" * 32 + "@maison-aurelle.com>", "x@example.test"))
    assert parsed is not None
    assert parsed.notice_id == "a" * 32
    assert parsed.recipients[0].status == "5.1.1"
    assert parsed.recipients[0].action == "failed"
    assert parse_dsn(b"From: a@b\r\n\r\nhello") is None


def test_bounces_mark_notices_and_list_other_channel(tmp_path: Path) -> None:
    ws, incident = populated(tmp_path / "ws", 3)
    plan_campaign(ws, incident)
    with SmtpSink() as sink:
        run_worker(ws.store, ws.settings, ws.root, SmtpConfig("127.0.0.1", sink.port, tls="none"))
    with ws.store.session() as session:
        # Person "0"'s notice is bounced by id; person "2"'s by address below. (Ordering by
        # notice id would be random: ids are keyed hashes, and could pick person 2 twice.)
        key_index = ws.store.cipher.blind_index("0", "affected_persons.person_key")
        first = session.scalars(
            select(Notice.id)
            .join(PersonRow, PersonRow.id == Notice.person_id)
            .where(PersonRow.person_key_index == key_index)
        ).one()
    maildir = tmp_path / "bounces"
    (maildir / "new").mkdir(parents=True)
    (maildir / "cur").mkdir()
    (maildir / "new" / "1").write_bytes(dsn(f"<{first}@maison-aurelle.com>", "x@example.test"))
    (maildir / "new" / "2").write_bytes(dsn(None, "p2@example2.test"))
    (maildir / "cur" / "3").write_bytes(
        dsn(f"<{first}@maison-aurelle.com>", "x@e.test", "delayed", "4.4.1")
    )
    (maildir / "cur" / "4").write_bytes(b"not a dsn")
    report = process_bounces(ws, [maildir])
    assert (report.files, report.dsns, report.bounced, report.delayed, report.not_dsn) == (
        4,
        3,
        2,
        1,
        1,
    )
    again = process_bounces(ws, [maildir / "new" / "1"])
    assert again.already == 1
    others = needs_other_channel(ws)
    assert sorted(o.person_key for o in others) == ["0", "2"]
    ws.close()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_parse_dsn_never_crashes(data: bytes) -> None:
    result = parse_dsn(data)
    assert result is None or isinstance(result.recipients, list)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["failed", "delayed", "x"]))
def test_parse_dsn_hostile_fields(recipient: str, action: str) -> None:
    data = dsn("<x>", recipient.replace("\r", "").replace("\n", ""), action)
    result = parse_dsn(data)
    assert result is None or all(len(r.recipient) <= 254 for r in result.recipients)
