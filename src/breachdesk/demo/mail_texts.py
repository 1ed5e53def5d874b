"""Wording of the demo mail, by language (French, English, German; others get English)."""

from __future__ import annotations

Texts = dict[str, str]

PHISH_TEXTS: dict[str, dict[str, Texts]] = {
    "security": {
        "fr": {
            "subject": "Action requise : activité inhabituelle sur votre compte",
            "greeting": "Bonjour {name},",
            "body": "Nous avons détecté une connexion inhabituelle à votre compte Maison "
            "Aurelle depuis {city}. Sans vérification de votre part sous {hours} "
            "heures, votre compte sera suspendu.",
            "action": "Vérifier mon compte",
            "sign": "Le service sécurité Maison Aurelle",
        },
        "en": {
            "subject": "Action required: unusual activity on your account",
            "greeting": "Dear {name},",
            "body": "We noticed an unusual sign-in to your Maison Aurelle account near "
            "{city}. Unless you verify your identity within {hours} hours, your "
            "account will be suspended.",
            "action": "Verify my account",
            "sign": "Maison Aurelle Security Team",
        },
        "de": {
            "subject": "Handlungsbedarf: ungewöhnliche Aktivität in Ihrem Konto",
            "greeting": "Guten Tag {name},",
            "body": "Wir haben eine ungewöhnliche Anmeldung aus {city} festgestellt. Ohne "
            "Bestätigung innerhalb von {hours} Stunden wird Ihr Konto gesperrt.",
            "action": "Konto bestätigen",
            "sign": "Ihr Maison Aurelle Sicherheitsteam",
        },
    },
    "order": {
        "fr": {
            "subject": "Votre commande est bloquée - confirmation requise",
            "greeting": "Chère cliente, cher client {name},",
            "body": "Votre dernière commande à destination de {city} ne peut être "
            "expédiée : le paiement doit être confirmé sous {hours} heures.",
            "action": "Confirmer le paiement",
            "sign": "Service client Maison Aurelle",
        },
        "en": {
            "subject": "Your order is on hold - payment confirmation needed",
            "greeting": "Dear {name},",
            "body": "Your latest order to {city} cannot ship until you confirm your "
            "payment details. Please do so within {hours} hours.",
            "action": "Confirm payment",
            "sign": "Maison Aurelle Client Care",
        },
    },
    "private-sale": {
        "fr": {
            "subject": "{name}, votre invitation à la vente privée",
            "greeting": "Bonjour {name},",
            "body": "En tant que cliente privilégiée, vous êtes invitée à notre vente "
            "privée. Identifiez-vous pour réserver votre accès : places limitées.",
            "action": "Se connecter",
            "sign": "Maison Aurelle",
        },
        "en": {
            "subject": "{name}, your private sale invitation",
            "greeting": "Dear {name},",
            "body": "As one of our valued clients you are invited to our private sale. "
            "Sign in now to reserve your place: access is limited.",
            "action": "Sign in",
            "sign": "Maison Aurelle",
        },
    },
    "reset": {
        "fr": {
            "subject": "Incident de sécurité : réinitialisez votre mot de passe",
            "greeting": "Bonjour {name},",
            "body": "Suite à un incident de sécurité, vous devez réinitialiser votre mot "
            "de passe dans les {hours} heures, faute de quoi votre compte sera "
            "désactivé.",
            "action": "Réinitialiser mon mot de passe",
            "sign": "L'équipe Maison Aurelle",
        },
        "en": {
            "subject": "Security incident: reset your password now",
            "greeting": "Dear {name},",
            "body": "Following a security incident, you must reset your password within "
            "{hours} hours or your account will be deactivated.",
            "action": "Reset my password",
            "sign": "The Maison Aurelle team",
        },
    },
    "compensation": {
        "fr": {
            "subject": "Incident de données : votre bon de 150 € vous attend",
            "greeting": "Bonjour {name},",
            "body": "Pour nous excuser de l'incident récent, un bon d'achat de 150 € vous "
            "est réservé. Confirmez votre identité et vos coordonnées bancaires "
            "sous {hours} heures pour le recevoir.",
            "action": "Réclamer mon bon",
            "sign": "Maison Aurelle - Relation clients",
        },
        "en": {
            "subject": "Data incident: claim your €150 voucher",
            "greeting": "Dear {name},",
            "body": "To apologise for the recent incident we have reserved a €150 voucher "
            "for you. Confirm your identity and card details within {hours} hours "
            "to receive it.",
            "action": "Claim my voucher",
            "sign": "Maison Aurelle Client Relations",
        },
    },
    "loyalty": {
        "fr": {
            "subject": "Vos points fidélité expirent aujourd'hui",
            "greeting": "Bonjour {name},",
            "body": "Vos points fidélité expirent dans {hours} heures. Connectez-vous pour "
            "les convertir en cadeau.",
            "action": "Convertir mes points",
            "sign": "Le Club Maison Aurelle",
        },
        "en": {
            "subject": "Your loyalty points expire today",
            "greeting": "Dear {name},",
            "body": "Your loyalty points expire in {hours} hours. Sign in to turn them "
            "into a gift.",
            "action": "Redeem my points",
            "sign": "The Maison Aurelle Club",
        },
    },
}

LEGIT_TEXTS: dict[str, dict[str, Texts]] = {
    "order": {
        "fr": {
            "subject": "Confirmation de votre commande n° {order}",
            "greeting": "Bonjour {name},",
            "body": "Merci pour votre commande n° {order}. Nous la préparons avec soin et "
            "vous écrirons dès son expédition.",
            "action": "Suivre ma commande",
            "sign": "Maison Aurelle",
        },
        "en": {
            "subject": "Your order {order} is confirmed",
            "greeting": "Dear {name},",
            "body": "Thank you for your order {order}. We are preparing it with care and "
            "will write again as soon as it ships.",
            "action": "View my order",
            "sign": "Maison Aurelle",
        },
    },
    "shipping": {
        "fr": {
            "subject": "Votre commande n° {order} a été expédiée",
            "greeting": "Bonjour {name},",
            "body": "Votre commande n° {order} est en route. Numéro de suivi : {tracking}.",
            "action": "Suivre mon colis",
            "sign": "Maison Aurelle",
        },
        "en": {
            "subject": "Your order {order} has shipped",
            "greeting": "Dear {name},",
            "body": "Your order {order} is on its way. Tracking number: {tracking}.",
            "action": "Track my parcel",
            "sign": "Maison Aurelle",
        },
    },
    "newsletter": {
        "fr": {
            "subject": "Les nouveautés de la saison",
            "greeting": "Bonjour {name},",
            "body": "Découvrez les nouvelles créations de nos ateliers, disponibles en "
            "boutique et en ligne.",
            "action": "Découvrir",
            "sign": "Maison Aurelle",
        },
        "en": {
            "subject": "New this season",
            "greeting": "Dear {name},",
            "body": "Discover the latest creations from our workshops, in boutiques and online.",
            "action": "Discover",
            "sign": "Maison Aurelle",
        },
    },
}


def pick_texts(by_language: dict[str, Texts], language: str) -> Texts:
    """The texts in the customer's language when we have it, in English otherwise."""
    return by_language.get(language[:2], by_language["en"])
