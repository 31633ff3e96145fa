"""The orders service's view of the catalog's tables."""

from __future__ import annotations

from monosplit_runtime import RemoteRecord
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base


class Category(Base):
    """Read replica of the catalog's table: the runtime refreshes it from the catalog."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class Product(RemoteRecord):
    """Owned by the catalog service: a read-only record here."""

    __monosplit_service__ = "catalog"
    __tablename__ = "products"
    __monosplit_primary_key__ = ("id",)
