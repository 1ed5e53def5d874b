from __future__ import annotations

import stat
from pathlib import Path

import pytest

from breachdesk.errors import ConfigError, WorkspaceError
from breachdesk.workspace import SUBDIRS, init_workspace, open_workspace


def test_init_creates_settings_folders_key_and_store(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    try:
        assert ws.config_path.read_text().startswith("# Breachdesk settings")
        for name in SUBDIRS:
            assert ws.path(name).is_dir()
        assert stat.S_IMODE(ws.key_path.stat().st_mode) == 0o600
        assert stat.S_IMODE(ws.state_dir.stat().st_mode) == 0o700
        assert stat.S_IMODE((ws.state_dir / "breachdesk.db").stat().st_mode) == 0o600
        wal = ws.state_dir / "breachdesk.db-wal"
        assert not wal.exists() or stat.S_IMODE(wal.stat().st_mode) == 0o600
    finally:
        ws.close()


def test_init_keeps_existing_settings_and_key(tmp_path: Path) -> None:
    init_workspace(tmp_path).close()
    (tmp_path / "breachdesk.toml").write_text('engine = "spark"\n')
    key = (tmp_path / ".breachdesk" / "key").read_text()
    ws = init_workspace(tmp_path)
    ws.close()
    assert ws.settings.engine == "spark"
    assert (tmp_path / ".breachdesk" / "key").read_text() == key


def test_open_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="does not exist"):
        open_workspace(tmp_path / "absent")


def test_open_file_instead_of_folder(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(WorkspaceError, match="not a folder"):
        open_workspace(tmp_path / "f")


def test_open_folder_without_settings(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not a Breachdesk workspace"):
        open_workspace(tmp_path)


def test_resolve_url_makes_sqlite_paths_workspace_relative(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path)
    ws.close()
    assert ws.resolve_url("sqlite:///shop.db") == f"sqlite:///{tmp_path}/shop.db"
    assert ws.resolve_url("sqlite:////abs/shop.db") == "sqlite:////abs/shop.db"
    pg = "postgresql+psycopg://u@h/db"
    assert ws.resolve_url(pg) == pg
    with pytest.raises(ConfigError):
        ws.resolve_url("::nonsense::")


def test_store_on_postgres_via_settings(tmp_path: Path, postgres_url: str) -> None:
    (tmp_path / "breachdesk.toml").write_text(f'database_url = "{postgres_url}"\n')
    ws = init_workspace(tmp_path)
    try:
        assert ws.store.engine.dialect.name == "postgresql"
    finally:
        ws.close()
