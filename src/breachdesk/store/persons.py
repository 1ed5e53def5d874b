"""Affected persons in the store: encrypted on the way in, decrypted on the way out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from breachdesk.model.categories import Category
from breachdesk.model.person import AffectedPerson
from breachdesk.store.crypto import FieldCipher
from breachdesk.store.tables import AffectedPerson as PersonRow

_T = "affected_persons"


def person_values(cipher: FieldCipher, incident_id: str, person: AffectedPerson) -> dict[str, Any]:
    """The column values of ``person``'s row, identifying fields encrypted."""
    return {
        "incident_id": incident_id,
        "person_key_index": person_key_index(cipher, person.key),
        "person_key_enc": cipher.encrypt(person.key, f"{_T}.person_key"),
        "email_index": (
            None if person.email is None else cipher.blind_index(person.email, f"{_T}.email")
        ),
        "email_enc": cipher.encrypt_optional(person.email, f"{_T}.email"),
        "name_enc": cipher.encrypt_optional(person.name, f"{_T}.name"),
        "postal_code_enc": cipher.encrypt_optional(person.postal_code, f"{_T}.postal_code"),
        "language": person.language,
        "country": person.country,
        "region": person.region,
        "categories": sorted(c.value for c in person.categories),
        "first_access": person.first_access,
        "last_access": person.last_access,
    }


def add_affected_person(
    session: Session, cipher: FieldCipher, incident_id: str, person: AffectedPerson
) -> PersonRow:
    """Store ``person`` for ``incident_id``; identifying fields are encrypted."""
    row = PersonRow(**person_values(cipher, incident_id, person))
    session.add(row)
    return row


def add_affected_persons(
    session: Session, cipher: FieldCipher, incident_id: str, persons: Sequence[AffectedPerson]
) -> dict[str, int]:
    """Store many persons at once (executemany); their row ids by key blind index."""
    if not persons:
        return {}
    rows = [person_values(cipher, incident_id, p) for p in persons]
    session.execute(insert(PersonRow), rows)
    wanted = [r["person_key_index"] for r in rows]
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(PersonRow.person_key_index, PersonRow.id).where(
            PersonRow.incident_id == incident_id, PersonRow.person_key_index.in_(chunk)
        )
        found.update({index: row_id for index, row_id in session.execute(query)})
    return found


def update_affected_persons(
    session: Session,
    cipher: FieldCipher,
    incident_id: str,
    persons: Sequence[tuple[int, AffectedPerson]],
) -> None:
    """Refresh stored persons (row id, same key) with new details, re-encrypting them."""
    if persons:
        session.execute(
            update(PersonRow),
            [{"id": row_id, **person_values(cipher, incident_id, p)} for row_id, p in persons],
        )


def person_key_index(cipher: FieldCipher, key: str) -> str:
    """The blind index a person's key is stored (and found) under."""
    return cipher.blind_index(key, f"{_T}.person_key")


def read_affected_persons(
    session: Session,
    cipher: FieldCipher,
    incident_id: str,
    *,
    email: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Iterator[AffectedPerson]:
    """The incident's affected persons, decrypted; ``email`` narrows by blind index;
    ``offset`` and ``limit`` page through them (in the order they were stored)."""
    query = select(PersonRow).where(PersonRow.incident_id == incident_id).order_by(PersonRow.id)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    if email is not None:
        query = query.where(PersonRow.email_index == cipher.blind_index(email, f"{_T}.email"))
    for row in session.scalars(query):
        yield _person(cipher, row)


def _person(cipher: FieldCipher, row: PersonRow) -> AffectedPerson:
    return AffectedPerson(
        key=cipher.decrypt(row.person_key_enc, f"{_T}.person_key"),
        email=cipher.decrypt_optional(row.email_enc, f"{_T}.email"),
        name=cipher.decrypt_optional(row.name_enc, f"{_T}.name"),
        language=row.language,
        country=row.country,
        region=row.region,
        postal_code=cipher.decrypt_optional(row.postal_code_enc, f"{_T}.postal_code"),
        categories=_categories(row.categories),
        first_access=row.first_access,
        last_access=row.last_access,
    )


def _categories(values: Iterable[str]) -> frozenset[Category]:
    return frozenset(Category(v) for v in values)
