"""The demo workspace's ``breachdesk.toml``: sources, exposure map, brand, people, canaries."""

from __future__ import annotations

import json

from breachdesk.demo.attack import API_COLUMNS
from breachdesk.demo.world import BRAND_DOMAIN

CUSTOMER_COLUMNS = (
    "id",
    "full_name",
    "email",
    "phone",
    "city",
    "region",
    "postal_code",
    "country",
    "preferred_language",
    "created_at",
    "updated_at",
    "marketing_opt_in",
)
ORDER_COLUMNS = (
    "id",
    "customer_id",
    "placed_at",
    "total_cents",
    "currency",
    "status",
    "ship_city",
    "ship_country",
)
_TABLES = (
    ("customers", "id", CUSTOMER_COLUMNS),
    ("orders", "id", ORDER_COLUMNS),
    ("credentials", "customer_id", ("customer_id", "password_hash", "updated_at")),
    (
        "payment_methods",
        "id",
        ("id", "customer_id", "token", "brand", "last4", "exp_month", "exp_year"),
    ),
    (
        "marketing_export_2019",
        None,
        ("full_name", "email", "birth_date", "card_number", "cvv", "card_expiry", "password"),
    ),
)


def _list(values: tuple[str, ...]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def settings_text(seed: int, canaries: dict[int, str]) -> str:
    api = _list(API_COLUMNS)
    parts = [
        f"""# Breachdesk settings for the Maison Aurelle demo, written by
# 'breachdesk demo generate' (seed {seed}). Reference: docs/configuration.md

engine = "duckdb"

[controller]
name = "Maison Aurelle SAS"
country = "FR"
contact_email = "dpo@{BRAND_DOMAIN}"

[brand]
name = "Maison Aurelle"
domains = ["{BRAND_DOMAIN}"]

# The customers table of the shop's database (a SQLite copy, opened read-only).
[person_source]
url = "sqlite:///shop.db"
table = "customers"
key = "id"
email = "email"
name = "full_name"
language = "preferred_language"
country = "country"
region = "region"
postal_code = "postal_code"

# nginx in Paris writes local time with its offset.
[[sources]]
name = "nginx"
format = "nginx"
paths = ["logs/nginx"]
timezone = "Europe/Paris"

[[sources]]
name = "gateway"
format = "jsonl"
paths = ["logs/gateway"]

[sources.fields]
time = "ts"
principal = "principal"
src_ip = "client_ip"
method = "method"
path = "path"
query = "query"
status = "status"
bytes = "bytes"
user_agent = "user_agent"
rows = "rows"

[[sources]]
name = "pgaudit"
format = "pgaudit"
paths = ["logs/pgaudit"]
log_format = "%m %u %d [%p]: "

# What the API returns for a customer, and which rows each route reads.
[[exposure]]
route = "/api/v1/customers/{{id}}"
table = "customers"
key = "id"
kind = "object"
columns = {api}

[[exposure]]
route = "/api/v1/customers"
table = "customers"
key = "id"
kind = "list"
order_by = "id"
page_param = "page"
size_param = "per_page"
columns = {api}

[[exposure]]
route = "/api/v1/customers/search"
table = "customers"
key = "id"
kind = "search"
columns = {api}

[[exposure]]
route = "/api/v1/orders/{{id}}"
table = "orders"
key = "id"
kind = "object"
columns = {_list(ORDER_COLUMNS)}

# Direct database access: a statement's own columns say what it read.
"""
    ]
    for table, key, columns in _TABLES:
        parts.append(f'[[exposure]]\ntable = "{table}"\n')
        if key:
            parts.append(f'key = "{key}"\n')
        parts.append(f'kind = "table"\ncolumns = {_list(columns)}\n\n')
    parts.append("# Planted customers: any use of them proves the data left the house.\n")
    for customer_id, email in sorted(canaries.items()):
        parts.append(
            f'[[canaries]]\nkey = "{customer_id}"\nemail = "{email}"\n'
            f'note = "canary customer; mail to it reaches the security team"\n\n'
        )
    return "".join(parts).rstrip("\n") + "\n"
