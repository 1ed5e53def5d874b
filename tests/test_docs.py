"""Every CLI verb and every setting is documented in docs/ (a test, so it stays true)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from breachdesk.cli.main import app
from breachdesk.config import documented_keys

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _verbs(command: object, prefix: str) -> list[str]:
    children: dict[str, object] = getattr(command, "commands", {})
    if not children:
        return [prefix]
    paths = [prefix] if getattr(command, "invoke_without_command", False) else []
    for name, child in sorted(children.items()):
        paths += _verbs(child, f"{prefix} {name}")
    return paths


def _all_docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))


VERBS = _verbs(typer.main.get_command(app), "breachdesk")


def test_cli_has_verbs() -> None:
    assert "breachdesk config check" in VERBS
    assert "breachdesk demo generate" in VERBS


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_is_documented(verb: str) -> None:
    assert f"`{verb}" in _all_docs(), f"{verb} is not documented in docs/*.md"


@pytest.mark.parametrize("key", documented_keys())
def test_every_setting_is_documented(key: str) -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert f"`{key}`" in text, f"setting {key} is missing from docs/configuration.md"
