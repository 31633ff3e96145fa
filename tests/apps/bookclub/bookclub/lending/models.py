"""Loans."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from bookclub.database import Base


class LoanStatus(enum.StrEnum):
    """Where a loan stands.  ``OVERDUE`` is derived, never stored."""

    ACTIVE = "active"
    OVERDUE = "overdue"
    RETURNED = "returned"


class Loan(Base):
    """One book lent to one member."""

    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"), index=True)
    borrowed_on: Mapped[date]
    due_on: Mapped[date]
    returned_on: Mapped[date | None]
    status: Mapped[LoanStatus] = mapped_column(default=LoanStatus.ACTIVE)
    fine_cents: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Loan {self.id} book={self.book_id} member={self.member_id} {self.status}>"
