from flask import Blueprint, jsonify, request

from extblog import db
from extblog.models import User

bp = Blueprint("users", __name__)


@bp.post("/users")
def create_user():
    user = User(name=request.json["name"])
    user.set_password(request.json.get("password", ""))
    db.session.add(user)
    db.session.commit()
    return jsonify(id=user.id, name=user.name), 201


@bp.get("/users")
def list_users():
    return jsonify([{"id": u.id, "name": u.name} for u in User.query.order_by(User.id)])
