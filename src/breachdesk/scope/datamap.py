"""Which data categories a table's columns hold: the inventory's data map, or a fallback.

The one boundary between scope and inventory. When ``breachdesk.inventory`` offers a data map
and it describes a table, its answer is used; otherwise a small fallback names categories
from the person source settings (``person_source.email`` → ``contact.email``, …) and from
well-known column names. The fallback is deliberately small: it exists until the inventory
has scanned the source, and ``docs/scope.md`` lists it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from breachdesk.config import PersonSource
from breachdesk.errors import BreachdeskError
from breachdesk.model import Category
from breachdesk.workspace import Workspace

C = Category
_BY_NAME: dict[str, Category] = {
    "email": C.CONTACT_EMAIL,
    "email_address": C.CONTACT_EMAIL,
    "e_mail": C.CONTACT_EMAIL,
    "full_name": C.CONTACT_NAME,
    "name": C.CONTACT_NAME,
    "first_name": C.CONTACT_NAME,
    "last_name": C.CONTACT_NAME,
    "surname": C.CONTACT_NAME,
    "phone": C.CONTACT_PHONE,
    "phone_number": C.CONTACT_PHONE,
    "mobile": C.CONTACT_PHONE,
    "telephone": C.CONTACT_PHONE,
    "address": C.CONTACT_ADDRESS,
    "street": C.CONTACT_ADDRESS,
    "address_line1": C.CONTACT_ADDRESS,
    "address_line2": C.CONTACT_ADDRESS,
    "city": C.LOCATION_CITY,
    "ship_city": C.LOCATION_CITY,
    "region": C.LOCATION_REGION,
    "state": C.LOCATION_REGION,
    "province": C.LOCATION_REGION,
    "country": C.LOCATION_COUNTRY,
    "ship_country": C.LOCATION_COUNTRY,
    "postal_code": C.LOCATION_POSTAL_CODE,
    "postcode": C.LOCATION_POSTAL_CODE,
    "zip": C.LOCATION_POSTAL_CODE,
    "zip_code": C.LOCATION_POSTAL_CODE,
    "latitude": C.LOCATION_GEO,
    "longitude": C.LOCATION_GEO,
    "birth_date": C.IDENTITY_BIRTH_DATE,
    "date_of_birth": C.IDENTITY_BIRTH_DATE,
    "dob": C.IDENTITY_BIRTH_DATE,
    "ssn": C.IDENTITY_NATIONAL_ID,
    "national_id": C.IDENTITY_NATIONAL_ID,
    "passport_number": C.IDENTITY_GOVERNMENT_ID,
    "username": C.ACCOUNT_USERNAME,
    "login": C.ACCOUNT_USERNAME,
    "customer_id": C.ACCOUNT_ID,
    "user_id": C.ACCOUNT_ID,
    "account_id": C.ACCOUNT_ID,
    "password_hash": C.CREDENTIAL_PASSWORD_HASH,
    "password": C.CREDENTIAL_PASSWORD_PLAIN,
    "security_answer": C.CREDENTIAL_SECURITY_ANSWER,
    "card_number": C.FINANCIAL_CARD_NUMBER,
    "pan": C.FINANCIAL_CARD_NUMBER,
    "cvv": C.FINANCIAL_CARD_SECURITY_CODE,
    "cvc": C.FINANCIAL_CARD_SECURITY_CODE,
    "card_expiry": C.FINANCIAL_CARD_EXPIRY,
    "exp_month": C.FINANCIAL_CARD_EXPIRY,
    "exp_year": C.FINANCIAL_CARD_EXPIRY,
    "iban": C.FINANCIAL_BANK_ACCOUNT,
    "bank_account": C.FINANCIAL_BANK_ACCOUNT,
    "ip": C.NETWORK_IP,
    "ip_address": C.NETWORK_IP,
    "user_agent": C.DEVICE_USER_AGENT,
}
# Tables whose rows are purchases: their columns (beyond the above) are purchase history.
_PURCHASE_TABLES = frozenset({"orders", "order_items", "purchases", "transactions"})
_NOT_PURCHASE = frozenset({"id", "created_at", "updated_at"})

_CATEGORY_BITS: dict[Category, int] = {c: 1 << i for i, c in enumerate(Category)}


def category_mask(categories: Iterable[Category]) -> int:
    """The categories as one integer (a bit per category), so engines can OR them."""
    mask = 0
    for category in categories:
        mask |= _CATEGORY_BITS[category]
    return mask


def mask_categories(mask: int) -> list[Category]:
    """The categories of ``mask``, in taxonomy order."""
    return [c for c, bit in _CATEGORY_BITS.items() if mask & bit]


@dataclass(frozen=True)
class CategoryMap:
    """Answers "which categories do these columns of this table hold?".

    A table the data map describes is answered by the data map (plus the person source's
    declared columns); any other table by the fallback.
    """

    person_table: str
    person_columns: dict[str, Category]
    data_map: Callable[[str, list[str]], frozenset[Category] | None] | None = None

    @property
    def origin(self) -> str:
        return "data map" if self.data_map is not None else "fallback"

    def categories(self, table: str, columns: Iterable[str]) -> frozenset[Category]:
        names = [c.lower() for c in columns]
        if self.data_map is not None:
            found = self.data_map(table, names)
            if found is not None:
                return found | self._declared(table, names)
        return self.fallback(table, names)

    def _declared(self, table: str, columns: list[str]) -> frozenset[Category]:
        if table.lower() != self.person_table:
            return frozenset()
        return frozenset(self.person_columns[c] for c in columns if c in self.person_columns)

    def fallback(self, table: str, columns: Iterable[str]) -> frozenset[Category]:
        found: set[Category] = set()
        bare = table.lower()
        for column in columns:
            name = column.lower()
            if bare == self.person_table and name in self.person_columns:
                found.add(self.person_columns[name])
            elif name in _BY_NAME:
                found.add(_BY_NAME[name])
            elif bare in _PURCHASE_TABLES and name not in _NOT_PURCHASE:
                found.add(Category.COMMERCE_PURCHASE_HISTORY)
        return frozenset(found)

    def mask(self, table: str, columns: Iterable[str]) -> int:
        return category_mask(self.categories(table, columns))


def _person_columns(source: PersonSource) -> dict[str, Category]:
    pairs = (
        (source.key, Category.ACCOUNT_ID),
        (source.email, Category.CONTACT_EMAIL),
        (source.name, Category.CONTACT_NAME),
        (source.country, Category.LOCATION_COUNTRY),
        (source.region, Category.LOCATION_REGION),
        (source.postal_code, Category.LOCATION_POSTAL_CODE),
    )
    return {column.lower(): category for column, category in pairs if column}


def _inventory_reader(
    workspace: Workspace,
) -> Callable[[str, list[str]], frozenset[Category] | None] | None:
    """The inventory's data map when that stage is installed and has scanned something;
    its lookup answers None for a table the data map does not describe.

    Looked up by name so scope works (with the fallback) on a branch without inventory.
    """
    try:
        inventory: Any = importlib.import_module("breachdesk.inventory")
    except ImportError:
        return None
    read_data_map = getattr(inventory, "read_data_map", None)
    if read_data_map is None:
        return None
    try:
        data_map = read_data_map(workspace.store)
    except BreachdeskError:
        return None
    entries = getattr(data_map, "entries", ())
    if not entries:
        return None
    described = {str(e.table).rsplit(".", 1)[-1].lower() for e in entries}

    def lookup(table: str, columns: list[str]) -> frozenset[Category] | None:
        if table.lower() not in described:
            return None
        found = data_map.categories_for(table, columns)
        return frozenset(Category(c) for c in found)

    return lookup


def category_map(workspace: Workspace) -> CategoryMap:
    """The categories of the workspace's tables, from the data map when there is one."""
    source = workspace.settings.person_source
    return CategoryMap(
        person_table=source.table.lower(),
        person_columns=_person_columns(source),
        data_map=_inventory_reader(workspace),
    )
