"""Streamable titles and purchasable products."""
from __future__ import annotations
from enum import StrEnum


class TitleKind(StrEnum):
    MOVIE = "movie"
    EPISODE = "episode"


# Title belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Title(RemoteRecord):
    """A read-only record of the server service's ``Title``."""

    __monosplit_service__ = "server"


# Product belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class Product(RemoteRecord):
    """A read-only record of the server service's ``Product``."""

    __monosplit_service__ = "server"
