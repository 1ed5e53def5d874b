"""Affected persons for the web: pages read from the store in order, without gaps."""

from __future__ import annotations

from pathlib import Path

from breachdesk.incident import open_incident
from breachdesk.model import AffectedPerson
from breachdesk.store import add_affected_person
from breachdesk.web.persons import persons_csv, persons_page
from breachdesk.workspace import init_workspace


def test_pages_cover_every_person_once(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    try:
        incident = open_incident(ws, title="t", actor="test").summary.id
        with ws.store.session() as session:
            for i in range(7):
                person = AffectedPerson(key=str(i), email=f"p{i}@example.test")
                add_affected_person(session, ws.store.cipher, incident, person)
        seen: list[str] = []
        offset, more = 0, True
        while more:
            persons, more = persons_page(ws, incident, offset=offset, limit=3)
            seen += [p.key for p in persons]
            offset += 3
        assert seen == [str(i) for i in range(7)]
        data, rows, digest = persons_csv(ws, incident)
        assert rows == 7
        assert len(digest) == 64
        assert data.decode().splitlines()[1].startswith("0,p0@example.test,")
    finally:
        ws.close()
