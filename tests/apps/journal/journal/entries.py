"""What is written: entries, and the tags on them."""

from __future__ import annotations

from flask import Blueprint, request

from journal import db

bp = Blueprint("entries", __name__)

entry_tag = db.Table(
    "entry_tag",
    db.Column("entry_id", db.Integer, db.ForeignKey("entry.id"), primary_key=True),
    db.Column("tag_id", db.Integer, db.ForeignKey("tag.id"), primary_key=True),
)


class Tag(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    label = db.Column(db.String(40), nullable=False, unique=True)


class Entry(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    author_id = db.Column(db.Integer, db.ForeignKey("author.id"), nullable=False)
    text = db.Column(db.Text, nullable=False)
    mood = db.Column(db.String(20))
    tags = db.relationship(Tag, secondary=entry_tag)


@bp.post("/entries")
def add_entry() -> tuple[dict[str, object], int]:
    body = request.get_json()
    entry = Entry(author_id=body["author_id"], text=body["text"], mood=body.get("mood"))
    for label in body.get("tags", []):
        tag = db.session.scalar(db.select(Tag).where(Tag.label == label)) or Tag(label=label)
        entry.tags.append(tag)
    db.session.add(entry)
    db.session.commit()
    return {"id": entry.id, "tags": [t.label for t in entry.tags]}, 201


@bp.get("/entries")
def list_entries() -> dict[str, object]:
    entries = db.session.scalars(db.select(Entry).order_by(Entry.id))
    return {"entries": [{"id": e.id, "text": e.text, "tags": [t.label for t in e.tags]} for e in entries]}
