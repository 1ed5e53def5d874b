from __future__ import annotations

import json
from pathlib import Path

from breachdesk.demo.stages import demo_stages
from breachdesk.inventory import read_data_map
from breachdesk.inventory.demo import inventory_stage
from breachdesk.workspace import init_workspace


def test_inventory_is_a_built_demo_stage() -> None:
    (stage,) = [s for s in demo_stages() if s.name == "inventory"]
    assert stage.run is inventory_stage


def test_inventory_stage_scans_the_person_source(
    tmp_path: Path, contract_db: Path, planted: set[tuple[str, str]]
) -> None:
    root = tmp_path / "demo"
    root.mkdir()
    (root / "shop.db").write_bytes(contract_db.read_bytes())
    truth = {"segmentation_breaks": [{"table": t, "columns": [], "rule": r} for r, t in planted]}
    (root / "truth.json").write_text(json.dumps(truth))
    workspace = init_workspace(root)
    (root / "breachdesk.toml").write_text('[person_source]\nurl = "sqlite:///shop.db"\n')
    workspace.close()
    from breachdesk.workspace import open_workspace

    workspace = open_workspace(root)
    try:
        outcome = inventory_stage(workspace)
        assert outcome.status == "done"
        assert any("Planted breaks found: 7/7" in line for line in outcome.lines)
        planted = outcome.figures["planted_breaks"]
        assert isinstance(planted, dict)
        assert planted["unexpected"] == []
        assert read_data_map(workspace.store).entries
    finally:
        workspace.close()


def test_inventory_stage_without_person_source_fails_cleanly(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    try:
        assert inventory_stage(workspace).status == "failed"
    finally:
        workspace.close()
