"""Streamable titles and purchasable products."""
from __future__ import annotations
from enum import StrEnum


class TitleKind(StrEnum):
    MOVIE = "movie"
    EPISODE = "episode"


# Title belongs to the catalog service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Title(RemoteRecord):
    """A read-only record of the catalog service's ``Title``."""

    __monosplit_service__ = "catalog"


# Product belongs to the catalog service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Product(RemoteRecord):
    """A read-only record of the catalog service's ``Product``."""

    __monosplit_service__ = "catalog"
