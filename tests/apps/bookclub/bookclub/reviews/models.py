"""Book reviews."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bookclub.database import Base


class Review(Base):
    """A member's rating (1-5) and opinion of a book.  One per member and book."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("book_id", "member_id", name="uq_reviews_book_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    reviewer_name: Mapped[str] = mapped_column(String(120))
    rating: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC).replace(tzinfo=None))
