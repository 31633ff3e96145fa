"""Routes of the orders service that use the catalog; each reports what it saw, for the tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, request
from monosplit_runtime import RemoteError, RemoteRecord
from sqlalchemy import inspect, select

from .catalog import add_product, current_user, describe, get_product, reserve, set_price
from .db import cache, get_session
from .errors import InsufficientStock, ShopError
from .models import Category, Product

bp = Blueprint("shop", __name__)


def _class_name(value: object) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


@bp.post("/products")
def create_product() -> dict[str, Any]:
    body = request.get_json()
    session = get_session()
    product_id = add_product(
        session,
        body["name"],
        body["stock"],
        Decimal(body["price"]),
        category_id=body.get("category_id"),
    )
    # the catalog's write is part of this request's transaction: it commits with this session
    session.commit()
    return {"id": product_id}


@bp.get("/products/<int:product_id>")
def show_product(product_id: int) -> dict[str, Any]:
    product = get_product(product_id)
    category = product.category
    try:
        product.stock = 0
        read_only = ""
    except AttributeError as exc:
        read_only = str(exc)
    return {
        "class": _class_name(product),
        "is_stub": isinstance(product, Product),
        "is_record": isinstance(product, RemoteRecord),
        "name": product.name,
        "price": str(product.price),
        "price_type": _class_name(product.price),
        "record": repr(product),
        "read_only": read_only,
        "category": {
            "class": _class_name(category),
            "name": category.name,
            "persistent": inspect(category).persistent,
        },
        "described_by_owner": describe(product),
    }


@bp.post("/reserve")
def reserve_stock() -> tuple[dict[str, Any], int]:
    body = request.get_json()
    try:
        return {"left": reserve(body["product_id"], body["quantity"])}, 200
    except InsufficientStock as exc:
        return {
            "caught": _class_name(exc),
            "message": str(exc),
            "available": exc.available,
            "status_code": exc.status_code,
            "remote_service": getattr(exc, "remote_service", None),
            "remote_traceback": getattr(exc, "remote_traceback", ""),
        }, 409


@bp.post("/price")
def change_price() -> tuple[dict[str, Any], int]:
    body = request.get_json()
    try:
        set_price(body["product_id"], Decimal(body["price"]))
    except ShopError as exc:
        return {
            "caught": _class_name(exc),
            "message": str(exc),
            "is_remote_error": isinstance(exc, RemoteError),
            "status_code": exc.status_code,
        }, 200
    return {"caught": None}, 200


@bp.get("/whoami")
def whoami() -> dict[str, Any]:
    return {"seen_by_catalog": current_user(request)}


@bp.get("/categories")
def categories() -> dict[str, Any]:
    names = get_session().scalars(select(Category.name).order_by(Category.id)).all()
    return {"categories": list(names)}


@cache.cached(key_prefix="category-names")
def category_names() -> list[str]:
    # cached as FlaskBB caches its settings: the catalog's code clears it in the catalog only
    return list(get_session().scalars(select(Category.name).order_by(Category.id)).all())


@bp.get("/categories/cached")
def cached_categories() -> dict[str, Any]:
    return {"categories": category_names()}
