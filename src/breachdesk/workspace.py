"""The workspace: one folder holding settings, the store, events, evidence and reports.

Every service receives a ``Workspace``; it knows the paths, the settings and opens the store
on first use, so commands that never touch the store never need the key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from breachdesk.config import CONFIG_NAME, Settings, load_settings
from breachdesk.errors import ConfigError, WorkspaceError
from breachdesk.store import Store, open_store

STATE_DIR = ".breachdesk"
SUBDIRS = ("events", "evidence", "rejects", "reports")


def settings_template() -> str:
    """The commented ``breachdesk.toml`` that ``init`` writes."""
    return resources.files("breachdesk.data").joinpath("breachdesk.toml").read_text("utf-8")


@dataclass
class Workspace:
    """An opened workspace folder."""

    root: Path
    settings: Settings
    _store: Store | None = field(default=None, repr=False)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def key_path(self) -> Path:
        return self.state_dir / "key"

    def path(self, name: str) -> Path:
        """A folder under ``.breachdesk/`` (events, evidence, rejects, reports)."""
        if name not in SUBDIRS:
            raise ValueError(f"no workspace folder {name!r}")
        return self.state_dir / name

    @property
    def database_url(self) -> str:
        if self.settings.database_url:
            return self.settings.database_url
        return f"sqlite:///{self.state_dir / 'breachdesk.db'}"

    def resolve_url(self, url: str) -> str:
        """``url`` with a relative SQLite path made relative to the workspace root."""
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ConfigError(f"not a database URL: {url[:80]!r}", path=self.config_path) from None
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            db = Path(parsed.database)
            if not db.is_absolute() and parsed.database != ":memory:":
                return parsed.set(database=str(self.root / db)).render_as_string(False)
        return url

    def resolve_path(self, path: str) -> Path:
        """A path from the settings, relative to the workspace root."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.root / candidate

    @property
    def store(self) -> Store:
        """The store, opened (and migrated) on first use."""
        if self._store is None:
            self._store = open_store(self.database_url, self.key_path)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def open_workspace(root: Path) -> Workspace:
    """The workspace at ``root``; WorkspaceError or ConfigError when it cannot be used."""
    root = root.expanduser().absolute()
    if not root.exists():
        raise WorkspaceError(f"workspace folder {root} does not exist; run 'breachdesk init'")
    if not root.is_dir():
        raise WorkspaceError(f"workspace {root} is not a folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise WorkspaceError(f"workspace folder {root} is not readable")
    config = root / CONFIG_NAME
    if not config.exists():
        raise WorkspaceError(
            f"{root} is not a Breachdesk workspace (no {CONFIG_NAME}); "
            "run 'breachdesk init' there or pass --workspace"
        )
    return Workspace(root=root, settings=load_settings(config))


def init_workspace(root: Path, *, settings_text: str | None = None) -> Workspace:
    """Create (or complete) a workspace at ``root``: settings file, folders, key, store.

    An existing ``breachdesk.toml`` or key is never overwritten.
    """
    root = root.expanduser().absolute()
    try:
        root.mkdir(parents=True, exist_ok=True)
        config = root / CONFIG_NAME
        if not config.exists():
            config.write_text(settings_text or settings_template(), encoding="utf-8")
        state = root / STATE_DIR
        state.mkdir(mode=0o700, exist_ok=True)
        for name in SUBDIRS:
            (state / name).mkdir(exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"cannot create the workspace at {root}: {exc.strerror}") from None
    workspace = open_workspace(root)
    if not workspace.settings.database_url:
        _create_private(workspace.state_dir / "breachdesk.db")
    workspace._store = open_store(workspace.database_url, workspace.key_path, create_key=True)
    return workspace


def _create_private(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only (SQLite gives its -wal and -shm
    files the same mode), unless it exists; an empty file is a valid SQLite database."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise WorkspaceError(f"cannot create {path}: {exc.strerror}") from None
