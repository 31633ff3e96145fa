"""Member endpoints."""

from __future__ import annotations

from typing import Any

from bookclub.auth import admin_required
from bookclub.lending.logic import loans_for_member
from bookclub.members.logic import create_member, deactivate_member, get_member, member_to_dict
from bookclub.reviews.logic import reviews_by_member
from bookclub.views.params import json_body, required_str
from bookclub.web import app


@app.post("/members")
def sign_up() -> tuple[dict[str, Any], int]:
    body = json_body()
    member = create_member(required_str(body, "name"), required_str(body, "email"))
    return member_to_dict(member), 201


@app.get("/members/<int:member_id>")
def show_member(member_id: int) -> dict[str, Any]:
    return member_to_dict(get_member(member_id))


@app.post("/members/<int:member_id>/deactivate")
@admin_required
def deactivate(member_id: int) -> dict[str, Any]:
    return member_to_dict(deactivate_member(member_id))


@app.get("/members/<int:member_id>/summary")
def member_summary(member_id: int) -> dict[str, Any]:
    """Everything about a member's reading: open and past loans, fines, reviews."""
    member = member_to_dict(get_member(member_id))
    loans = loans_for_member(member_id)
    reviews = reviews_by_member(member_id)
    open_loans = [loan for loan in loans if loan["status"] != "returned"]
    return {
        "member": member,
        "loans": {
            "open": open_loans,
            "returned_count": len(loans) - len(open_loans),
            "overdue_count": sum(1 for loan in open_loans if loan["status"] == "overdue"),
            "fines_cents": sum(loan["fine_cents"] for loan in loans),
        },
        "reviews": reviews,
    }
