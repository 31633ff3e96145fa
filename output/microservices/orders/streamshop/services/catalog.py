"""Catalog: streamable titles and marketplace products.

Stock levels belong to the catalog too (``Product.stock_quantity``); the
mutation side of stock lives in :mod:`streamshop.services.inventory`.
"""
from __future__ import annotations

import logging
import re
from typing import Any
from streamshop.models.catalog import Product, Title, TitleKind
from streamshop.utils.money import money_dict

logger = logging.getLogger(__name__)

# genre list per database URL -> (expires_at, genres); the list changes rarely.
_GENRE_CACHE: dict[str, tuple[float, list[str]]] = {}
GENRE_CACHE_TTL_SECONDS = 300

SLUG_RE = re.compile(r"[^a-z0-9]+")
MAX_SEARCH_RESULTS = 25

DEMO_TITLES: list[dict[str, Any]] = [
    {"slug": "orbital-drift", "name": "Orbital Drift", "genre": "sci-fi", "release_year": 2021,
     "duration_seconds": 7260, "maturity_rating": "PG-13", "is_prime": True,
     "description": "A salvage crew finds a derelict station that should not exist."},
    {"slug": "the-last-harvest", "name": "The Last Harvest", "genre": "drama", "release_year": 2019,
     "duration_seconds": 6540, "maturity_rating": "PG", "is_prime": False,
     "description": "Three generations of a farming family face one bad season."},
    {"slug": "deep-blue-atlas", "name": "Deep Blue Atlas", "genre": "documentary",
     "release_year": 2022, "duration_seconds": 5400, "maturity_rating": "G", "is_prime": True,
     "description": "Mapping the ocean floor with autonomous submarines."},
    {"slug": "laugh-track", "name": "Laugh Track", "genre": "comedy", "release_year": 2020,
     "duration_seconds": 5880, "maturity_rating": "PG-13", "is_prime": False,
     "description": "A sitcom writer's room falls apart during the final season."},
    {"slug": "paper-lanterns", "name": "Paper Lanterns", "genre": "animation",
     "release_year": 2018, "duration_seconds": 5640, "maturity_rating": "G", "is_prime": False,
     "description": "A lantern maker's apprentice travels through the spirit market."},
    {"slug": "night-shift-protocol", "name": "Night Shift Protocol", "genre": "thriller",
     "release_year": 2023, "duration_seconds": 6900, "maturity_rating": "R", "is_prime": True,
     "description": "A hospital security guard uncovers a data heist at 3 a.m."},
    {"slug": "galaxy-garage-s1e1", "name": "Galaxy Garage: Pilot", "genre": "sci-fi",
     "kind": TitleKind.EPISODE, "series_name": "Galaxy Garage", "season_number": 1,
     "episode_number": 1, "release_year": 2022, "duration_seconds": 2580,
     "maturity_rating": "PG", "is_prime": True,
     "description": "Two mechanics open a repair shop for starships."},
    {"slug": "galaxy-garage-s1e2", "name": "Galaxy Garage: Warp Coils", "genre": "sci-fi",
     "kind": TitleKind.EPISODE, "series_name": "Galaxy Garage", "season_number": 1,
     "episode_number": 2, "release_year": 2022, "duration_seconds": 2640,
     "maturity_rating": "PG", "is_prime": True,
     "description": "A customer's warp coil is not what it seems."},
    {"slug": "kitchen-confidential-live", "name": "Kitchen Rush", "genre": "reality",
     "release_year": 2021, "duration_seconds": 3000, "maturity_rating": "PG", "is_prime": False,
     "description": "Eight line cooks, one dinner service, no second chances."},
    {"slug": "mountain-echoes", "name": "Mountain Echoes", "genre": "documentary",
     "release_year": 2017, "duration_seconds": 4980, "maturity_rating": "G", "is_prime": False,
     "description": "A year with the shepherds of the high Pyrenees."},
    {"slug": "signal-lost", "name": "Signal Lost", "genre": "sci-fi", "release_year": 2016,
     "duration_seconds": 6120, "maturity_rating": "PG-13", "is_prime": False,
     "description": "A radio astronomer receives a message from her own future."},
    {"slug": "quiet-harbour", "name": "Quiet Harbour", "genre": "drama", "release_year": 2023,
     "duration_seconds": 6300, "maturity_rating": "PG-13", "is_prime": True,
     "description": "A ferry captain's last summer on the island route."},
]

DEMO_PRODUCTS: list[dict[str, Any]] = [
    {"sku": "MERCH-OD-POSTER", "name": "Orbital Drift Poster", "category": "merch",
     "price_cents": 1999, "stock_quantity": 5000, "related_title": "orbital-drift",
     "description": "24x36 in. matte print of the theatrical poster."},
    {"sku": "MERCH-OD-OST", "name": "Orbital Drift Soundtrack (Vinyl)", "category": "music",
     "price_cents": 3499, "stock_quantity": 3000, "related_title": "orbital-drift",
     "description": "Double LP of the original score."},
    {"sku": "MERCH-GG-MUG", "name": "Galaxy Garage Mug", "category": "merch",
     "price_cents": 1499, "stock_quantity": 5000, "related_title": "galaxy-garage-s1e1",
     "description": "Ceramic mug with the garage's logo."},
    {"sku": "BOOK-DBA", "name": "Deep Blue Atlas: The Book", "category": "books",
     "price_cents": 2999, "stock_quantity": 2500, "related_title": "deep-blue-atlas",
     "description": "Photography and field notes from the expedition."},
    {"sku": "ELEC-STREAMSTICK", "name": "StreamStick 4K", "category": "electronics",
     "price_cents": 4999, "stock_quantity": 4000,
     "description": "HDMI streaming stick with voice remote."},
    {"sku": "ELEC-HEADPHONES", "name": "Noise-Cancelling Headphones", "category": "electronics",
     "price_cents": 12999, "stock_quantity": 1500,
     "description": "Over-ear headphones, 30 hour battery."},
    {"sku": "HOME-POPCORN", "name": "Movie Night Popcorn Kit", "category": "home",
     "price_cents": 2499, "stock_quantity": 5000,
     "description": "Popcorn maker, kernels and seasoning."},
    {"sku": "HOME-BLANKET", "name": "Couch Blanket", "category": "home",
     "price_cents": 3999, "stock_quantity": 3000,
     "description": "Oversized fleece blanket."},
    {"sku": "MERCH-PL-LANTERN", "name": "Paper Lanterns Lamp", "category": "merch",
     "price_cents": 2799, "stock_quantity": 2000, "related_title": "paper-lanterns",
     "description": "Folding paper lamp inspired by the film."},
    {"sku": "BOOK-SIGNAL", "name": "Signal Lost: Novelisation", "category": "books",
     "price_cents": 1599, "stock_quantity": 2500, "related_title": "signal-lost",
     "description": "The novel the film was adapted from."},
    {"sku": "MERCH-NSP-HOODIE", "name": "Night Shift Protocol Hoodie", "category": "merch",
     "price_cents": 4499, "stock_quantity": 2000, "related_title": "night-shift-protocol",
     "description": "Black hoodie with reflective print."},
    {"sku": "HOME-PROJECTOR", "name": "Pocket Projector", "category": "electronics",
     "price_cents": 18999, "stock_quantity": 800,
     "description": "720p battery projector for movie nights anywhere."},
]


# get_products_by_ids moved to the catalog service: calls go over HTTP (service_clients/catalog.py).
from service_clients.catalog import get_products_by_ids


# seed_demo_catalog moved to the catalog service: calls go over HTTP (service_clients/catalog.py).
from service_clients.catalog import seed_demo_catalog


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
