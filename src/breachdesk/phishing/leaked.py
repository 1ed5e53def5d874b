"""What an incident leaked about the recipient of a reported email, read from the store.

After a breach, phishers greet customers by their real name to earn trust. The recipient's
address finds them among the affected persons (blind index, nothing decrypted in bulk).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from breachdesk.phishing.lexicon import fold
from breachdesk.store import Store, read_affected_persons
from breachdesk.store.tables import Incident

MAX_RECIPIENTS = 10


@dataclass(frozen=True)
class LeakedFields:
    """The leaked values of one affected person that a phisher could quote."""

    incident_id: str
    name: str | None
    postal_code: str | None

    def quoted_in(self, folded_text: str) -> list[str]:
        """Which of these fields ``folded_text`` (see ``lexicon.fold``) quotes."""
        quoted = []
        if self.name and _name_in(fold(self.name), folded_text):
            quoted.append("full name")
        code = fold(self.postal_code or "")
        if len(code) >= 4 and re.search(rf"(?<!\w){re.escape(code)}(?!\w)", folded_text):
            quoted.append("postal code")
        return quoted


def _name_in(name: str, text: str) -> bool:
    words = name.split()
    if len(words) < 2:
        return False
    if name in text:
        return True
    # "MARTIN Camille", "Martin, Camille": family name first.
    reordered = " ".join(words[-1:] + words[:-1])
    return reordered in text.replace(",", "")


class LeakedLookup:
    """Affected persons by recipient address, over every incident in the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store.session() as session:
            self.incidents = list(session.scalars(select(Incident.id).order_by(Incident.id)))
        self._cache: dict[str, list[LeakedFields]] = {}

    def __bool__(self) -> bool:
        return bool(self.incidents)

    def for_recipients(self, addresses: Iterable[str]) -> list[LeakedFields]:
        found: list[LeakedFields] = []
        for address in list(addresses)[:MAX_RECIPIENTS]:
            if address not in self._cache:
                self._cache[address] = self._lookup(address)
            found += self._cache[address]
        return found

    def _lookup(self, address: str) -> list[LeakedFields]:
        people: list[LeakedFields] = []
        with self.store.session() as session:
            for incident in self.incidents:
                for person in read_affected_persons(
                    session, self.store.cipher, incident, email=address
                ):
                    people.append(LeakedFields(incident, person.name, person.postal_code))
        return people
