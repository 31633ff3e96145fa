"""Catalog endpoints."""

from __future__ import annotations

from typing import Any

from flask import request

from bookclub.auth import admin_required
from bookclub.catalog.logic import add_book, book_to_dict, get_book, search_books
from bookclub.views.params import flag, json_body, optional_int, optional_str, required_str
from bookclub.web import app


@app.post("/books")
@admin_required
def create_book() -> tuple[dict[str, Any], int]:
    body = json_body()
    book = add_book(
        title=required_str(body, "title"),
        author_name=required_str(body, "author"),
        isbn=optional_str(body, "isbn"),
        year=optional_int(body, "year"),
    )
    return book_to_dict(book), 201


@app.get("/books")
def list_books() -> dict[str, Any]:
    """``?q=`` searches titles and authors; ``?available=true`` hides lent books."""
    books = search_books(request.args.get("q"), available_only=flag("available"))
    return {"count": len(books), "books": [book_to_dict(b) for b in books]}


@app.get("/books/<int:book_id>")
def show_book(book_id: int) -> dict[str, Any]:
    return book_to_dict(get_book(book_id))
