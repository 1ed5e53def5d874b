"""Sessions and accounts in the store: expiry, revocation, hashes only, the one-time admin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from breachdesk.errors import UserInputError
from breachdesk.store import Base, open_store
from breachdesk.store import web_tables as _web_tables  # registers its tables
from breachdesk.store.web_tables import WebSession, WebUser
from breachdesk.web import add_user, create_admin_once, list_users
from breachdesk.web.accounts import set_password, verify_login
from breachdesk.web.sessions import IDLE, LIFETIME, load_session, start_session
from breachdesk.workspace import Workspace, init_workspace

PASSWORD = "correct horse battery staple"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = init_workspace(tmp_path / "ws")
    yield workspace
    workspace.close()


def test_web_tables_match_migration_0010(database_url: str, tmp_path: Path) -> None:
    assert _web_tables.WebUser.__tablename__ in Base.metadata.tables
    store = open_store(database_url, tmp_path / "key", create_key=True)
    try:
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        store.close()


def test_passwords_and_session_ids_are_stored_as_hashes(ws: Workspace) -> None:
    account = add_user(ws.store, "alice", "responder", PASSWORD, actor="test")
    token = start_session(ws.store, account.id)
    with ws.store.session() as session:
        stored = session.scalar(select(WebUser.password_hash))
        ids = list(session.scalars(select(WebSession.id_hash)))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert token not in ids
    assert len(ids) == 1
    assert len(ids[0]) == 64


def test_session_ends_when_idle_or_old(ws: Workspace) -> None:
    account = add_user(ws.store, "alice", "viewer", PASSWORD, actor="test")
    now = datetime.now(UTC)
    token = start_session(ws.store, account.id, now=now)
    user = load_session(ws.store, token, now=now + timedelta(minutes=5))
    assert user is not None
    assert user.name == "alice"
    assert user.actor == "web:alice"
    assert load_session(ws.store, token, now=now + timedelta(minutes=5) + IDLE) is None
    # Kept busy, it still ends at its lifetime.
    moment = now
    while moment + timedelta(minutes=20) < now + LIFETIME:
        moment += timedelta(minutes=20)
        assert load_session(ws.store, token, now=moment) is not None
    assert load_session(ws.store, token, now=now + LIFETIME) is None
    assert load_session(ws.store, "not-a-session") is None


def test_password_change_ends_sessions(ws: Workspace) -> None:
    account = add_user(ws.store, "alice", "viewer", PASSWORD, actor="test")
    token = start_session(ws.store, account.id)
    set_password(ws.store, "alice", "another long password", actor="test")
    assert load_session(ws.store, token) is None
    assert verify_login(ws.store, "alice", PASSWORD) is None
    assert verify_login(ws.store, "alice", "another long password") is not None


def test_bad_accounts_are_refused(ws: Workspace) -> None:
    add_user(ws.store, "alice", "viewer", PASSWORD, actor="test")
    with pytest.raises(UserInputError, match="exists"):
        add_user(ws.store, "Alice", "viewer", PASSWORD, actor="test")
    with pytest.raises(UserInputError, match="no role"):
        add_user(ws.store, "bob", "root", PASSWORD, actor="test")
    with pytest.raises(UserInputError, match="shorter"):
        add_user(ws.store, "bob", "viewer", "short", actor="test")
    with pytest.raises(UserInputError, match="not allowed"):
        add_user(ws.store, "<script>", "viewer", PASSWORD, actor="test")


def test_create_admin_once_gives_a_new_password_each_time(ws: Workspace) -> None:
    first = create_admin_once(ws)
    second = create_admin_once(ws)
    assert first != second
    assert len(second) >= 20
    assert [(a.name, a.role.value) for a in list_users(ws.store)] == [("admin", "admin")]
    assert verify_login(ws.store, "admin", first) is None
    assert verify_login(ws.store, "admin", second) is not None
