from datetime import UTC, datetime

from werkzeug.security import check_password_hash, generate_password_hash

from extblog import db, login


class TimestampMixin:
    """A plain mixin: its columns are part of every model that inherits it."""

    created = db.Column(db.DateTime, default=lambda: datetime.now(UTC))


class SearchableMixin:
    @classmethod
    def search(cls, text):
        return cls.query.filter(cls.body.contains(text)).all()


followers = db.Table(
    "followers",
    db.Column("follower_id", db.Integer, db.ForeignKey("user.id")),
    db.Column("followed_id", db.Integer, db.ForeignKey("user.id")),
)


class User(TimestampMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50), unique=True)
    # a secret column: it reaches another unit's replica only if that unit's code reads it
    password_hash = db.Column(db.String(256))

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


class Post(SearchableMixin, TimestampMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.String(200))
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))


@login.user_loader
def load_user(user_id):
    return db.session.get(User, int(user_id))
