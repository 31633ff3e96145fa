"""Lending endpoints."""

from __future__ import annotations

from typing import Any

from bookclub.auth import admin_required
from bookclub.lending.logic import backdate_loan, borrow_book, get_loan, policy, return_book
from bookclub.views.params import json_body, required_date, required_int
from bookclub.web import app


@app.get("/policy")
def lending_policy() -> dict[str, int]:
    return policy.to_dict()


@app.post("/loans")
def borrow() -> tuple[dict[str, Any], int]:
    body = json_body()
    receipt = borrow_book(required_int(body, "member_id"), required_int(body, "book_id"))
    return receipt.to_dict(), 201


@app.get("/loans/<int:loan_id>")
def show_loan(loan_id: int) -> dict[str, Any]:
    return get_loan(loan_id).to_dict()


@app.post("/loans/<int:loan_id>/return")
def give_back(loan_id: int) -> dict[str, Any]:
    return return_book(loan_id).to_dict()


@app.patch("/admin/loans/<int:loan_id>")
@admin_required
def correct_loan(loan_id: int) -> dict[str, Any]:
    """Admin only: ``{"borrowed_on": "YYYY-MM-DD"}`` backdates an open loan."""
    return backdate_loan(loan_id, required_date(json_body(), "borrowed_on")).to_dict()
