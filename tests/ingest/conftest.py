"""Fixtures for the ingest tests: small workspaces (no store: ingest never opens it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from breachdesk.workspace import Workspace, open_workspace

from .samples import EXPOSURE


@pytest.fixture
def make_workspace(tmp_path: Path) -> Callable[..., Workspace]:
    """A workspace folder with the given settings (no store: ingest never opens it)."""

    def make(settings: str = EXPOSURE, name: str = "ws") -> Workspace:
        root = tmp_path / name
        (root / ".breachdesk" / "events").mkdir(parents=True)
        (root / ".breachdesk" / "rejects").mkdir(parents=True)
        (root / "breachdesk.toml").write_text(settings, encoding="utf-8")
        return open_workspace(root)

    return make
