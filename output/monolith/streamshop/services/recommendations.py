"""Recommendations for titles and products.

Scores blend three signals: the user's genre affinity (from watch history and
profile), global popularity (reporting queries over ``watch_history`` and
``order_items``), and direct links such as merchandise of watched titles.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from streamshop.config import get_settings
from streamshop.models.catalog import Product, Title
from streamshop.utils.timeutil import isoformat, utcnow

from . import account, orders, streaming
from .catalog import get_products_by_ids, products_for_titles, serialize_product, serialize_title

# (database url, query name, limit) -> (expires_at, ids).  Popularity moves slowly.
_POPULARITY_CACHE: dict[tuple[str, str, int], tuple[float, list[int]]] = {}
POPULARITY_TTL_SECONDS = 60
CANDIDATE_POOL_SIZE = 200

GENRE_AFFINITY_SQL = text(
    """
    SELECT t.genre AS genre, SUM(wh.seconds_watched) AS seconds, COUNT(*) AS titles
    FROM watch_history wh
    JOIN titles t ON t.id = wh.title_id
    WHERE wh.user_id = :user_id
    GROUP BY t.genre
    """
)

POPULAR_TITLES_SQL = text(
    """
    SELECT t.id AS title_id,
           COUNT(DISTINCT wh.user_id) AS viewers,
           COALESCE(SUM(wh.seconds_watched), 0) AS seconds
    FROM titles t
    LEFT JOIN watch_history wh ON wh.title_id = t.id
    GROUP BY t.id
    ORDER BY viewers DESC, seconds DESC, t.id ASC
    LIMIT :limit
    """
)

BESTSELLING_PRODUCTS_SQL = text(
    """
    SELECT p.id AS product_id,
           COALESCE(SUM(CASE WHEN o.status = 'paid' THEN oi.quantity ELSE 0 END), 0) AS units
    FROM products p
    LEFT JOIN order_items oi ON oi.product_id = p.id
    LEFT JOIN orders o ON o.id = oi.order_id
    WHERE p.is_active = :active
    GROUP BY p.id
    ORDER BY units DESC, p.id ASC
    LIMIT :limit
    """
)


def _cached_ids(
    session: Session, name: str, limit: int, loader: Callable[[], list[int]]
) -> list[int]:
    key = (str(session.get_bind().engine.url), name, limit)
    now = time.monotonic()
    hit = _POPULARITY_CACHE.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    ids = loader()
    _POPULARITY_CACHE[key] = (now + POPULARITY_TTL_SECONDS, ids)
    return ids


def clear_recommendation_cache() -> None:
    _POPULARITY_CACHE.clear()


def popular_title_ids(session: Session, limit: int = CANDIDATE_POOL_SIZE) -> list[int]:
    return _cached_ids(
        session,
        "titles",
        limit,
        lambda: [row.title_id for row in session.execute(POPULAR_TITLES_SQL, {"limit": limit})],
    )


def bestselling_product_ids(session: Session, limit: int = CANDIDATE_POOL_SIZE) -> list[int]:
    return _cached_ids(
        session,
        "products",
        limit,
        lambda: [
            row.product_id
            for row in session.execute(BESTSELLING_PRODUCTS_SQL, {"active": True, "limit": limit})
        ],
    )


def genre_affinity(session: Session, user_id: int) -> dict[str, float]:
    """Share of viewing time per genre, boosted by the genres in the user's profile."""
    rows = session.execute(GENRE_AFFINITY_SQL, {"user_id": user_id}).all()
    total = sum(int(row.seconds or 0) for row in rows) or 1
    affinity = {row.genre: int(row.seconds or 0) / total for row in rows}
    for genre in account.get_user(session, user_id).genre_list:
        affinity[genre] = affinity.get(genre, 0.0) + 0.5
    return affinity


def _rank_scores(ids: list[int]) -> dict[int, float]:
    """1.0 for the first id, tending to 0 for the last."""
    count = len(ids) or 1
    return {item_id: 1.0 - index / count for index, item_id in enumerate(ids)}


def recommend_titles(session: Session, user_id: int, *, limit: int) -> list[dict[str, Any]]:
    watched = streaming.watched_title_ids(session, user_id)
    affinity = genre_affinity(session, user_id)
    popularity = _rank_scores(popular_title_ids(session))
    watched_series = {
        title.series_name
        for title in session.scalars(select(Title).where(Title.id.in_(watched)))
        if title.series_name
    }
    stmt = select(Title).order_by(Title.id).limit(CANDIDATE_POOL_SIZE)
    if watched:
        stmt = stmt.where(Title.id.not_in(watched))
    candidates = session.scalars(stmt).all()

    scored: list[tuple[float, int, dict[str, Any]]] = []
    for title in candidates:
        genre_score = 2.0 * affinity.get(title.genre, 0.0)
        series_score = 1.5 if title.series_name in watched_series else 0.0
        score = genre_score + series_score + popularity.get(title.id, 0.0)
        if series_score:
            reason = f"more from {title.series_name}"
        elif genre_score:
            reason = f"because you like {title.genre}"
        else:
            reason = "popular on StreamShop"
        scored.append((score, title.id, {"title": serialize_title(title), "reason": reason}))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [{**payload, "score": round(score, 3)} for score, _, payload in scored[:limit]]


def recommend_products(session: Session, user_id: int, *, limit: int) -> list[dict[str, Any]]:
    bought = orders.purchased_product_ids(session, user_id)
    watched = streaming.watched_title_ids(session, user_id)
    bought_categories = {p.category for p in get_products_by_ids(session, bought).values()}
    bestsellers = bestselling_product_ids(session)
    popularity = _rank_scores(bestsellers)
    titles_by_id = {t.id: t for t in session.scalars(select(Title).where(Title.id.in_(watched)))}

    candidates: dict[int, Product] = {p.id: p for p in products_for_titles(session, watched)}
    candidates.update(get_products_by_ids(session, bestsellers))

    scored: list[tuple[float, int, dict[str, Any]]] = []
    for product in candidates.values():
        if product.id in bought or not product.is_active or product.stock_quantity <= 0:
            continue
        linked_title = titles_by_id.get(product.related_title_id or -1)
        score = popularity.get(product.id, 0.0)
        if linked_title is not None:
            score += 3.0
            reason = f"from {linked_title.name}, which you watched"
        elif product.category in bought_categories:
            score += 1.5
            reason = f"more {product.category} like your past orders"
        else:
            reason = "bestseller"
        payload = {"product": serialize_product(product), "reason": reason}
        scored.append((score, product.id, payload))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [{**payload, "score": round(score, 3)} for score, _, payload in scored[:limit]]


def get_recommendations(
    session: Session, user_id: int, *, limit: int | None = None
) -> dict[str, Any]:
    limit = limit or get_settings().recommendation_limit
    return {
        "titles": recommend_titles(session, user_id, limit=limit),
        "products": recommend_products(session, user_id, limit=limit),
        "generated_at": isoformat(utcnow()),
    }
