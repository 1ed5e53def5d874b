"""The exposure map: route templates, specificity, object ids, tables, actions."""

from __future__ import annotations

import pyarrow as pa
import pytest

from breachdesk.config import Exposure
from breachdesk.errors import ConfigError
from breachdesk.ingest.routes import ExposureMap, http_actions, normalise_paths

from .samples import exposure_map


def test_map_paths_prefers_the_most_specific_route() -> None:
    mapped = exposure_map().map_paths(
        pa.array(
            [
                "/api/v1/customers/search",
                "/api/v1/customers/12",
                "/api/v1/customers/",
                "/api/v1/customers/12/notes",
                "/api/v1/orders/x9",
                None,
            ]
        )
    )
    assert mapped.route.to_pylist() == [
        "/api/v1/customers/search",
        "/api/v1/customers/{id}",
        "/api/v1/customers",
        "/api/v1/customers/{id}/notes",
        "/api/v1/orders/{id}",
        None,
    ]
    assert mapped.resource.to_pylist() == [
        "customers",
        "customers",
        "customers",
        None,
        "orders",
        None,
    ]
    assert mapped.object_id.to_pylist() == [None, "12", None, None, "x9", None]
    assert mapped.kind.to_pylist() == ["search", "object", "list", None, "object", None]


def test_map_paths_object_id_is_the_placeholder_named_by_the_key() -> None:
    exposure = Exposure(
        route="/api/v1/customers/{customer}/orders/{id}", table="orders", key="id", columns=["id"]
    )
    mapped = ExposureMap([exposure]).map_paths(pa.array(["/api/v1/customers/4/orders/99"]))
    assert mapped.object_id.to_pylist() == ["99"]


def test_normalise_paths_replaces_id_segments() -> None:
    paths = pa.array(
        [
            "/a/1/2",
            "/p/123e4567-e89b-12d3-a456-426614174000",
            "/h/deadbeefdeadbeef00",
            "/v2/x",
            "/",
            "/api/v1/products/MA-BAG-0001",
            "/en/products/pochette-solene-noir-ma-bag-0001",
            "/static/app.3f9a.js",
        ]
    )
    assert normalise_paths(paths).to_pylist() == [
        "/a/{id}/{id}",
        "/p/{id}",
        "/h/{id}",
        "/v2/x",
        "/",
        "/api/v1/products/{id}",
        "/en/products/{id}",
        "/static/app.3f9a.js",
    ]


def test_map_tables_strips_schema_and_quotes() -> None:
    tables = exposure_map().map_tables(pa.array(['public."Customers"', "shop.orders", "CUSTOMERS"]))
    assert tables.to_pylist() == ["customers", "orders", "customers"]


def test_http_actions_by_method_and_kind() -> None:
    methods = pa.array(["GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"])
    kinds = pa.array(["object", "list", "search", "list", "search", None, "object", None, None])
    assert http_actions(methods, kinds).to_pylist() == [
        "read",
        "list",
        "search",
        "create",
        "search",
        "update",
        "delete",
        "read",
        None,
    ]


def test_compile_route_rejects_unusable_templates() -> None:
    with pytest.raises(ConfigError, match="start with"):
        ExposureMap([Exposure(route="api/x", table="t", columns=["a"])])
    with pytest.raises(ConfigError, match="no \\{id\\}"):
        ExposureMap([Exposure(route="/api/x", table="t", kind="object", columns=["a"])])
