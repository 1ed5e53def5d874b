from __future__ import annotations

import re
import sqlite3
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr

from tests.demo.conftest import Small

BRAND = "maison-aurelle.com"


def _read(small: Small, kind: str) -> dict[str, EmailMessage]:
    folder = small.out / "emails" / kind
    messages = {}
    for path in sorted(folder.iterdir()):
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(msg, EmailMessage)
        messages[path.name] = msg
    return messages


def _parts(msg: EmailMessage) -> tuple[str, str]:
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())


def _domain(address: str) -> str:
    return parseaddr(address)[1].rsplit("@", 1)[1].lower()


def test_emails_on_disk_are_the_ones_truth_lists(small: Small) -> None:
    emails = small.truth["emails"]
    assert isinstance(emails, dict)
    assert sorted(emails["phishing"]) == sorted(_read(small, "phishing"))
    assert sorted(emails["legit"]) == sorted(_read(small, "legit"))
    assert len(emails["phishing"]) == 30
    assert len(emails["legit"]) == 50


def test_phishing_quotes_affected_customers_from_lookalike_domains(small: Small) -> None:
    affected = set(small.truth["affected"]["customer_ids"])  # type: ignore[index]
    db = sqlite3.connect(f"file:{small.out / 'shop.db'}?mode=ro", uri=True)
    reply_to = disguised = forms = punycode = 0
    try:
        for msg in _read(small, "phishing").values():
            name, address = parseaddr(str(msg["To"]))
            row = db.execute(
                "SELECT id, full_name FROM customers WHERE email = ?", (address,)
            ).fetchone()
            assert row
            assert row[0] in affected
            assert row[1] == name
            text, html = _parts(msg)
            assert name in text
            sender = _domain(str(msg["From"]))
            assert sender != BRAND
            assert "aur" in sender.replace("xn--", "aur")
            assert "Maison Aurelle" in str(msg["From"])
            links = re.findall(r'href="https://([^/"]+)', html)
            assert links
            assert all(link != BRAND for link in links)
            punycode += sender.startswith("xn--")
            reply_to += msg["Reply-To"] is not None and _domain(str(msg["Reply-To"])) != sender
            disguised += f">https://www.{BRAND}/" in html
            forms += 'type="password"' in html
            assert str(msg["Message-ID"]).endswith(f"@{sender}>")
    finally:
        db.close()
    assert reply_to
    assert disguised
    assert forms
    assert punycode


def test_legit_mail_comes_from_the_brand_and_passes_dmarc(small: Small) -> None:
    subjects = set()
    for msg in _read(small, "legit").values():
        assert _domain(str(msg["From"])).endswith(BRAND)
        results = str(msg["Authentication-Results"])
        assert "spf=pass" in results
        assert "dkim=pass" in results
        assert "dmarc=pass" in results
        _, html = _parts(msg)
        assert all(link.endswith(BRAND) for link in re.findall(r'href="https://([^/"]+)', html))
        subjects.add(str(msg["Subject"]))
    assert len(subjects) > 5
