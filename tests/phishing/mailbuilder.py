"""Realistic brand phishing and legitimate retail mail for "Maison Aurelle", for tests.

Each phishing email comes with the signals it was built to show, so a test can check that
the scorer flags it for the right reasons. Deterministic for a seed. The benchmark loads
this file by path when the demo generator (``breachdesk.demo.generate``) is not there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

BRAND = "Maison Aurelle"
DOMAIN = "maison-aurelle.com"

FIRST = {
    "fr": ["Camille", "Louise", "Hugo", "Chloé", "Léa", "Mathis", "Inès", "Jules"],
    "en": ["Olivia", "Amelia", "George", "Harry", "Isla", "Oliver", "Emily", "Jack"],
    "de": ["Lukas", "Mia", "Jonas", "Lena", "Felix", "Hannah", "Paul", "Marie"],
    "it": ["Giulia", "Lorenzo", "Sofia", "Matteo", "Aurora", "Leonardo", "Chiara", "Marco"],
    "es": ["Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Pablo", "Valeria", "Daniel"],
    "ja": ["Yui", "Haruto", "Sakura", "Ren", "Aoi", "Sota", "Hina", "Riku"],
}
LAST = {
    "fr": ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard", "Roux", "Fournier"],
    "en": ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas"],
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"],
    "it": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"],
    "es": ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez"],
    "ja": ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"],
}
CITIES = {
    "fr": ("Lyon", "69002"),
    "en": ("London", "SW1A 1AA"),
    "de": ("München", "80331"),
    "it": ("Milano", "20121"),
    "es": ("Madrid", "28013"),
    "ja": ("Tokyo", "100-0005"),
}
PROVIDERS = ["gmail.com", "orange.fr", "gmx.de", "libero.it", "yahoo.es", "outlook.com"]


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    language: str
    city: str
    postal_code: str

    @property
    def first(self) -> str:
        return self.name.split()[0]


@dataclass(frozen=True)
class Mail:
    name: str
    data: bytes
    expected: frozenset[str] = field(default_factory=frozenset)
    variant: str = ""


def person(rng: random.Random, index: int) -> Person:
    language = rng.choice(list(FIRST))
    first, last = rng.choice(FIRST[language]), rng.choice(LAST[language])
    local = f"{first}.{last}{index}".lower()
    local = local.translate(str.maketrans("éèüöäíóáñ", "eeuoaioan"))
    city, code = CITIES[language]
    return Person(f"{first} {last}", f"{local}@{rng.choice(PROVIDERS)}", language, city, code)


# --- phishing -------------------------------------------------------------------------------

LOOKALIKE_SENDERS = [
    # (domain, signals the sender alone must raise)
    ("maison-aurelle-support.com", {"lookalike-sender"}),
    ("maison-aurelle-service.net", {"lookalike-sender"}),
    ("secure-maison-aurelle.com", {"lookalike-sender"}),
    ("maisonaurelle-clients.fr", {"lookalike-sender"}),
    ("maison-aurelle.shop", {"lookalike-sender"}),
    ("rnaison-aurelle.com", {"lookalike-sender"}),
    ("maison-aurele.com", {"lookalike-sender"}),
    ("maison-aurrelle.com", {"lookalike-sender"}),
    ("maisonaurelle.com", {"lookalike-sender"}),
    ("maison-aurelie.com", {"lookalike-sender"}),
    ("maison-aurеlle.com", {"lookalike-sender", "punycode-sender"}),  # Cyrillic е
    ("maіson-aurelle.com", {"lookalike-sender", "punycode-sender"}),  # Cyrillic і
    ("maison-aurélle.com", {"lookalike-sender", "punycode-sender"}),
    ("maison-aurelle.com.account-verify.net", {"lookalike-sender"}),
]
FOREIGN_SENDERS = [
    "notification-center.net",
    "clientservices-mail.com",
    "boulangerie-dupont.fr",
    "mailer.krx-promo.ru",
    "gmail.com",
    "outlook.com",
]
LINK_HOSTS = [
    "maison-aurelle-account.com",
    "maison-aurelle.secure-login.top",
    "rnaison-aurelle.com",
    "xn--maison-aurlle-53k.com",
    "maisonaurelle-refund.shop",
]
NEUTRAL_HOSTS = ["secure-verify-center.top", "login-help.click", "account-refunds.online"]

LURES = {
    "fr": [
        (
            "Action requise : votre compte {brand} sera suspendu",
            "Bonjour {name},\n\nNous avons détecté une activité inhabituelle sur votre compte. "
            "Vérifiez votre identité dans les 24 heures, sinon votre compte sera suspendu.\n",
        ),
        (
            "Remboursement suite à la fuite de données",
            "Bonjour {name},\n\nSuite à la fuite de données récente, vous avez droit à un "
            "remboursement. Confirmez vos coordonnées bancaires immédiatement pour le recevoir.\n",
        ),
        (
            "Un cadeau vous attend chez {brand}",
            "Bonjour {name},\n\nEn tant que cliente fidèle, une carte cadeau de 200 € vous "
            "attend. Profitez-en avant vendredi.\n",
        ),
    ],
    "en": [
        (
            "Action required: your {brand} account will be suspended",
            "Dear {name},\n\nWe detected unusual activity on your account. Verify your account "
            "within 24 hours or it will be suspended.\n",
        ),
        (
            "Your refund after the {brand} data breach",
            "Dear {name},\n\nFollowing the recent data breach you are owed a refund. Confirm "
            "your card details immediately to claim your refund.\n",
        ),
        (
            "A gift from {brand} for you",
            "Dear {name},\n\nAs a valued client you receive a 200 EUR gift card. Claim your "
            "reward before Friday.\n",
        ),
    ],
    "de": [
        (
            "Dringend: Ihr {brand}-Konto wurde gesperrt",
            "Hallo {name},\n\nwir haben eine ungewöhnliche Aktivität festgestellt. Bestätigen Sie "
            "Ihre Identität innerhalb von 24 Stunden, sonst bleibt Ihr Konto gesperrt.\n",
        ),
    ],
    "it": [
        (
            "Urgente: il tuo account {brand} è stato sospeso",
            "Gentile {name},\n\nabbiamo rilevato un'attività insolita. Verifica il tuo account "
            "entro 24 ore per evitare la sospensione.\n",
        ),
    ],
    "es": [
        (
            "Urgente: su cuenta {brand} será cerrada",
            "Estimado/a {name}:\n\nHemos detectado actividad sospechosa. Verifique su cuenta en "
            "las próximas 24 horas o su cuenta será cerrada.\n",
        ),
    ],
    "ja": [
        (
            "【{brand}】至急：アカウントを確認してください",
            "{name} 様\n\n不正アクセスを検知しました。24時間以内にアカウントを確認してください。"
            "確認されない場合、アカウントは一時停止されます。\n",
        ),
    ],
}
BUTTON = {
    "fr": "Vérifier mon compte",
    "en": "Verify my account",
    "de": "Konto bestätigen",
    "it": "Verifica account",
    "es": "Verificar cuenta",
    "ja": "アカウントを確認",
}

LOGIN_PAGE = (
    "<html><body><h2>{brand}</h2><form action='https://{host}/collect' method='post'>"
    "<input name='email' value='{email}'><input type='password' name='pw'>"
    "<button>OK</button></form></body></html>"
)


def _received(rng: random.Random, host: str) -> str:
    ip = ".".join(str(rng.randint(1, 223)) for _ in range(4))
    queue = f"{rng.randrange(16**10):x}"
    return f"from {host} ({host} [{ip}]) by mx.mailbox.example with ESMTPS id {queue}"


def _date(rng: random.Random) -> str:
    base = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    return format_datetime(base + timedelta(minutes=rng.randrange(60 * 24 * 14)))


def phishing(rng: random.Random, who: Person, index: int) -> Mail:
    """One brand phishing email and the signals it must raise."""
    expected: set[str] = set()
    style = rng.choice(
        ["lookalike", "lookalike", "lookalike", "freemail", "spoof", "display", "bare", "mention"]
    )
    brand_words = rng.choice(
        [BRAND, f"{BRAND} Service Client", f"{BRAND} Customer Care", f"{BRAND} Sécurité"]
    )
    if style == "lookalike":
        domain, signals = rng.choice(LOOKALIKE_SENDERS)
        sender = (
            f"{brand_words} <{rng.choice(['service', 'support', 'no-reply', 'securite'])}@{domain}>"
        )
        expected |= signals
    elif style == "freemail":
        domain = rng.choice(FOREIGN_SENDERS)
        sender = f"{brand_words} <maison.aurelle.service{rng.randrange(100)}@{domain}>"
        expected.add("brand-name-foreign-sender")
    elif style == "spoof":
        domain = DOMAIN
        sender = f"{BRAND} <service@{DOMAIN}>"
        expected.add("brand-domain-spoofed")
    elif style == "display":
        domain = rng.choice(FOREIGN_SENDERS[:4])
        sender = f'"service@{DOMAIN}" <alerts@{domain}>'
        expected.add("display-name-address")
    elif style == "bare":
        # A lookalike sender and nothing else: no brand in the name, no link, a reply asked.
        domain, signals = rng.choice(LOOKALIKE_SENDERS)
        sender = f"Service Client <contact@{domain}>"
        expected |= signals
    else:
        # Nothing in the headers: only the text names the brand, and links go elsewhere.
        domain = rng.choice(FOREIGN_SENDERS[:4])
        sender = f"Service Client <info@{domain}>"
        expected.add("brand-mentioned-foreign-sender")

    language = who.language
    subject, body = rng.choice(LURES[language])
    subject = subject.format(brand=BRAND)
    body = body.format(name=who.name, brand=BRAND)

    msg = EmailMessage(policy=SMTP)
    msg["Received"] = _received(rng, domain)
    if style == "spoof":
        msg["Authentication-Results"] = (
            f"mx.mailbox.example; spf=fail smtp.mailfrom={DOMAIN}; dkim=none; "
            f"dmarc=fail (p=REJECT) header.from={DOMAIN}"
        )
    elif rng.random() < 0.55:
        # Real phishing often passes SPF and DKIM for its own domain.
        msg["Authentication-Results"] = (
            f"mx.mailbox.example; spf=pass smtp.mailfrom={domain}; "
            f"dkim=pass header.d={domain}; dmarc=pass header.from={domain}"
        )
    msg["From"] = sender
    msg["To"] = f"{who.name} <{who.email}>"
    msg["Subject"] = subject
    msg["Date"] = _date(rng)
    msg["Message-ID"] = make_msgid(
        domain=domain.encode("idna").decode() if not domain.isascii() else domain
    )
    if rng.random() < 0.4:
        reply_domain = rng.choice(["gmail.com", "proton.me", "mail.ru"])
        msg["Reply-To"] = f"claims{rng.randrange(1000)}@{reply_domain}"
        if reply_domain != domain:
            expected.add("reply-to-mismatch")

    link_style = rng.choice(["lookalike", "mismatch", "shortener", "ip", "attachment"])
    if style == "bare":
        link_style = "none"
        body += "\nRépondez à ce message / reply to this email.\n"
    if link_style == "none":
        href, shown = "", ""
    elif link_style == "lookalike":
        host = rng.choice(LINK_HOSTS)
        href, shown = f"https://{host}/verify?id={rng.randrange(10**6)}", BUTTON[language]
        expected.add("lookalike-link")
    elif link_style == "mismatch":
        host = rng.choice(NEUTRAL_HOSTS)
        href, shown = f"https://{host}/s/{rng.randrange(10**6)}", f"https://www.{DOMAIN}/account"
        expected.add("link-text-mismatch")
    elif link_style == "shortener":
        href, shown = f"https://bit.ly/{rng.randrange(16**6):x}", BUTTON[language]
        expected.add("shortener-link")
    elif link_style == "ip":
        href = f"http://185.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}/login"
        shown = BUTTON[language]
        expected.add("ip-link")
    else:
        href, shown = "", ""
        expected |= {"attachment-html", "credential-form"}

    text = body + (f"\n{shown}: {href}\n" if href else "")
    if link_style == "attachment":
        text += "\nVoir la pièce jointe / see attachment.\n"
    html = "<html><body>" + body.replace("\n", "<br>")
    if href:
        html += f'<p><a href="{href}" style="background:#000;color:#fff">{shown}</a></p>'
    html += f"<p style='font-size:10px'>© 2026 {BRAND}</p></body></html>"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    if link_style == "attachment":
        page = LOGIN_PAGE.format(brand=BRAND, host=rng.choice(NEUTRAL_HOSTS), email=who.email)
        msg.add_attachment(
            page.encode(), maintype="text", subtype="html", filename="Verification_Compte.html"
        )
    return Mail(f"phish-{index:04d}.eml", bytes(msg), frozenset(expected), f"{style}/{link_style}")


# --- legitimate retail mail ----------------------------------------------------------------

LEGIT = {
    "order": (
        "Your Maison Aurelle order {order} is confirmed",
        "Dear {first},\n\nThank you for your order {order}. Items: {item}. Total: {total} EUR.\n"
        "Follow your order: https://www.maison-aurelle.com/account/orders/{order}\n",
    ),
    "shipping": (
        "Your order {order} has shipped",
        "Hello {first},\n\nGood news: your parcel is on its way. Track it at "
        "https://www.maison-aurelle.com/track/{order} (carrier: Colissimo).\n",
    ),
    "newsletter": (
        "Last chance: the winter sale ends tonight",
        "Dear {first},\n\nOur winter collection is 30% off until midnight - act now, it "
        "expires today. Discover it: https://www.maison-aurelle.com/sale\n",
    ),
    "password": (
        "Reset your Maison Aurelle password",
        "Hello {first},\n\nYou asked to reset your password. The link expires within 24 hours: "
        "https://www.maison-aurelle.com/account/reset?t={token}\nIf it was not you, ignore "
        "this email.\n",
    ),
    "notice": (
        "Important information about your personal data",
        "Dear {name},\n\nWe are writing to tell you about a data breach that affected some "
        "customer records, including your name and email address. Your password and card "
        "details were not affected. Learn more: https://www.maison-aurelle.com/notice\n",
    ),
    "fr-order": (
        "Votre commande {order} est confirmée",
        "Bonjour {first},\n\nMerci pour votre commande {order} ({item}). Suivez-la sur "
        "https://www.maison-aurelle.com/compte/commandes/{order}\n",
    ),
}
ITEMS = ["Sac Céleste", "Foulard soie Rivoli", "Montre Aurore", "Bague Lune", "Parfum Nuit"]
ESPS = [
    ("bounces.maison-aurelle.com", "maison-aurelle.com"),
    ("em.sendgrid.net", "maison-aurelle.com"),
]


def legit(rng: random.Random, who: Person, index: int) -> Mail:
    """One legitimate email from the brand, DKIM- and DMARC-authenticated."""
    kind = rng.choice(list(LEGIT))
    subject, body = LEGIT[kind]
    values = {
        "order": f"MA-{rng.randrange(10**6):06d}",
        "item": rng.choice(ITEMS),
        "total": f"{rng.randint(90, 4000)}.00",
        "first": who.first,
        "name": who.name,
        "token": f"{rng.randrange(16**16):016x}",
    }
    bounce_host, dkim_domain = rng.choice(ESPS)
    msg = EmailMessage(policy=SMTP)
    msg["Received"] = _received(rng, "mta.maison-aurelle.com")
    msg["Authentication-Results"] = (
        f"mx.mailbox.example; spf=pass smtp.mailfrom={bounce_host}; dkim=pass "
        f"header.d={dkim_domain} header.s=s1; dmarc=pass (p=REJECT) header.from={DOMAIN}"
    )
    sender = "news" if kind == "newsletter" else "service"
    msg["From"] = f"{BRAND} <{sender}@{DOMAIN}>"
    msg["To"] = f"{who.name} <{who.email}>"
    msg["Subject"] = subject.format(**values)
    msg["Date"] = _date(rng)
    msg["Message-ID"] = make_msgid(domain=DOMAIN)
    msg["Return-Path"] = f"<b-{rng.randrange(10**8)}@{bounce_host}>"
    if kind == "newsletter":
        msg["List-Unsubscribe"] = f"<https://www.{DOMAIN}/unsubscribe?u={rng.randrange(10**8)}>"
    text = body.format(**values)
    msg.set_content(text)
    html = "<html><body>" + text.replace("\n", "<br>")
    html += f'<p><a href="https://click.{DOMAIN}/t/{rng.randrange(10**9)}">www.{DOMAIN}</a></p>'
    html += "</body></html>"
    msg.add_alternative(html, subtype="html")
    return Mail(f"legit-{index:04d}.eml", bytes(msg), frozenset(), kind)


def corpus(
    seed: int, phishing_count: int, legit_count: int
) -> tuple[list[Mail], list[Mail], list[Person]]:
    """``phishing_count`` phishing and ``legit_count`` legitimate emails to people of one shop."""
    rng = random.Random(seed)
    people = [person(rng, i) for i in range(max(phishing_count, legit_count))]
    phish = [phishing(rng, people[i], i) for i in range(phishing_count)]
    good = [legit(rng, people[i], i) for i in range(legit_count)]
    return phish, good, people
