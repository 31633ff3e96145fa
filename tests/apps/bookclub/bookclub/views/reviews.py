"""Review endpoints."""

from __future__ import annotations

from typing import Any

from bookclub.reviews.logic import post_review, review_to_dict, reviews_for_book
from bookclub.views.params import json_body, optional_str, required_int
from bookclub.web import app


@app.post("/books/<int:book_id>/reviews")
def write_review(book_id: int) -> tuple[dict[str, Any], int]:
    body = json_body()
    review = post_review(
        book_id,
        member_id=required_int(body, "member_id"),
        rating=required_int(body, "rating"),
        text=optional_str(body, "text") or "",
    )
    return review_to_dict(review), 201


@app.get("/books/<int:book_id>/reviews")
def book_reviews(book_id: int) -> dict[str, Any]:
    return reviews_for_book(book_id).to_dict()
