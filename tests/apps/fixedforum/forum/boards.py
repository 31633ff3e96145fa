from flask import Blueprint, jsonify, request

from forum import db
from forum.models import Board

bp = Blueprint("boards", __name__)


@bp.post("/boards")
def open_board():
    board = Board(title=request.json["title"])
    db.session.add(board)
    db.session.commit()
    return jsonify(id=board.id, title=board.title), 201


@bp.get("/boards")
def boards():
    return jsonify([{"id": b.id, "title": b.title} for b in Board.query.order_by(Board.id)])
