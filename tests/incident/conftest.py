"""Fixtures of the incident tests: workspaces on SQLite and PostgreSQL, and stored alerts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from breachdesk.store.tables import Alert
from breachdesk.workspace import Workspace, init_workspace

T0 = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)
VERIS_SCHEMA = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "veris"
).resolve() / "verisc-merged.json"


def make_workspace(root: Path, database_url: str | None = None) -> Workspace:
    settings = f'database_url = "{database_url}"\n' if database_url else None
    return init_workspace(root, settings_text=settings)


@pytest.fixture
def workspace(database_url: str, tmp_path: Path) -> Iterator[Workspace]:
    """A workspace whose store is SQLite or PostgreSQL (each test runs on both)."""
    url = None if database_url.startswith("sqlite") else database_url
    ws = make_workspace(tmp_path / "ws", url)
    yield ws
    ws.close()


@pytest.fixture
def sqlite_workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = make_workspace(tmp_path / "ws")
    yield ws
    ws.close()


def add_alert(
    ws: Workspace,
    alert_id: str = "A1",
    *,
    principals: tuple[str, ...] = ("agent:jmartin",),
    ips: tuple[str, ...] = ("203.0.113.7", "203.0.113.9"),
    start: datetime = T0,
    hours: int = 2,
) -> None:
    with ws.store.session() as session:
        session.add(
            Alert(
                id=alert_id,
                severity="high",
                detectors=["bulk-list", "enumeration"],
                principals=list(principals),
                src_ips=list(ips),
                start=start,
                end=start + timedelta(hours=hours),
                events=1200,
                objects=900,
            )
        )
