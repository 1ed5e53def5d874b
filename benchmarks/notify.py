"""Notify throughput: N notices planned, rendered and delivered to a local aiosmtpd sink.

Prints one JSON line: notices_per_s (plan + render + deliver, wall clock), lost and
duplicates (counted at the sink). Baseline in the same process: the same notices' messages
built with the standard library's email package instead of the notice MIME writer.
``--dkim`` also measures in-application signing (RSA-2048 and Ed25519) on a sample.

    python benchmarks/notify.py [--count N] [--dkim] [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import dkim.crypto as dkim_crypto
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from sqlalchemy import insert

from breachdesk.incident import open_incident
from breachdesk.model import Category
from breachdesk.notify import SmtpConfig, plan_campaign, run_worker
from breachdesk.notify.content import Letterhead, Recipient, notice_content
from breachdesk.notify.dkim import signer_from_pem
from breachdesk.notify.render import Sender, build_message, render_html, render_text
from breachdesk.notify.sink import free_port
from breachdesk.store.tables import AffectedPerson, Obligation
from breachdesk.workspace import init_workspace

SINK = """
import sys, asyncio, re
from aiosmtpd.controller import Controller
ids = open(sys.argv[2], "w")
pat = re.compile(rb"^Message-ID:\\s*(<[^>]+>)", re.I | re.M)
class H:
    async def handle_DATA(self, server, session, envelope):
        m = pat.search(envelope.content)
        ids.write((m.group(1).decode() if m else "") + "\\n")
        return "250 OK"
c = Controller(H(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
sys.stdin.read()
c.stop()
ids.close()
"""
SETTINGS = """
[brand]
name = "Maison Aurelle"
domains = ["maison-aurelle.com"]
[notify]
smtp_tls = "none"
domain_rate = 0.0
connections = {connections}
batch_size = 200
"""
CATS = ["contact.email", "contact.name", "location.city"]
LANGS = ["fr-FR", "en-GB", "de-DE", "it-IT", "es-ES", "ja-JP"]


def populate(root: Path, count: int, connections: int = 8) -> tuple[object, str]:
    ws = init_workspace(root, settings_text=SETTINGS.format(connections=connections))
    case = open_incident(
        ws, title="bench", actor="bench", aware_at=datetime.now(UTC), aware_reason="bench"
    )
    cipher = ws.store.cipher
    with ws.store.session() as session:
        session.add(
            Obligation(
                incident_id=case.id,
                jurisdiction="FR",
                recipient="individuals",
                required=True,
                reason="bench",
                citation="bench",
                content=[],
            )
        )
        rows = []
        for i in range(count):
            email = f"customer{i}@mail{i % 97}.example"
            rows.append(
                {
                    "incident_id": case.id,
                    "person_key_index": cipher.blind_index(str(i), "affected_persons.person_key"),
                    "person_key_enc": cipher.encrypt(str(i), "affected_persons.person_key"),
                    "email_index": cipher.blind_index(email, "affected_persons.email"),
                    "email_enc": cipher.encrypt(email, "affected_persons.email"),
                    "name_enc": cipher.encrypt(f"Customer {i}", "affected_persons.name"),
                    "language": LANGS[i % len(LANGS)],
                    "country": "FR",
                    "region": None,
                    "categories": CATS,
                }
            )
            if len(rows) == 5000:
                session.execute(insert(AffectedPerson), rows)
                rows = []
        if rows:
            session.execute(insert(AffectedPerson), rows)
    return ws, case.id


def stdlib_rate(n: int) -> float:
    """Baseline: the same notices with the stdlib email package building the MIME message."""
    letterhead = Letterhead(
        "Maison Aurelle SAS", "Maison Aurelle", "dpo@maison-aurelle.com", "maison-aurelle.com"
    )
    start = time.perf_counter()
    for i in range(n):
        content = notice_content(
            letterhead,
            Recipient(
                f"{i:032x}",
                "fr",
                f"Customer {i}",
                frozenset(Category(c) for c in CATS),
                ("FR",),
                "X",
            ),
        )
        message = EmailMessage(policy=SMTP)
        message["From"] = "Maison Aurelle <notices@maison-aurelle.com>"
        message["To"] = f"Customer {i} <customer{i}@mail.example>"
        message["Subject"] = content.subject
        message.set_content(render_text(content))
        message.add_alternative(render_html(content), subtype="html")
        message.as_bytes()
    return n / (time.perf_counter() - start)


def writer_rate(n: int, signer: object | None = None) -> float:
    letterhead = Letterhead(
        "Maison Aurelle SAS", "Maison Aurelle", "dpo@maison-aurelle.com", "maison-aurelle.com"
    )
    sender = Sender("notices@maison-aurelle.com", "Maison Aurelle")
    start = time.perf_counter()
    for i in range(n):
        content = notice_content(
            letterhead,
            Recipient(
                f"{i:032x}",
                "fr",
                f"Customer {i}",
                frozenset(Category(c) for c in CATS),
                ("FR",),
                "X",
            ),
        )
        data = build_message(
            content,
            notice_id=f"{i:032x}",
            to_address=f"c{i}@mail.example",
            to_name=f"Customer {i}",
            sender=sender,
        )
        if signer is not None:
            signer.sign(data)  # type: ignore[attr-defined]
    return n / (time.perf_counter() - start)


def dkim_rates(tmp: Path, n: int) -> dict[str, float]:
    out = {}
    for algorithm, key in (
        ("rsa-sha256", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        ("ed25519-sha256", ed25519.Ed25519PrivateKey.generate()),
    ):
        path = tmp / f"{algorithm}.pem"
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        signer = signer_from_pem(
            path, selector="bd", domain="maison-aurelle.com", algorithm=algorithm
        )
        out[f"render_and_sign_per_s_{algorithm}"] = round(writer_rate(n, signer), 1)
    out["render_per_s_unsigned"] = round(writer_rate(n), 1)
    out.update(signing_costs(min(n, 50)))
    return out


def signing_costs(n: int) -> dict[str, float]:
    """What limits signing: the RSA private-key operation alone, dkimpy's (Python integers)
    against OpenSSL's (through cryptography), and Ed25519's raw signature."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    parsed = dkim_crypto.parse_pem_private_key(pem)
    start = time.perf_counter()
    for _ in range(n):
        dkim_crypto.RSASSA_PKCS1_v1_5_sign(hashlib.sha256(b"notice"), parsed)
    dkimpy_rsa = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for _ in range(n * 10):
        key.sign(b"notice", padding.PKCS1v15(), hashes.SHA256())
    openssl_rsa = (time.perf_counter() - start) / (n * 10)
    edkey = ed25519.Ed25519PrivateKey.generate()
    start = time.perf_counter()
    for _ in range(n * 100):
        edkey.sign(b"notice")
    ed = (time.perf_counter() - start) / (n * 100)
    return {
        "rsa2048_private_op_ms_dkimpy": round(dkimpy_rsa * 1000, 3),
        "rsa2048_sign_ms_openssl": round(openssl_rsa * 1000, 3),
        "ed25519_sign_ms_openssl": round(ed * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--dkim", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    count = 2000 if args.quick else args.count
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ws, incident = populate(tmp / "ws", count, args.connections)
        port = free_port()
        ids_file = tmp / "ids.txt"
        sink = subprocess.Popen(
            [sys.executable, "-c", SINK, str(port), str(ids_file)], stdin=subprocess.PIPE
        )
        time.sleep(1.5)
        start = time.perf_counter()
        cpu_start = time.process_time()
        plan = plan_campaign(ws, incident)  # type: ignore[arg-type]
        planned = time.perf_counter() - start
        report = run_worker(
            ws.store, ws.settings, ws.root, SmtpConfig("127.0.0.1", port, tls="none")
        )  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - start
        worker_cpu = time.process_time() - cpu_start
        assert sink.stdin is not None
        sink.stdin.close()
        sink.wait(timeout=60)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        sink_cpu = children.ru_utime + children.ru_stime
        ids = [line for line in ids_file.read_text().splitlines() if line]
        figures = {
            "count": count,
            "planned": plan.planned,
            "notices_per_s": round(count / elapsed, 1),
            "plan_seconds": round(planned, 2),
            "total_seconds": round(elapsed, 2),
            "sent": report.sent,
            "lost": count - len(set(ids)),
            "duplicates": len(ids) - len(set(ids)),
            "connections": args.connections,
            # CPU per notice: this process (plan, render, SMTP client, store) and the sink.
            "worker_cpu_ms_per_notice": round(worker_cpu / count * 1000, 3),
            "sink_cpu_ms_per_notice": round(sink_cpu / count * 1000, 3),
            "baseline_stdlib_email_render_per_s": round(stdlib_rate(min(count, 1000)), 1),
            "notice_writer_render_per_s": round(writer_rate(min(count, 1000)), 1),
        }
        if args.dkim:
            figures.update(dkim_rates(tmp, min(count, 300)))
        ws.close()  # type: ignore[attr-defined]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
