"""Authors and books."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bookclub.database import Base


class Author(Base):
    """A writer; one author may have many books on the shelves."""

    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    books: Mapped[list[Book]] = relationship(back_populates="author")


class Book(Base):
    """One physical copy of a book."""

    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300), index=True)
    isbn: Mapped[str | None] = mapped_column(String(17))
    year: Mapped[int | None]
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    on_loan: Mapped[bool] = mapped_column(default=False)

    author: Mapped[Author] = relationship(back_populates="books")

    def __repr__(self) -> str:
        return f"<Book {self.id} {self.title!r}>"
