"""What the catalog does; every function here is exported to the other services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Request
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from .db import get_session
from .errors import InsufficientStock
from .models import Category, Product
from .pricing import PriceFrozen


def add_category(name: str) -> int:
    category = Category(name=name)
    get_session().add(category)
    get_session().flush()
    return category.id


def rename_category(category_id: int, name: str) -> None:
    category = get_session().get(Category, category_id)
    assert category is not None
    category.name = name


def add_product(
    session: Session, name: str, stock: int, price: Decimal, category_id: int | None = None
) -> int:
    """Takes the caller's session: the catalog's own stands in for it."""
    product = Product(name=name, stock=stock, price=price, category_id=category_id)
    session.add(product)
    session.flush()
    return product.id


def get_product(product_id: int) -> Product | None:
    return get_session().get(Product, product_id)


def reserve(product_id: int, quantity: int) -> int:
    product = get_session().get(Product, product_id)
    assert product is not None
    if product.stock < quantity:
        raise InsufficientStock(product_id, wanted=quantity, available=product.stock)
    product.stock -= quantity
    return product.stock


def set_price(product_id: int, price: Decimal) -> None:
    raise PriceFrozen(f"the price of product {product_id} is frozen")


def current_user(request: Request) -> str | None:
    """Auth-dependent code: reads the header the caller's request carried."""
    return request.headers.get("Authorization")


def describe(product: Product) -> dict[str, Any]:
    """Handed a record the caller got from us: here it must be a real row again."""
    return {
        "class": f"{type(product).__module__}.{type(product).__qualname__}",
        "persistent": inspect(product).persistent,
        "stock": product.stock,
    }
