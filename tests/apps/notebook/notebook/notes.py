from flask import Blueprint, jsonify, request

from .storage import connection

bp = Blueprint("notes", __name__, url_prefix="/notes")


@bp.get("")
def listed():
    rows = (
        connection()
        .execute("SELECT n.id, n.text, w.name FROM note n JOIN writer w ON n.writer_id = w.id ORDER BY n.id")
        .fetchall()
    )
    return jsonify([f"{row['name']}: {row['text']}" for row in rows])


@bp.post("")
def added():
    db = connection()
    cursor = db.execute(
        "INSERT INTO note (writer_id, text) VALUES (?, ?)", (request.form["writer"], request.form["text"])
    )
    db.commit()
    return jsonify({"id": cursor.lastrowid}), 201
