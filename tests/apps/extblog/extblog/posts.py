from flask import Blueprint, jsonify, request, url_for

from extblog import db
from extblog.forms import PostForm
from extblog.models import Post, User
from extblog.paging import requested_limit

bp = Blueprint("posts", __name__)


@bp.post("/posts")
def create_post():
    author = db.session.get(User, request.json.get("user_id"))
    if author is None or not author.check_password(request.json.get("password", "")):
        return jsonify(error="wrong user or password"), 403
    form = PostForm(request.json)
    if not form.validate():
        return jsonify(error="body must be 1-200 characters"), 400
    post = Post(body=form.body, user_id=request.json.get("user_id"))
    db.session.add(post)
    db.session.commit()
    # the users' route is another unit's: its URL must still build here
    return jsonify(id=post.id, author=url_for("users.list_users", id=post.user_id)), 201


@bp.get("/posts")
def list_posts():
    found = Post.search(request.args.get("q", ""))[: requested_limit()]
    return jsonify([{"id": p.id, "body": p.body} for p in found])


@bp.post("/posts/forget")
def forget_posts():
    # Query.delete() chooses rows by the ORM's (annotated) columns
    found = Post.query.filter_by(user_id=request.json["user_id"], body=request.json["body"]).delete()
    db.session.commit()
    return jsonify(deleted=found)
