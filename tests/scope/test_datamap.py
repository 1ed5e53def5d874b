"""Categories of columns: the inventory's data map when it describes a table, else a fallback."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from breachdesk.model import Category
from breachdesk.scope.datamap import category_map, category_mask, mask_categories
from tests.scope.conftest import make_workspace


def test_fallback_uses_person_source_settings_and_column_names(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", 5)
    categories = category_map(ws)
    assert categories.origin == "fallback"
    found = categories.categories("customers", ["id", "full_name", "email", "phone", "created_at"])
    assert found == {
        Category.ACCOUNT_ID,
        Category.CONTACT_NAME,
        Category.CONTACT_EMAIL,
        Category.CONTACT_PHONE,
    }
    assert categories.categories("orders", ["id", "total_cents"]) == {
        Category.COMMERCE_PURCHASE_HISTORY
    }
    assert categories.categories("legacy", ["card_number", "cvv", "id"]) == {
        Category.FINANCIAL_CARD_NUMBER,
        Category.FINANCIAL_CARD_SECURITY_CODE,
    }
    ws.close()


@dataclass(frozen=True)
class _Entry:
    table: str


class _DataMap:
    entries = (_Entry("customers"),)

    def categories_for(self, table: str, columns: list[str]) -> frozenset[Category]:
        return frozenset({Category.LOCATION_GEO}) if "city" in columns else frozenset()


def test_data_map_answers_for_the_tables_it_describes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inventory = types.ModuleType("breachdesk.inventory")
    inventory.read_data_map = lambda store: _DataMap()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "breachdesk.inventory", inventory)
    ws = make_workspace(tmp_path / "ws", 5)
    categories = category_map(ws)
    assert categories.origin == "data map"
    # Described: the data map's answer plus the person source's declared columns.
    assert categories.categories("customers", ["city", "email", "phone"]) == {
        Category.LOCATION_GEO,
        Category.CONTACT_EMAIL,
    }
    # Not described: the fallback.
    assert categories.categories("orders", ["customer_id"]) == {Category.ACCOUNT_ID}
    ws.close()


def test_masks_round_trip() -> None:
    chosen = [Category.CONTACT_EMAIL, Category.HEALTH_ANY, Category.ACCOUNT_ID]
    assert set(mask_categories(category_mask(chosen))) == set(chosen)
    assert mask_categories(0) == []
