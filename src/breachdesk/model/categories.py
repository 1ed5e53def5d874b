"""The one taxonomy of personal-data categories used by inventory, scope, law and notices.

Extend it here only: every other stage refers to these members, never to loose strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Group(StrEnum):
    """Broad families that segmentation rules and notices reason about."""

    CONTACT = "contact"
    LOCATION = "location"
    IDENTITY = "identity"
    ACCOUNT = "account"
    CREDENTIAL = "credential"
    FINANCIAL = "financial"
    COMMERCE = "commerce"
    HEALTH = "health"
    TECHNICAL = "technical"


class Category(StrEnum):
    """A kind of personal data, named ``family.kind``."""

    CONTACT_NAME = "contact.name"
    CONTACT_EMAIL = "contact.email"
    CONTACT_PHONE = "contact.phone"
    CONTACT_ADDRESS = "contact.address"
    LOCATION_CITY = "location.city"
    LOCATION_REGION = "location.region"
    LOCATION_COUNTRY = "location.country"
    LOCATION_POSTAL_CODE = "location.postal_code"
    LOCATION_GEO = "location.geo"
    IDENTITY_BIRTH_DATE = "identity.birth_date"
    IDENTITY_NATIONAL_ID = "identity.national_id"
    IDENTITY_GOVERNMENT_ID = "identity.government_id"
    ACCOUNT_USERNAME = "account.username"
    ACCOUNT_ID = "account.id"
    CREDENTIAL_PASSWORD_HASH = "credential.password_hash"  # noqa: S105
    CREDENTIAL_PASSWORD_PLAIN = "credential.password_plain"  # noqa: S105
    CREDENTIAL_SECURITY_ANSWER = "credential.security_answer"
    FINANCIAL_CARD_NUMBER = "financial.card_number"
    FINANCIAL_CARD_SECURITY_CODE = "financial.card_security_code"
    FINANCIAL_CARD_EXPIRY = "financial.card_expiry"
    FINANCIAL_BANK_ACCOUNT = "financial.bank_account"
    COMMERCE_PURCHASE_HISTORY = "commerce.purchase_history"
    HEALTH_ANY = "health.any"
    NETWORK_IP = "network.ip"
    DEVICE_USER_AGENT = "device.user_agent"

    @property
    def group(self) -> Group:
        return _GROUP_OF[self.value.split(".", 1)[0]]

    @property
    def info(self) -> CategoryInfo:
        return CATEGORY_INFO[self]


@dataclass(frozen=True)
class CategoryInfo:
    """What a category means to a person reading a notice, and how harmful its loss is."""

    label: str
    # 1 (low: city) .. 3 (high: card number, password); law and notices weigh on this.
    harm: int


_GROUP_OF: dict[str, Group] = {
    "contact": Group.CONTACT,
    "location": Group.LOCATION,
    "identity": Group.IDENTITY,
    "account": Group.ACCOUNT,
    "credential": Group.CREDENTIAL,
    "financial": Group.FINANCIAL,
    "commerce": Group.COMMERCE,
    "health": Group.HEALTH,
    "network": Group.TECHNICAL,
    "device": Group.TECHNICAL,
}

CATEGORY_INFO: dict[Category, CategoryInfo] = {
    Category.CONTACT_NAME: CategoryInfo("name", 1),
    Category.CONTACT_EMAIL: CategoryInfo("email address", 1),
    Category.CONTACT_PHONE: CategoryInfo("phone number", 1),
    Category.CONTACT_ADDRESS: CategoryInfo("postal address", 2),
    Category.LOCATION_CITY: CategoryInfo("city", 1),
    Category.LOCATION_REGION: CategoryInfo("region or state", 1),
    Category.LOCATION_COUNTRY: CategoryInfo("country", 1),
    Category.LOCATION_POSTAL_CODE: CategoryInfo("postal code", 1),
    Category.LOCATION_GEO: CategoryInfo("precise location (coordinates)", 2),
    Category.IDENTITY_BIRTH_DATE: CategoryInfo("date of birth", 2),
    Category.IDENTITY_NATIONAL_ID: CategoryInfo("national identification number", 3),
    Category.IDENTITY_GOVERNMENT_ID: CategoryInfo("passport or driving licence number", 3),
    Category.ACCOUNT_USERNAME: CategoryInfo("user name", 1),
    Category.ACCOUNT_ID: CategoryInfo("customer account number", 1),
    Category.CREDENTIAL_PASSWORD_HASH: CategoryInfo("password (hashed)", 2),
    Category.CREDENTIAL_PASSWORD_PLAIN: CategoryInfo("password", 3),
    Category.CREDENTIAL_SECURITY_ANSWER: CategoryInfo("security question answer", 3),
    Category.FINANCIAL_CARD_NUMBER: CategoryInfo("payment card number", 3),
    Category.FINANCIAL_CARD_SECURITY_CODE: CategoryInfo("card security code (CVV)", 3),
    Category.FINANCIAL_CARD_EXPIRY: CategoryInfo("card expiry date", 2),
    Category.FINANCIAL_BANK_ACCOUNT: CategoryInfo("bank account number (IBAN)", 3),
    Category.COMMERCE_PURCHASE_HISTORY: CategoryInfo("purchase history", 1),
    Category.HEALTH_ANY: CategoryInfo("health information", 3),
    Category.NETWORK_IP: CategoryInfo("IP address", 1),
    Category.DEVICE_USER_AGENT: CategoryInfo("device and browser details", 1),
}


def parse_category(text: str) -> Category:
    """The category named ``text``; ValueError listing the valid names when there is none."""
    try:
        return Category(text)
    except ValueError:
        valid = ", ".join(c.value for c in Category)
        raise ValueError(f"unknown data category {text!r}; valid: {valid}") from None
