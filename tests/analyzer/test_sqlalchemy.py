"""SQLAlchemy and Flask-SQLAlchemy schema as real apps write it.

Association tables (``db.Table``, ``sa.Table(..., db.metadata)``,
``Table(..., Base.metadata)``), foreign keys however they are declared (a
string, a column attribute, ``mapped_column``, a project helper returning a
``Column``), Flask-SQLAlchemy's derived table names, and the reads that
relationships (``secondary=``, ``backref=``) stand for.
"""

from __future__ import annotations

from typing import Any

from analyzer.analysis import Analysis
from tests.conftest import WriteTree, edges_of, run_analysis


def _foreign_keys(analysis: Analysis) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (u, v): {k: d[k] for k in sorted(d) if k not in ("kind",)}
        for u, v, k, d in analysis.graph.edges(keys=True, data=True)
        if k == "foreign_key"
    }


def _tables(analysis: Analysis) -> set[str]:
    return {data["name"] for _, data in analysis.graph.nodes(data=True) if data.get("kind") == "table"}


FLASK_BLOG = {
    "blog/__init__.py": """
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()
    """,
    "blog/models.py": """
        import sqlalchemy as sa
        import sqlalchemy.orm as so
        from blog import db

        followers = sa.Table(
            "followers",
            db.metadata,
            sa.Column("follower_id", sa.Integer, sa.ForeignKey("user.id"), primary_key=True),
            sa.Column("followed_id", sa.Integer, sa.ForeignKey("user.id"), primary_key=True),
        )

        tags = db.Table(
            "post_tags",
            db.Column("post_id", db.Integer, db.ForeignKey("post.id")),
            db.Column("tag_id", db.Integer, db.ForeignKey("tag.id")),
        )

        class User(db.Model):
            id: so.Mapped[int] = so.mapped_column(primary_key=True)
            following: so.WriteOnlyMapped["User"] = so.relationship(
                secondary=followers,
                primaryjoin=(followers.c.follower_id == id),
                secondaryjoin=(followers.c.followed_id == id),
                back_populates="followers",
            )
            followers: so.WriteOnlyMapped["User"] = so.relationship(
                secondary=followers,
                primaryjoin=(followers.c.followed_id == id),
                secondaryjoin=(followers.c.follower_id == id),
                back_populates="following",
            )

            def follow(self, user):
                self.following.add(user)

            def follower_ids(self):
                return db.session.scalars(sa.select(followers.c.follower_id))

        class Post(db.Model):
            id: so.Mapped[int] = so.mapped_column(primary_key=True)
            user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey(User.id), index=True)
            editor_id = db.Column(db.Integer, db.ForeignKey("user.id"))
            tags = db.relationship("Tag", secondary=tags, backref="posts")

        class Tag(db.Model):
            id = db.Column(db.Integer, primary_key=True)

        class PostTagNote(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            post_id = db.Column(db.Integer, db.ForeignKey("post.id"))
    """,
    "blog/views.py": """
        from blog.models import Tag

        def tagged(tag: Tag):
            ids = []
            for post in tag.posts:
                ids.append(post.id)
            return ids
    """,
}


def test_association_tables_are_tables_with_their_foreign_keys(write_tree: WriteTree) -> None:
    analysis = run_analysis(write_tree(FLASK_BLOG))
    assert {"followers", "post_tags", "user", "post", "tag", "post_tag_note"} <= _tables(analysis)
    maps = edges_of(analysis, "maps")
    assert ("blog.models.followers", "table:followers") in maps
    assert ("blog.models.tags", "table:post_tags") in maps
    fks = _foreign_keys(analysis)
    assert fks[("blog.models.followers", "table:user")] == {
        "columns": "followed_id,follower_id",
        "weight": 2,
    }
    assert fks[("blog.models.tags", "table:post")]["columns"] == "post_id"
    assert fks[("blog.models.tags", "table:tag")]["columns"] == "tag_id"


def test_foreign_keys_of_models_by_string_attribute_and_mapped_column(write_tree: WriteTree) -> None:
    fks = _foreign_keys(run_analysis(write_tree(FLASK_BLOG)))
    # sa.ForeignKey(User.id) names the column through its class; "user.id" by its table
    assert fks[("blog.models.Post", "table:user")] == {"columns": "editor_id,user_id", "weight": 2}
    # Flask-SQLAlchemy's derived name, as the foreign key's string says it
    assert fks[("blog.models.PostTagNote", "table:post")]["columns"] == "post_id"


def test_relationships_through_an_association_table_read_and_write_it(write_tree: WriteTree) -> None:
    analysis = run_analysis(write_tree(FLASK_BLOG))
    reads, writes = edges_of(analysis, "read"), edges_of(analysis, "write")
    # the class body's secondary=followers (the class attribute of the same name comes later)
    assert ("blog.models.User", "table:followers") in reads
    assert ("blog.models.Post", "table:post_tags") in reads
    # a column of the table, and a change of the relationship's collection
    assert ("blog.models.User.follower_ids", "table:followers") in reads
    assert ("blog.models.User.follow", "table:followers") in writes


def test_a_backref_is_read_where_the_code_follows_it(write_tree: WriteTree) -> None:
    reads = edges_of(run_analysis(write_tree(FLASK_BLOG)), "read")
    # Tag gains ``posts`` from Post.tags' backref: following it reads posts, through post_tags
    assert ("blog.views.tagged", "table:post") in reads
    assert ("blog.views.tagged", "table:post_tags") in reads


def test_plain_sqlalchemy_table_on_a_declarative_base(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "app/__init__.py": "",
            "app/models.py": """
                from sqlalchemy import Column, ForeignKey, Integer, Table
                from sqlalchemy.orm import DeclarativeBase, relationship

                class Base(DeclarativeBase):
                    pass

                members = Table(
                    "members",
                    Base.metadata,
                    Column("group_id", ForeignKey("groups.id"), primary_key=True),
                    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
                )

                class Group(Base):
                    __tablename__ = "groups"
                    id = Column(Integer, primary_key=True)
                    people = relationship("Person", secondary="members")

                class Person(Base):
                    __tablename__ = "people"
                    id = Column(Integer, primary_key=True)
            """,
        }
    )
    analysis = run_analysis(root)
    assert ("app.models.members", "table:members") in edges_of(analysis, "maps")
    fks = _foreign_keys(analysis)
    assert set(fks) == {("app.models.members", "table:groups"), ("app.models.members", "table:people")}
    # a column typed by its key: the type it takes, for a split that cuts the key
    assert fks[("app.models.members", "table:groups")]["types"] == "group_id=Integer"
    assert "types" not in fks[("app.models.members", "table:people")]
    # secondary= may name the table by its name
    assert ("app.models.Group", "table:members") in edges_of(analysis, "read")


def test_a_foreign_key_declared_through_a_project_helper(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "conduit/__init__.py": "",
            "conduit/extensions.py": """
                from flask_sqlalchemy import SQLAlchemy
                db = SQLAlchemy()
            """,
            "conduit/database.py": """
                from sqlalchemy.ext.declarative import declared_attr
                from conduit.extensions import db

                Column = db.Column
                Model = db.Model

                def reference_col(tablename, nullable=False, pk_name="id", **kwargs):
                    return db.Column(db.ForeignKey("{0}.{1}".format(tablename, pk_name)), nullable=nullable, **kwargs)

                def fk_column(tablename):
                    return db.Column(db.Integer, db.ForeignKey(f"{tablename}.id"))

                def not_a_reference(name):
                    return db.Column(db.String(name))

                class HideableMixin:
                    @declared_attr
                    def hidden_by_id(cls):
                        return db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
            """,
            "conduit/models.py": """
                from conduit.database import (
                    Column, HideableMixin, Model, db, fk_column, not_a_reference, reference_col,
                )

                class User(Model):
                    __tablename__ = "users"
                    id = Column(db.Integer, primary_key=True)

                class Profile(Model):
                    __tablename__ = "userprofile"
                    id = db.Column(db.Integer, primary_key=True)
                    user_id = reference_col("users", nullable=True)
                    name = not_a_reference("userprofile")

                class Comment(Model):
                    __tablename__ = "comment"
                    id = db.Column(db.Integer, primary_key=True)
                    author_id = fk_column("userprofile")

                class Note(HideableMixin, Model):
                    __tablename__ = "notes"
                    id = db.Column(db.Integer, primary_key=True)
            """,
        }
    )
    fks = _foreign_keys(run_analysis(root))
    assert fks == {
        ("conduit.models.Profile", "table:users"): {
            "columns": "user_id",
            "helpers": "user_id=conduit.database.reference_col",
            "types": "user_id=Integer",
            "weight": 1,
        },
        ("conduit.models.Comment", "table:userprofile"): {
            "columns": "author_id",
            "helpers": "author_id=conduit.database.fk_column",
            "types": "author_id=Integer",
            "weight": 1,
        },
        # a mixin's @declared_attr column is a key of each model inheriting it
        ("conduit.models.Note", "table:users"): {
            "columns": "hidden_by_id",
            "helpers": "hidden_by_id=conduit.database.HideableMixin.hidden_by_id",
            "types": "hidden_by_id=Integer",
            "weight": 1,
        },
    }


ACCOUNTS = {
    "accounts/__init__.py": """
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()
    """,
    "accounts/models.py": """
        from datetime import datetime

        import sqlalchemy as sa
        import sqlalchemy.orm as so
        from werkzeug.security import check_password_hash, generate_password_hash
        from accounts import db

        class PasswordMixin:
            password_hash = db.Column(db.String(128))

            def check_password(self, password):
                return check_password_hash(self.password_hash, password)

        class User(PasswordMixin, db.Model):
            id: so.Mapped[int] = so.mapped_column(primary_key=True)
            email: so.Mapped[str] = so.mapped_column(sa.String(120))
            api_key = sa.Column("key", sa.String(64))
            token_expiration: so.Mapped[datetime | None]  # a column with no mapped_column()
            nickname = "anonymous"  # a plain class attribute, not a column

            def set_password(self, password):
                self.password_hash = generate_password_hash(password)

            def label(self):
                return self.email + self.nickname

            def token_expired(self, now):
                return self.token_expiration.replace(tzinfo=None) < now

            @staticmethod
            def by_key(key):
                return db.session.scalar(sa.select(User).where(User.api_key == key))
    """,
    "accounts/views.py": """
        from accounts.models import User

        def email_of(user: User):
            return user.email
    """,
}


def _read_columns(analysis: Analysis) -> dict[str, str]:
    return {
        u: d.get("columns", "")
        for u, v, k, d in analysis.graph.edges(keys=True, data=True)
        if k == "column" and v == "table:user"
    }


def test_reads_name_the_columns_the_code_reads(write_tree: WriteTree) -> None:
    columns = _read_columns(run_analysis(write_tree(ACCOUNTS)))
    # self.<column> in a model's method (a mixin's column too), by the column's name in the table
    assert columns["accounts.models.PasswordMixin.check_password"] == "password_hash"
    assert columns["accounts.models.User.label"] == "email"  # nickname is no column
    assert columns["accounts.models.User.token_expired"] == "token_expiration"
    # Model.<column> in a query; the column named "key" in the table
    assert columns["accounts.models.User.by_key"] == "key"
    # an annotated parameter of the model's type
    assert columns["accounts.views.email_of"] == "email"
    # assigning a column is a write, not a read of it
    assert "accounts.models.User.set_password" not in columns


QUERIED = {
    "conduit/__init__.py": """
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()
    """,
    "conduit/models.py": """
        from conduit import db

        class Article(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            slug = db.Column(db.Text)
            comments = db.relationship("Comment", backref=db.backref("article"), lazy="dynamic")

        class Comment(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            body = db.Column(db.Text)
            article_id = db.Column(db.Integer, db.ForeignKey("article.id"))
    """,
    "conduit/views.py": """
        from conduit.models import Article, Comment

        def comments_of(slug):
            article = Article.query.filter_by(slug=slug).first()
            return article.comments

        def article_of(comment_id):
            return Comment.query.get(comment_id).article

        def bodies(slug):
            found = Article.query.filter(Article.slug == slug).order_by(Article.id).first_or_404()
            return [comment.body for comment in found.comments]

        def titles():
            return Article.query.with_entities(Article.id).first().comments

        def slug_of(article_id):
            return Article.query.get(article_id).slug
    """,
}


def test_a_relationship_followed_on_a_query_result_reads_the_related_table(write_tree: WriteTree) -> None:
    # Model.query....first() is one of the model's rows: what its relationships reach is read
    analysis = run_analysis(write_tree(QUERIED))
    reads = edges_of(analysis, "read")
    assert ("conduit.views.comments_of", "table:comment") in reads
    assert ("conduit.views.bodies", "table:comment") in reads
    assert ("conduit.views.article_of", "table:article") in reads  # a backref, on Model.query.get()
    # a query of columns (with_entities) makes rows of them, not of the model
    assert ("conduit.views.titles", "table:comment") not in reads
    # and a column read on a query's row names the column
    columns = {
        u: d.get("columns", "")
        for u, v, k, d in analysis.graph.edges(keys=True, data=True)
        if k == "column" and v == "table:article"
    }
    assert columns["conduit.views.slug_of"] == "slug"
