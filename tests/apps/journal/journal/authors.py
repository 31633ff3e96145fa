"""Who writes: authors and their names."""

from __future__ import annotations

from flask import Blueprint, request

from journal import db

bp = Blueprint("authors", __name__)


class Author(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False, unique=True)


@bp.post("/authors")
def add_author() -> tuple[dict[str, object], int]:
    author = Author(name=request.get_json()["name"])
    db.session.add(author)
    db.session.commit()
    return {"id": author.id, "name": author.name}, 201


@bp.get("/authors")
def list_authors() -> dict[str, object]:
    return {"authors": [{"id": a.id, "name": a.name} for a in db.session.scalars(db.select(Author))]}
