from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from breachdesk.errors import ConfigError, KeyMismatch, SourceUnavailable, StoreError
from breachdesk.model import AffectedPerson, Category
from breachdesk.store import add_affected_person, open_store, read_affected_persons
from breachdesk.store.crypto import new_key
from breachdesk.store.tables import AffectedPerson as PersonRow
from breachdesk.store.tables import Incident, Meta

TABLES = {
    "incidents",
    "alerts",
    "timeline_entries",
    "tasks",
    "evidence",
    "custody_events",
    "affected_persons",
    "obligations",
    "notices",
    "audit_log",
    "meta",
}


def test_open_store_migrates_to_every_table(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url, tmp_path / "key", create_key=True)
    try:
        names = set(inspect(store.engine).get_table_names())
        assert names >= TABLES | {"alembic_version"}
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        store.close()


def test_open_store_twice_is_idempotent(database_url: str, tmp_path: Path) -> None:
    open_store(database_url, tmp_path / "key", create_key=True).close()
    store = open_store(database_url, tmp_path / "key")
    with store.session() as session:
        assert session.scalar(select(Meta.key)) == "key_check"
    store.close()


def test_person_fields_are_encrypted_at_rest(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url, tmp_path / "key", create_key=True)
    aware = datetime(2026, 11, 3, 2, 14, tzinfo=UTC)
    person = AffectedPerson(
        key="4711",
        email="Aline.Dupont@example.fr",
        name="Aline Dupont",
        language="fr-FR",
        country="FR",
        region="Île-de-France",
        postal_code="75008",
        categories=frozenset({Category.CONTACT_NAME, Category.CONTACT_EMAIL}),
        first_access=aware,
        last_access=aware + timedelta(hours=2),
    )
    with store.session() as session:
        session.add(Incident(id="INC-1", title="test"))
        session.flush()
        add_affected_person(session, store.cipher, "INC-1", person)
    with store.engine.connect() as conn:
        raw = conn.execute(select(PersonRow.__table__)).one()._asdict()
    dumped = repr(raw).encode()
    for secret in (b"Aline", b"Dupont", b"example.fr", b"75008", b"4711"):
        assert secret not in dumped
    with store.session() as session:
        back = list(read_affected_persons(session, store.cipher, "INC-1"))
        found = list(
            read_affected_persons(session, store.cipher, "INC-1", email="aline.dupont@EXAMPLE.fr")
        )
    assert back == [person]
    assert found == [person]
    store.close()


def test_open_store_with_wrong_key_is_refused(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_store(database_url, tmp_path / "key", create_key=True).close()
    monkeypatch.setenv("BREACHDESK_KEY", new_key())
    with pytest.raises(KeyMismatch, match="BREACHDESK_KEY does not decrypt"):
        open_store(database_url, tmp_path / "key")


def test_lost_key_is_not_silently_replaced(database_url: str, tmp_path: Path) -> None:
    open_store(database_url, tmp_path / "key", create_key=True).close()
    (tmp_path / "key").unlink()
    with pytest.raises(ConfigError, match="no encryption key"):
        open_store(database_url, tmp_path / "key", create_key=True)
    assert not (tmp_path / "key").exists()


def test_store_times_come_back_aware_utc(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url, tmp_path / "key", create_key=True)
    with store.session() as session:
        session.add(Incident(id="INC-2", title="t", aware_at=datetime(2026, 1, 1, 12, tzinfo=UTC)))
    with store.session() as session:
        incident = session.get(Incident, "INC-2")
        assert incident is not None
        assert incident.aware_at == datetime(2026, 1, 1, 12, tzinfo=UTC)
        assert incident.aware_at.tzinfo is not None
    store.close()


def test_unreachable_postgres_is_one_clear_error(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:9/none?connect_timeout=2"
    with pytest.raises(SourceUnavailable) as caught:
        open_store(url, tmp_path / "key")
    message = str(caught.value)
    assert "127.0.0.1:9" in message
    assert "secret" not in message
    assert "\n" not in message


@pytest.mark.parametrize("url", ["not a url", "mysql+pymysql://root@localhost/x"])
def test_unsupported_database_url_is_a_config_error(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        open_store(url, tmp_path / "key")


def test_a_store_from_a_newer_version_is_refused_in_one_line(
    database_url: str, tmp_path: Path
) -> None:
    open_store(database_url, tmp_path / "key", create_key=True).close()
    store = open_store(database_url, tmp_path / "key")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    store.close()
    with pytest.raises(StoreError, match="written by a newer version") as caught:
        open_store(database_url, tmp_path / "key")
    assert "\n" not in str(caught.value)
