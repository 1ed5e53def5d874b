"""Mail around the breach: phishing that quotes stolen names, and the house's genuine mail.

Phishing comes from lookalike domains (a hyphenated "support" domain, ``rn`` for ``m``,
digits for letters, a punycode homoglyph, a look-alike subdomain), quotes the victim's
real name and city from the stolen set, pushes urgency and credential forms, sometimes
with a Reply-To elsewhere or link text showing the real domain while the link goes away.
Genuine mail (order confirmations, shipping notices, newsletters) comes from the brand's
domain and passes SPF, DKIM and DMARC. Everything is deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from html import escape
from pathlib import Path

from breachdesk.demo.clock import PARIS
from breachdesk.demo.mail_texts import LEGIT_TEXTS, PHISH_TEXTS, pick_texts
from breachdesk.demo.world import BRAND_DOMAIN, SITE, World

PHISHING_COUNT = 30
LEGIT_COUNT = 50
HOMOGLYPH = "maison-aur\u0435lle.com"  # Cyrillic "е" in place of the Latin "e"


@dataclass(frozen=True)
class Lure:
    """A phishing kit: sender, where links go, and which tricks it plays."""

    kind: str
    sender: str
    link_domain: str
    reply_to: str | None = None
    disguised_link: bool = False
    form: bool = False
    # What the receiving server found: SPF, DKIM, DMARC (lookalikes often pass their own).
    auth: tuple[str, str, str] = ("pass", "pass", "none")

    @property
    def domain(self) -> str:
        return self.sender.rsplit("@", 1)[1]

    def authentication_results(self) -> str:
        spf, dkim, dmarc = self.auth
        dkim_part = f"dkim={dkim}" if dkim == "none" else f"dkim={dkim} header.d={self.domain}"
        return (
            f"spf={spf} smtp.mailfrom={self.domain}; {dkim_part}; "
            f"dmarc={dmarc} header.from={self.domain}"
        )


def _idna(domain: str) -> str:
    return domain.encode("idna").decode("ascii")


LURES = (
    Lure("security", "securite@maison-aurelle-support.com", "maison-aurelle-support.com"),
    Lure(
        "order",
        "service@rnaison-aurelle.com",
        "rnaison-aurelle.com",
        reply_to="aurelle.clientcare@gmail.com",
        disguised_link=True,
        auth=("softfail", "none", "fail"),
    ),
    Lure("private-sale", f"invitation@{_idna(HOMOGLYPH)}", _idna(HOMOGLYPH), form=True),
    Lure("reset", "noreply@maison-aurelle.co", "maison-aurelle.co", disguised_link=True),
    Lure(
        "compensation",
        "care@maisonaurelle-secure.com",
        "maison-aurelle.com.claim-voucher.net",
        reply_to="claims@aurelle-refunds.net",
        auth=("pass", "fail", "fail"),
    ),
    Lure(
        "loyalty",
        "club@maison-aure11e.com",
        "maison-aure11e.com",
        form=True,
        auth=("neutral", "none", "none"),
    ),
)


def _address(name: str, email: str) -> str:
    return f'"{name}" <{email}>' if any(ch in name for ch in ',;"') else f"{name} <{email}>"


def _message(
    sender: str,
    to: tuple[str, str],
    subject: str,
    when: datetime,
    message_id: str,
    text: str,
    html: str,
    auth: str,
    boundary: str,
) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    recipient_domain = to[1].rsplit("@", 1)[-1]
    msg["Received"] = (
        f"from mail.{sender.rsplit('@', 1)[-1].rstrip('>')} by mx.{recipient_domain}"
        f" with ESMTPS; {format_datetime(when)}"
    )
    msg["Authentication-Results"] = f"mx.{recipient_domain}; {auth}"
    msg["From"] = sender
    msg["To"] = _address(*to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg.set_boundary(boundary)
    return msg


def write_emails(
    world: World, root: Path, victims: list[int], after_ms: int, seed: int
) -> tuple[list[str], list[str]]:
    """Write ``root/emails/{phishing,legit}/*.eml``; the file names of each kind."""
    rng = random.Random(f"{seed}:emails")
    phishing_dir, legit_dir = root / "emails" / "phishing", root / "emails" / "legit"
    phishing_dir.mkdir(parents=True, exist_ok=True)
    legit_dir.mkdir(parents=True, exist_ok=True)
    phishing = []
    chosen = rng.sample(victims, min(PHISHING_COUNT, len(victims)))
    for number, customer in enumerate(chosen, 1):
        name, email, city, language = world.customer(customer)
        lure = LURES[(number - 1) % len(LURES)]
        when = datetime.fromtimestamp((after_ms + rng.randrange(4 * 86_400_000)) / 1000, PARIS)
        msg = _phish(rng, lure, name, email, city, language, when, number)
        filename = f"phishing-{number:02d}.eml"
        (phishing_dir / filename).write_bytes(msg.as_bytes())
        phishing.append(filename)
    legit = []
    days = world.days
    for number in range(1, LEGIT_COUNT + 1):
        customer = rng.randint(1, world.customers)
        name, email, _city, language = world.customer(customer)
        day = days[rng.randrange(len(days))]
        when = datetime.fromtimestamp(day.at(rng.randint(7, 21), rng.randrange(60)) / 1000, PARIS)
        kind = ("order", "shipping", "newsletter")[number % 3]
        msg = _legit(world, rng, kind, customer, name, email, language, when, number)
        filename = f"legit-{number:02d}.eml"
        (legit_dir / filename).write_bytes(msg.as_bytes())
        legit.append(filename)
    return phishing, legit


def _phish(
    rng: random.Random,
    lure: Lure,
    name: str,
    email: str,
    city: str,
    language: str,
    when: datetime,
    number: int,
) -> EmailMessage:
    texts = pick_texts(PHISH_TEXTS[lure.kind], language)
    token = f"{rng.getrandbits(48):012x}"
    href = f"https://{lure.link_domain}/{lure.kind}/{token}"
    shown = f"{SITE}/account" if lure.disguised_link else href
    fields = {"name": name, "city": city, "hours": rng.choice((12, 24, 48))}
    subject = texts["subject"].format(**fields)
    body = texts["body"].format(**fields)
    action = texts["action"]
    text = (
        f"{texts['greeting'].format(**fields)}\n\n{body}\n\n{action}: {href}\n\n{texts['sign']}\n"
    )
    link = f'<a href="{escape(href)}">{escape(shown if lure.disguised_link else action)}</a>'
    form = ""
    if lure.form:
        form = (
            f'<form action="https://{lure.link_domain}/collect" method="post">'
            f'<input type="email" name="email" value="{escape(email)}">'
            '<input type="password" name="password">'
            f'<button type="submit">{escape(action)}</button></form>'
        )
    html = (
        f"<html><body><p>{escape(texts['greeting'].format(**fields))}</p>"
        f"<p>{escape(body)}</p><p>{link}</p>{form}<p>{escape(texts['sign'])}</p>"
        "</body></html>"
    )
    msg = _message(
        f"Maison Aurelle <{lure.sender}>",
        (name, email),
        subject,
        when,
        f"<{token}.{number}@{lure.domain}>",
        text,
        html,
        lure.authentication_results(),
        f"==p{token}{number:02d}",
    )
    if lure.reply_to:
        msg["Reply-To"] = lure.reply_to
    return msg


def _legit(
    world: World,
    rng: random.Random,
    kind: str,
    customer: int,
    name: str,
    email: str,
    language: str,
    when: datetime,
    number: int,
) -> EmailMessage:
    texts = pick_texts(LEGIT_TEXTS[kind], language)
    first, count = int(world.facts.first_order[customer]), int(world.facts.order_count[customer])
    order = first + rng.randrange(count) if count else rng.randint(1, 9_999_999)
    token = f"{rng.getrandbits(48):012x}"
    fields = {"name": name, "order": order, "tracking": f"1Z{rng.getrandbits(40):010X}"}
    link = {
        "order": f"{SITE}/account/orders/{order}",
        "shipping": f"{SITE}/track/{fields['tracking']}",
        "newsletter": f"{SITE}/collections/nouveautes?utm_source=newsletter",
    }[kind]
    sender = {
        "order": f"commandes@{BRAND_DOMAIN}",
        "shipping": f"livraison@{BRAND_DOMAIN}",
        "newsletter": f"newsletter@news.{BRAND_DOMAIN}",
    }[kind]
    body = texts["body"].format(**fields)
    greeting = texts["greeting"].format(**fields)
    text = f"{greeting}\n\n{body}\n\n{texts['action']}: {link}\n\n{texts['sign']}\n"
    html = (
        f"<html><body><p>{escape(texts['greeting'].format(**fields))}</p><p>{escape(body)}</p>"
        f'<p><a href="{escape(link)}">{escape(texts["action"])}</a></p>'
        f"<p>{escape(texts['sign'])}</p></body></html>"
    )
    auth = (
        f"spf=pass smtp.mailfrom={BRAND_DOMAIN}; dkim=pass header.d={BRAND_DOMAIN} "
        f"header.s=ma2026; dmarc=pass (p=reject) header.from={BRAND_DOMAIN}"
    )
    msg = _message(
        f"Maison Aurelle <{sender}>",
        (name, email),
        texts["subject"].format(**fields),
        when,
        f"<{token}.{number}@mail.{BRAND_DOMAIN}>",
        text,
        html,
        auth,
        f"==m{token}{number:02d}",
    )
    if kind == "newsletter":
        msg["List-Unsubscribe"] = (
            f"<{SITE}/unsubscribe?u={token}>, <mailto:unsubscribe@{BRAND_DOMAIN}>"
        )
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return msg
