"""Reviews: only members who borrowed a book may review it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bookclub.catalog.logic import get_book
from bookclub.database import db_session
from bookclub.errors import AlreadyReviewed, NotEligible, ValidationError
from bookclub.lending.logic import has_borrowed
from bookclub.members.logic import get_member
from bookclub.reviews.models import Review

MIN_RATING, MAX_RATING = 1, 5


@dataclass(frozen=True)
class RatingSummary:
    """All the reviews of one book, with their average rating."""

    book_id: int
    title: str
    reviews: list[dict[str, Any]] = field(default_factory=list)

    @property
    def average_rating(self) -> float | None:
        if not self.reviews:
            return None
        return round(sum(r["rating"] for r in self.reviews) / len(self.reviews), 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "book_id": self.book_id,
            "title": self.title,
            "count": len(self.reviews),
            "average_rating": self.average_rating,
            "reviews": self.reviews,
        }


def review_to_dict(review: Review) -> dict[str, Any]:
    """The public JSON shape of a review."""
    return {
        "id": review.id,
        "book_id": review.book_id,
        "member_id": review.member_id,
        "reviewer": review.reviewer_name,
        "rating": review.rating,
        "text": review.text,
        "created_at": review.created_at.isoformat(timespec="seconds"),
    }


def post_review(book_id: int, member_id: int, rating: int, text: str = "") -> Review:
    """Record a member's review of a book they have borrowed."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not MIN_RATING <= rating <= MAX_RATING:
        raise ValidationError(f"rating must be an integer from {MIN_RATING} to {MAX_RATING}")
    book = get_book(book_id)
    member = get_member(member_id)
    if not has_borrowed(member_id, book_id):
        raise NotEligible(f"{member.name} has not borrowed {book.title!r} and cannot review it")
    existing = db_session.scalar(
        select(Review.id).where(Review.book_id == book_id, Review.member_id == member_id)
    )
    if existing is not None:
        raise AlreadyReviewed(f"{member.name} has already reviewed {book.title!r}")
    review = Review(
        book_id=book_id, member_id=member_id, reviewer_name=member.name, rating=rating, text=text.strip()
    )
    db_session.add(review)
    db_session.commit()
    return review


def reviews_for_book(book_id: int) -> RatingSummary:
    """Every review of a book, oldest first."""
    book = get_book(book_id)
    reviews = db_session.scalars(select(Review).where(Review.book_id == book_id).order_by(Review.id))
    return RatingSummary(book_id=book_id, title=book.title, reviews=[review_to_dict(r) for r in reviews])


def reviews_by_member(member_id: int) -> list[dict[str, Any]]:
    """Every review a member wrote, newest first."""
    reviews = db_session.scalars(
        select(Review).where(Review.member_id == member_id).order_by(Review.id.desc())
    )
    return [review_to_dict(r) for r in reviews]
