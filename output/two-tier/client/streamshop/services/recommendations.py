"""Recommendations for titles and products.

Scores blend three signals: the user's genre affinity (from watch history and
profile), global popularity (reporting queries over ``watch_history`` and
``order_items``), and direct links such as merchandise of watched titles.
"""
from __future__ import annotations

from sqlalchemy import text

from . import account, orders, streaming

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


# recommend_titles moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import recommend_titles


# recommend_products moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import recommend_products


# get_recommendations moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import get_recommendations
