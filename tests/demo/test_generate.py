from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

import breachdesk.demo as demo
from breachdesk.config import load_settings
from breachdesk.demo import GenerateOptions, generate_retailer
from breachdesk.demo.generate import MARKER
from breachdesk.errors import UserInputError
from breachdesk.workspace import open_workspace
from tests.demo.conftest import SMALL, Small


def _digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".breachdesk" not in path.relative_to(root).parts
    }


def test_demo_exports_only_the_generator_api() -> None:
    assert sorted(demo.__all__) == ["GenerateOptions", "GenerateReport", "generate_retailer"]
    assert all(callable(getattr(demo, name)) for name in demo.__all__)
    with pytest.raises(AttributeError):
        _ = demo.nothing_here


def test_demo_package_loads_the_generator_only_when_used() -> None:
    code = "import sys, breachdesk.demo.stages; print('faker' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_generate_retailer_is_deterministic_and_regenerates_in_place(
    small: Small, tmp_path: Path
) -> None:
    other = generate_retailer(
        GenerateOptions(out=tmp_path / "other", customers=100, days=14, seed=SMALL["seed"] + 1)
    )
    assert _digests(small.out)["shop.db"] != _digests(other.out)["shop.db"]
    # A folder made by the generator may be generated into again: it is replaced whole, and
    # the same options give the same bytes as the first generation elsewhere.
    (other.out / "notes.txt").write_text("kept", encoding="utf-8")
    again = generate_retailer(GenerateOptions(out=other.out, **SMALL))
    digests = _digests(again.out)
    assert digests.pop("notes.txt")
    assert digests == _digests(small.out)
    assert again.rows == small.report.rows


def test_generate_retailer_report_counts_what_is_on_disk(small: Small) -> None:
    report = small.report
    files = [p for p in small.out.rglob("*") if p.is_file() and ".breachdesk" not in p.parts]
    assert report.files == len(files)
    assert report.bytes == sum(p.stat().st_size for p in files)
    assert set(report.log_lines) == {"nginx", "gateway", "pgaudit"}
    assert report.rows > sum(report.log_lines.values()) > 0
    assert report.truth == small.out / "truth.json"
    assert (report.customers, report.days, report.seed) == (300, 14, SMALL["seed"])


def test_generate_retailer_leaves_a_ready_workspace(small: Small) -> None:
    workspace = open_workspace(small.out)
    try:
        settings = workspace.settings
        assert [s.name for s in settings.sources] == ["nginx", "gateway", "pgaudit"]
        assert settings.sources[1].fields["time"] == "ts"
        assert settings.sources[2].log_format == "%m %u %d [%p]: "
        assert settings.brand.domains == ["maison-aurelle.com"]
        assert settings.controller.name == "Maison Aurelle SAS"
        assert settings.person_source.language == "preferred_language"
        assert workspace.resolve_url(settings.person_source.url).endswith("/shop.db")
        routes = {e.route: e for e in settings.exposure if e.route}
        assert routes["/api/v1/customers"].kind == "list"
        assert routes["/api/v1/customers"].order_by == "id"
        assert routes["/api/v1/customers/{id}"].key == "id"
        assert routes["/api/v1/customers/search"].kind == "search"
        assert "/api/v1/orders/{id}" in routes
        assert {e.table for e in settings.exposure if e.kind == "table"} >= {"customers"}
        assert sorted(int(c.key) for c in settings.canaries) == small.truth["canaries"]
        assert workspace.path("events").is_dir()
    finally:
        workspace.close()
    assert load_settings(small.out / "breachdesk.toml") == settings


@pytest.mark.parametrize(
    ("customers", "days", "words"),
    [(-5, 14, "--customers"), (99, 14, "--customers"), (300, 13, "--days"), (300, 0, "--days")],
)
def test_generate_retailer_rejects_bad_sizes(
    tmp_path: Path, customers: int, days: int, words: str
) -> None:
    with pytest.raises(UserInputError, match=words) as caught:
        generate_retailer(GenerateOptions(out=tmp_path / "x", customers=customers, days=days))
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "x").exists()


def test_generate_retailer_refuses_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UserInputError, match="not empty"):
        generate_retailer(GenerateOptions(out=tmp_path, customers=100))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(UserInputError, match="not a folder"):
        generate_retailer(GenerateOptions(out=tmp_path / "file", customers=100))
    with pytest.raises(UserInputError, match="cannot write"):
        generate_retailer(GenerateOptions(out=tmp_path / "file" / "below", customers=100))


def test_generate_retailer_marks_its_folder(small: Small) -> None:
    assert '"complete": true' in (small.out / MARKER).read_text(encoding="utf-8")
