"""Derived columns: networks of addresses, peer-group globs."""

from __future__ import annotations

import ipaddress

import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.detect.observations import _names_table, _table_name, glob_regex, network_of

_CON = ibis.duckdb.connect()


def _networks(addresses: list[str]) -> list[str | None]:
    table = ibis.memtable({"ip": addresses}, schema={"ip": "string"})
    result = _CON.to_pyarrow(table.select(net=network_of(table.ip)))
    return [value for value in result.column("net").to_pylist()]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.ip_addresses(), min_size=1, max_size=30))
def test_network_of_matches_ipaddress(addresses: list[ipaddress._BaseAddress]) -> None:
    texts = [str(a) for a in addresses]
    for address, found in zip(addresses, _networks(texts), strict=True):
        prefix = 24 if address.version == 4 else 48
        expected = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
        assert found is not None, address
        assert ipaddress.ip_network(found) == expected, (address, found)


@pytest.mark.parametrize("text", ["", "unknown", "-", "999", "1.2.3", "fe80::1%eth0x"])
def test_network_of_is_null_for_non_addresses(text: str) -> None:
    found = _networks([text])[0]
    assert found is None or found.endswith("/48")


@pytest.mark.parametrize(
    ("glob", "principal", "matches"),
    [
        ("agent:*", "agent:jmartin", True),
        ("agent:*", "xagent:jmartin", False),
        ("svc_?rm_sync", "svc_crm_sync", True),
        ("db.role+x", "db.role+x", True),
        ("db.role+x", "dbxrole+x", False),
    ],
)
def test_glob_regex_anchors_and_escapes(glob: str, principal: str, matches: bool) -> None:
    import re

    assert bool(re.search(glob_regex(glob), principal)) is matches


def test_person_tables_from_exposure_columns_or_configuration() -> None:
    from breachdesk.config import Settings
    from breachdesk.detect.observations import person_tables

    exposure = [
        {
            "route": "/api/v1/products/{id}",
            "table": "products",
            "columns": ["id", "sku", "name", "price_cents"],
        },
        {
            "route": "/api/v1/orders/{id}",
            "table": "public.orders",
            "columns": ["id", "customer_id", "total_cents"],
        },
        {"table": "marketing_export_2019", "kind": "table", "columns": ["full_name", "email"]},
    ]
    settings = Settings(person_source={"table": "customers"}, exposure=exposure)
    assert person_tables(settings) == ("customers", "marketing_export_2019", "orders")
    chosen = Settings(exposure=exposure, detect={"person_tables": ["Public.Clients"]})
    assert person_tables(chosen) == ("clients",)


def test_resources_name_person_tables_in_any_case_with_or_without_a_schema() -> None:
    resources = [
        "customers",
        "Customers",
        "public.customers",
        "PUBLIC.CUSTOMERS",
        "orders",
        "shop.Orders",
        "customers_archive",
        "xcustomers",
        "products",
        "",
        None,
    ]
    table = ibis.memtable({"resource": resources}, schema={"resource": "string"})
    tables = ("customers", "orders")
    result = _CON.to_pyarrow(
        table.select(
            named=_names_table(table.resource, tables).fill_null(False),
            name=_table_name(table.resource, tables),
        )
    )
    expected = ["customers"] * 4 + ["orders"] * 2 + [None] * 5
    assert result.column("name").to_pylist() == expected
    assert result.column("named").to_pylist() == [name is not None for name in expected]
