"""Each package's ``__all__`` names exactly what it exports, and every name resolves."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import breachdesk

PACKAGES = sorted(
    name
    for _, name, is_pkg in pkgutil.walk_packages(breachdesk.__path__, "breachdesk.")
    if is_pkg and ".migrations" not in name
)


@pytest.mark.parametrize("name", PACKAGES)
def test_package_all_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported: list[str] = getattr(module, "__all__", [])
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    for attr in exported:
        assert hasattr(module, attr), f"{name}.__all__ names {attr}, which it lacks"
