"""Catalog: streamable titles and marketplace products.

Stock levels belong to the catalog too (``Product.stock_quantity``); the
mutation side of stock lives in :mod:`streamshop.services.inventory`.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from streamshop.config import get_settings
from streamshop.models.catalog import Product, Title, TitleKind
from streamshop.utils.errors import Conflict, NotFound
from streamshop.utils.money import money_dict
from streamshop.utils.pagination import Page, paginate
from streamshop.utils.validation import (
    ValidationError,
    coerce_int,
    optional_str,
    require_fields,
)

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


def slugify(value: str) -> str:
    return SLUG_RE.sub("-", value.lower()).strip("-")


def list_titles(
    session: Session,
    *,
    page: int,
    per_page: int,
    kind: str | None = None,
    genre: str | None = None,
    prime: bool | None = None,
) -> Page[Title]:
    stmt = select(Title).order_by(Title.name, Title.id)
    if kind is not None:
        if kind not in {k.value for k in TitleKind}:
            raise ValidationError(f"unknown title kind {kind!r}")
        stmt = stmt.where(Title.kind == kind)
    if genre:
        stmt = stmt.where(Title.genre == genre.lower())
    if prime is not None:
        stmt = stmt.where(Title.is_prime.is_(prime))
    return paginate(session, stmt, page, per_page)


def get_title(session: Session, title_id: int) -> Title:
    title = session.get(Title, title_id)
    if title is None:
        raise NotFound(f"title {title_id} not found")
    return title


def get_titles_by_ids(session: Session, title_ids: Iterable[int]) -> dict[int, Title]:
    ids = set(title_ids)
    if not ids:
        return {}
    return {title.id: title for title in session.scalars(select(Title).where(Title.id.in_(ids)))}


def list_products(
    session: Session,
    *,
    page: int,
    per_page: int,
    category: str | None = None,
    in_stock: bool | None = None,
    max_price_cents: int | None = None,
) -> Page[Product]:
    stmt = select(Product).where(Product.is_active.is_(True)).order_by(Product.name, Product.id)
    if category:
        stmt = stmt.where(Product.category == category.lower())
    if in_stock is True:
        stmt = stmt.where(Product.stock_quantity > 0)
    elif in_stock is False:
        stmt = stmt.where(Product.stock_quantity == 0)
    if max_price_cents is not None:
        stmt = stmt.where(Product.price_cents <= max_price_cents)
    return paginate(session, stmt, page, per_page)


def get_product(session: Session, product_id: int, *, include_inactive: bool = False) -> Product:
    product = session.get(Product, product_id)
    if product is None or (not product.is_active and not include_inactive):
        raise NotFound(f"product {product_id} not found")
    return product


def get_products_by_ids(session: Session, product_ids: Iterable[int]) -> dict[int, Product]:
    ids = set(product_ids)
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}


def products_for_titles(session: Session, title_ids: Iterable[int]) -> list[Product]:
    """Active merchandise linked to any of ``title_ids``."""
    ids = set(title_ids)
    if not ids:
        return []
    stmt = (
        select(Product)
        .where(Product.related_title_id.in_(ids), Product.is_active.is_(True))
        .order_by(Product.id)
    )
    return list(session.scalars(stmt))


def search_catalog(
    session: Session, query: str, *, limit: int = MAX_SEARCH_RESULTS
) -> dict[str, Any]:
    """Case-insensitive substring search over titles and active products."""
    query = query.strip()
    if len(query) < 2:
        raise ValidationError("search query must be at least 2 characters")
    pattern = f"%{query.replace('%', '').replace('_', '')}%"
    titles = session.scalars(
        select(Title)
        .where(
            or_(
                Title.name.ilike(pattern),
                Title.description.ilike(pattern),
                Title.series_name.ilike(pattern),
                Title.genre.ilike(pattern),
            )
        )
        .order_by(Title.name)
        .limit(limit)
    ).all()
    products = session.scalars(
        select(Product)
        .where(
            Product.is_active.is_(True),
            or_(Product.name.ilike(pattern), Product.description.ilike(pattern)),
        )
        .order_by(Product.name)
        .limit(limit)
    ).all()
    return {
        "query": query,
        "titles": [serialize_title(title) for title in titles],
        "products": [serialize_product(product) for product in products],
    }


def list_genres(session: Session) -> list[str]:
    cache_key = str(session.get_bind().engine.url)
    cached = _GENRE_CACHE.get(cache_key)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    genres = sorted(session.scalars(select(Title.genre).distinct()))
    _GENRE_CACHE[cache_key] = (now + GENRE_CACHE_TTL_SECONDS, genres)
    return genres


def invalidate_catalog_cache() -> None:
    _GENRE_CACHE.clear()


def _optional_int(data: Mapping[str, Any], field: str) -> int | None:
    value = data.get(field)
    return None if value is None else coerce_int(value, field, minimum=1)


def create_title(session: Session, data: Mapping[str, Any]) -> Title:
    require_fields(data, "name", "genre", "release_year", "duration_seconds")
    name = optional_str(data, "name", max_length=200) or ""
    slug = slugify(optional_str(data, "slug", max_length=120) or name)
    if session.scalars(select(Title.id).where(Title.slug == slug)).first() is not None:
        raise Conflict(f"title slug {slug!r} already exists")
    kind = data.get("kind", TitleKind.MOVIE)
    if kind not in {k.value for k in TitleKind}:
        raise ValidationError(f"unknown title kind {kind!r}")
    title = Title(
        slug=slug,
        name=name,
        kind=kind,
        genre=(optional_str(data, "genre", max_length=40) or "").lower(),
        release_year=coerce_int(data["release_year"], "release_year", minimum=1888, maximum=2100),
        duration_seconds=coerce_int(data["duration_seconds"], "duration_seconds", minimum=1),
        maturity_rating=optional_str(data, "maturity_rating", max_length=10) or "PG",
        is_prime=bool(data.get("is_prime", False)),
        description=optional_str(data, "description", max_length=5000) or "",
        series_name=optional_str(data, "series_name", max_length=200),
        season_number=_optional_int(data, "season_number"),
        episode_number=_optional_int(data, "episode_number"),
    )
    session.add(title)
    session.commit()
    invalidate_catalog_cache()
    return title


def create_product(session: Session, data: Mapping[str, Any]) -> Product:
    require_fields(data, "sku", "name", "category", "price_cents")
    sku = (optional_str(data, "sku", max_length=40) or "").upper()
    if session.scalars(select(Product.id).where(Product.sku == sku)).first() is not None:
        raise Conflict(f"sku {sku!r} already exists")
    related_title_id: int | None = None
    if data.get("related_title_id") is not None:
        related_title_id = get_title(
            session, coerce_int(data["related_title_id"], "related_title_id")
        ).id
    product = Product(
        sku=sku,
        name=optional_str(data, "name", max_length=200) or "",
        description=optional_str(data, "description", max_length=5000) or "",
        category=(optional_str(data, "category", max_length=40) or "").lower(),
        price_cents=coerce_int(data["price_cents"], "price_cents", minimum=0),
        currency=get_settings().currency,
        stock_quantity=coerce_int(data.get("stock_quantity", 0), "stock_quantity", minimum=0),
        related_title_id=related_title_id,
    )
    session.add(product)
    session.commit()
    return product


def update_product(session: Session, product_id: int, data: Mapping[str, Any]) -> Product:
    """Admin edit of price, name, description or the active flag (not stock)."""
    product = get_product(session, product_id, include_inactive=True)
    if "price_cents" in data:
        product.price_cents = coerce_int(data["price_cents"], "price_cents", minimum=0)
    name = optional_str(data, "name", max_length=200)
    if name:
        product.name = name
    description = optional_str(data, "description", max_length=5000)
    if description is not None:
        product.description = description
    if "is_active" in data:
        product.is_active = bool(data["is_active"])
    session.commit()
    return product


def seed_demo_catalog(session: Session) -> int:
    """Insert the demo titles and products that are missing; returns how many were added."""
    currency = get_settings().currency
    existing_slugs = set(session.scalars(select(Title.slug)))
    added = 0
    for spec in DEMO_TITLES:
        if spec["slug"] not in existing_slugs:
            session.add(Title(**spec))
            added += 1
    session.flush()
    rows = session.execute(select(Title.slug, Title.id))
    title_ids: dict[str, int] = {slug: title_id for slug, title_id in rows}
    existing_skus = set(session.scalars(select(Product.sku)))
    for spec in DEMO_PRODUCTS:
        if spec["sku"] in existing_skus:
            continue
        fields = {key: value for key, value in spec.items() if key != "related_title"}
        related = spec.get("related_title")
        session.add(
            Product(
                **fields,
                currency=currency,
                related_title_id=title_ids.get(related) if related else None,
            )
        )
        added += 1
    session.commit()
    if added:
        invalidate_catalog_cache()
        logger.info("seeded %d demo catalog rows", added)
    return added


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
