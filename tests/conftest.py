"""Shared fixtures: workspaces in temporary folders and real PostgreSQL databases.

PostgreSQL tests read BREACHDESK_TEST_DATABASE_URL. On a developer's machine without it they
skip with the reason; under CI (CI=true) a missing database is a failure, not a skip.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from breachdesk.store.crypto import KEY_ENV

PG_ENV = "BREACHDESK_TEST_DATABASE_URL"


def _postgres_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        reason = f"{PG_ENV} is not set: PostgreSQL tests need a server (.ci/run starts one)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL of a brand-new, empty PostgreSQL database, dropped after the test."""
    admin_url = _postgres_admin_url()
    name = f"bd_test_{secrets.token_hex(6)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never inherit a key or settings from the developer's shell."""
    for var in list(os.environ):
        if var.startswith("BREACHDESK_") and var != PG_ENV:
            monkeypatch.delenv(var)
    monkeypatch.delenv(KEY_ENV, raising=False)
