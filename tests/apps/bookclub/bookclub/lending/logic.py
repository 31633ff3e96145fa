"""Lending books: the policy (limits, due dates, fines) and the loan workflow.

Lending talks to the catalog and to members only through their functions and
plain ids, so it never touches their tables itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from bookclub import settings
from bookclub.catalog.logic import get_book, mark_on_loan
from bookclub.database import db_session
from bookclub.errors import AlreadyReturned, LimitReached, MemberInactive, NotFound, ValidationError
from bookclub.lending.models import Loan, LoanStatus
from bookclub.members.logic import get_member


class LendingPolicy:
    """The library's rules: how many books, for how long, and what lateness costs."""

    def __init__(self, max_loans: int, loan_days: int, fine_per_day_cents: int, max_fine_cents: int) -> None:
        self.max_loans = max_loans
        self.loan_days = loan_days
        self.fine_per_day_cents = fine_per_day_cents
        self.max_fine_cents = max_fine_cents

    @classmethod
    def from_settings(cls) -> LendingPolicy:
        """The policy configured through ``BOOKCLUB_*`` environment variables."""
        return cls(
            max_loans=settings.MAX_LOANS,
            loan_days=settings.LOAN_DAYS,
            fine_per_day_cents=settings.FINE_PER_DAY_CENTS,
            max_fine_cents=settings.MAX_FINE_CENTS,
        )

    def check_can_borrow(self, member_name: str, loans_out: int) -> None:
        """Raise :class:`LimitReached` when a member already has the maximum out."""
        if loans_out >= self.max_loans:
            raise LimitReached(
                f"{member_name} already has {loans_out} books on loan (limit {self.max_loans})"
            )

    def due_date_for(self, borrowed_on: date) -> date:
        """When a book borrowed on ``borrowed_on`` must be back."""
        return borrowed_on + timedelta(days=self.loan_days)

    def days_overdue(self, due_on: date, on: date) -> int:
        """Whole days past ``due_on`` as of ``on`` (never negative)."""
        return max(0, (on - due_on).days)

    def fine_for(self, due_on: date, returned_on: date) -> int:
        """Late fee in cents for a book due ``due_on`` and back ``returned_on``, capped."""
        return min(self.days_overdue(due_on, returned_on) * self.fine_per_day_cents, self.max_fine_cents)

    def status_of(self, loan: Loan, today: date) -> LoanStatus:
        """The loan's status as of ``today``."""
        if loan.status is LoanStatus.RETURNED:
            return LoanStatus.RETURNED
        return LoanStatus.OVERDUE if today > loan.due_on else LoanStatus.ACTIVE

    def to_dict(self) -> dict[str, int]:
        return {
            "max_loans": self.max_loans,
            "loan_days": self.loan_days,
            "fine_per_day_cents": self.fine_per_day_cents,
            "max_fine_cents": self.max_fine_cents,
        }


policy = LendingPolicy.from_settings()


@dataclass(frozen=True)
class LoanReceipt:
    """A loan as members see it: who, what, when, and what it costs so far."""

    loan_id: int
    member_id: int
    member_name: str
    book_id: int
    book_title: str
    borrowed_on: date
    due_on: date
    returned_on: date | None
    status: LoanStatus
    fine_cents: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.loan_id,
            "member_id": self.member_id,
            "member_name": self.member_name,
            "book_id": self.book_id,
            "book_title": self.book_title,
            "borrowed_on": self.borrowed_on.isoformat(),
            "due_on": self.due_on.isoformat(),
            "returned_on": self.returned_on.isoformat() if self.returned_on else None,
            "status": self.status.value,
            "fine_cents": self.fine_cents,
        }


def _receipt(loan: Loan, today: date | None = None) -> LoanReceipt:
    today = today or date.today()
    member = get_member(loan.member_id)
    book = get_book(loan.book_id)
    status = policy.status_of(loan, today)
    fine = loan.fine_cents if status is LoanStatus.RETURNED else policy.fine_for(loan.due_on, today)
    return LoanReceipt(
        loan_id=loan.id,
        member_id=loan.member_id,
        member_name=member.name,
        book_id=loan.book_id,
        book_title=book.title,
        borrowed_on=loan.borrowed_on,
        due_on=loan.due_on,
        returned_on=loan.returned_on,
        status=status,
        fine_cents=fine,
    )


def _loan(loan_id: int) -> Loan:
    loan = db_session.get(Loan, loan_id)
    if loan is None:
        raise NotFound(f"loan {loan_id} does not exist")
    return loan


def count_open_loans(member_id: int) -> int:
    """How many books the member currently has out."""
    statement = select(func.count(Loan.id)).where(
        Loan.member_id == member_id, Loan.status == LoanStatus.ACTIVE
    )
    return db_session.scalar(statement) or 0


def borrow_book(member_id: int, book_id: int) -> LoanReceipt:
    """Lend a book to a member, enforcing the policy.

    Raises :class:`MemberInactive`, :class:`LimitReached`, and whatever the
    catalog raises (:class:`NotFound`, :class:`NotAvailable`).
    """
    member = get_member(member_id)
    if not member.active:
        raise MemberInactive(f"{member.name}'s membership is not active")
    policy.check_can_borrow(member.name, count_open_loans(member_id))
    get_book(book_id)
    mark_on_loan(book_id, True)
    today = date.today()
    loan = Loan(member_id=member_id, book_id=book_id, borrowed_on=today, due_on=policy.due_date_for(today))
    db_session.add(loan)
    db_session.commit()
    return _receipt(loan, today)


def return_book(loan_id: int) -> LoanReceipt:
    """Close a loan, charging any late fine, and put the book back on the shelf."""
    loan = _loan(loan_id)
    if loan.status is LoanStatus.RETURNED:
        raise AlreadyReturned(f"loan {loan_id} was returned on {loan.returned_on}")
    today = date.today()
    loan.returned_on = today
    loan.fine_cents = policy.fine_for(loan.due_on, today)
    loan.status = LoanStatus.RETURNED
    mark_on_loan(loan.book_id, False)
    db_session.commit()
    return _receipt(loan, today)


def get_loan(loan_id: int) -> LoanReceipt:
    """The loan with this id, with the fine accrued so far."""
    return _receipt(_loan(loan_id))


def backdate_loan(loan_id: int, borrowed_on: date) -> LoanReceipt:
    """Admin correction: record that an open loan actually started on ``borrowed_on``.

    The due date follows from the policy, exactly as if the book had been
    lent that day (used when loans made offline are entered late).
    """
    loan = _loan(loan_id)
    if loan.status is LoanStatus.RETURNED:
        raise AlreadyReturned(f"loan {loan_id} is closed and can no longer be changed")
    if borrowed_on > date.today():
        raise ValidationError("borrowed_on cannot be in the future")
    loan.borrowed_on = borrowed_on
    loan.due_on = policy.due_date_for(borrowed_on)
    db_session.commit()
    return _receipt(loan)


def has_borrowed(member_id: int, book_id: int) -> bool:
    """Whether the member has ever borrowed this book (returned or not)."""
    statement = select(Loan.id).where(Loan.member_id == member_id, Loan.book_id == book_id).limit(1)
    return db_session.scalar(statement) is not None


def loans_for_member(member_id: int) -> list[dict[str, Any]]:
    """Every loan of a member, newest first, as JSON-ready dicts."""
    loans = db_session.scalars(
        select(Loan).where(Loan.member_id == member_id).order_by(Loan.borrowed_on.desc(), Loan.id.desc())
    )
    today = date.today()
    return [_receipt(loan, today).to_dict() for loan in loans]
