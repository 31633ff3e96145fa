from flask import Blueprint, jsonify, request

from forum import db
from forum.models import Member

bp = Blueprint("members", __name__)


@bp.post("/members")
def join():
    member = Member(name=request.json["name"])
    db.session.add(member)
    db.session.commit()
    return jsonify(id=member.id, name=member.name), 201


@bp.get("/members")
def members():
    return jsonify([{"id": m.id, "name": m.name} for m in Member.query.order_by(Member.id)])
