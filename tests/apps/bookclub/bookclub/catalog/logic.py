"""The catalog: adding, finding and tracking the availability of books."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from bookclub.catalog.models import Author, Book
from bookclub.database import db_session
from bookclub.errors import NotAvailable, NotFound, ValidationError


def _author_named(name: str) -> Author:
    """Find an author by exact name, creating the record on first use."""
    author = db_session.scalar(select(Author).where(Author.name == name))
    if author is None:
        author = Author(name=name)
        db_session.add(author)
    return author


def add_book(title: str, author_name: str, isbn: str | None = None, year: int | None = None) -> Book:
    """Put a new copy of a book on the shelves."""
    title, author_name = title.strip(), author_name.strip()
    if not title or not author_name:
        raise ValidationError("title and author are required")
    if isbn is not None:
        isbn = isbn.replace("-", "").strip()
        if not (isbn.isdigit() and len(isbn) in (10, 13)):
            raise ValidationError(f"isbn must have 10 or 13 digits, got {isbn!r}")
    book = Book(title=title, author=_author_named(author_name), isbn=isbn, year=year)
    db_session.add(book)
    db_session.commit()
    return book


def get_book(book_id: int) -> Book:
    """Return the book with this id, or raise :class:`NotFound`."""
    book = db_session.get(Book, book_id)
    if book is None:
        raise NotFound(f"book {book_id} does not exist")
    return book


def search_books(query: str | None = None, available_only: bool = False) -> list[Book]:
    """Books whose title or author contains ``query`` (case-insensitive), by title."""
    statement = select(Book).join(Book.author).order_by(Book.title, Book.id)
    if query:
        pattern = f"%{query.strip()}%"
        statement = statement.where(or_(Book.title.ilike(pattern), Author.name.ilike(pattern)))
    if available_only:
        statement = statement.where(Book.on_loan.is_(False))
    return list(db_session.scalars(statement))


def mark_on_loan(book_id: int, on_loan: bool) -> None:
    """Record that a book left (``True``) or came back to (``False``) the shelves.

    Raises :class:`NotAvailable` when lending a book that is already out.
    """
    book = get_book(book_id)
    if on_loan and book.on_loan:
        raise NotAvailable(f"{book.title!r} is already on loan")
    book.on_loan = on_loan
    db_session.commit()


def book_to_dict(book: Book) -> dict[str, Any]:
    """The public JSON shape of a book."""
    return {
        "id": book.id,
        "title": book.title,
        "author": book.author.name,
        "isbn": book.isbn,
        "year": book.year,
        "available": not book.on_loan,
    }
