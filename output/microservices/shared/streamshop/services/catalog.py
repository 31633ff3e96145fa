"""Catalog: streamable titles and marketplace products.

Stock levels belong to the catalog too (``Product.stock_quantity``); the
mutation side of stock lives in :mod:`streamshop.services.inventory`.
"""
from __future__ import annotations
from typing import Any
from streamshop.models.catalog import Product, Title, TitleKind
from streamshop.utils.money import money_dict


def serialize_title(title: Title) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": title.id,
        "slug": title.slug,
        "name": title.name,
        "kind": title.kind,
        "genre": title.genre,
        "release_year": title.release_year,
        "duration_seconds": title.duration_seconds,
        "maturity_rating": title.maturity_rating,
        "is_prime": title.is_prime,
        "description": title.description,
    }
    if title.kind == TitleKind.EPISODE:
        data.update(
            series_name=title.series_name,
            season_number=title.season_number,
            episode_number=title.episode_number,
        )
    return data


def serialize_product(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "price": money_dict(product.price_cents, product.currency),
        "price_cents": product.price_cents,
        "currency": product.currency,
        "stock_quantity": product.stock_quantity,
        "in_stock": product.stock_quantity > 0,
        "is_active": product.is_active,
        "related_title_id": product.related_title_id,
    }
