"""The catalog's functions, which now run in the catalog service."""

from __future__ import annotations

from monosplit_runtime import ServiceClient

_catalog = ServiceClient("catalog", "CATALOG_URL", "http://catalog:8000")

add_product = _catalog.function("shop.catalog.add_product", idempotent=False)
get_product = _catalog.function("shop.catalog.get_product", idempotent=True)
reserve = _catalog.function("shop.catalog.reserve", idempotent=False)
set_price = _catalog.function("shop.catalog.set_price", idempotent=False)
current_user = _catalog.function("shop.catalog.current_user", idempotent=True)
describe = _catalog.function("shop.catalog.describe", idempotent=True)
