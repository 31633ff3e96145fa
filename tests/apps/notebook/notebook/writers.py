from flask import Blueprint, jsonify, request

from .storage import connection

bp = Blueprint("writers", __name__, url_prefix="/writers")


@bp.get("")
def listed():
    rows = connection().execute("SELECT id, name FROM writer ORDER BY id").fetchall()
    return jsonify([dict(row) for row in rows])


@bp.post("")
def added():
    db = connection()
    try:
        cursor = db.execute("INSERT INTO writer (name) VALUES (?)", (request.form["name"],))
        db.commit()
    except db.IntegrityError:
        return jsonify({"error": "taken"}), 409
    return jsonify({"id": cursor.lastrowid}), 201
