"""Offset pagination for ``select()`` statements and list responses."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from .validation import coerce_int

T = TypeVar("T")

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def to_dict(self, serialize: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
        return {
            "items": [serialize(item) for item in self.items],
            "page": self.page,
            "per_page": self.per_page,
            "total": self.total,
            "pages": self.pages,
            "has_next": self.has_next,
        }


def parse_pagination(
    args: Mapping[str, Any], *, default_per_page: int = DEFAULT_PER_PAGE
) -> tuple[int, int]:
    """Read ``page``/``per_page`` query arguments, clamping per_page to MAX_PER_PAGE."""
    page = coerce_int(args.get("page", 1), "page", minimum=1)
    per_page = coerce_int(args.get("per_page", default_per_page), "per_page", minimum=1)
    return page, min(per_page, MAX_PER_PAGE)


def paginate(session: Session, stmt: Select[Any], page: int, per_page: int) -> Page[Any]:
    """Run ``stmt`` for one page and count the full result set."""
    count_stmt = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = session.execute(count_stmt).scalar_one()
    items = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=items, page=page, per_page=per_page, total=total)
