from __future__ import annotations

import breachdesk.inventory as inventory


def test_all_names_exist_and_are_public() -> None:
    for name in inventory.__all__:
        assert hasattr(inventory, name), name
    assert sorted(inventory.__all__) == sorted(set(inventory.__all__))
