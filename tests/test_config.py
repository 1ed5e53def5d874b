from __future__ import annotations

from pathlib import Path

import pytest

from breachdesk.config import documented_keys, load_settings
from breachdesk.errors import ConfigError
from breachdesk.workspace import settings_template


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "breachdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_template_is_valid_settings(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, settings_template()))
    assert settings.engine == "duckdb"
    assert settings.person_source.table == "customers"


def test_unknown_key_names_key_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, 'engine = "duckdb"\n\n[brand]\nname = "X"\ncolour = "red"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == f"{path}:5: unknown setting 'brand.colour'"


def test_unknown_key_in_list_of_tables(tmp_path: Path) -> None:
    text = '[[sources]]\nname = "web"\nformat = "nginx"\npaths = ["x"]\nzone = "UTC"\n'
    with pytest.raises(ConfigError, match=r"unknown setting 'sources\.0\.zone'"):
        load_settings(_write(tmp_path, text))


def test_bad_value_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="setting 'engine'"):
        load_settings(_write(tmp_path, 'engine = "oracle"\n'))


def test_broken_toml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, 'engine = "duckdb"\n[brand\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.line == 2
    assert "not valid TOML" in str(caught.value)


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, '[person_source]\nurl = "sqlite:///a.db"\n')
    monkeypatch.setenv("BREACHDESK_PERSON_SOURCE__URL", "sqlite:///b.db")
    monkeypatch.setenv("BREACHDESK_ENGINE", "spark")
    settings = load_settings(path)
    assert settings.person_source.url == "sqlite:///b.db"
    assert settings.engine == "spark"


def test_unknown_environment_variable_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BREACHDESK_DATABASE_URI", "sqlite://")
    with pytest.raises(ConfigError, match="BREACHDESK_DATABASE_URI"):
        load_settings(_write(tmp_path, ""))


def test_key_variable_is_not_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BREACHDESK_KEY", "anything")
    assert load_settings(_write(tmp_path, "")).database_url is None


def test_source_name_must_be_a_path_segment(tmp_path: Path) -> None:
    text = '[[sources]]\nname = "../etc"\nformat = "nginx"\npaths = ["x"]\n'
    with pytest.raises(ConfigError, match=r"sources\.0\.name"):
        load_settings(_write(tmp_path, text))


def test_documented_keys_cover_nested_sections() -> None:
    keys = documented_keys()
    assert "person_source.url" in keys
    assert "sources[].fields" in keys
    assert "exposure[].order_by" in keys
