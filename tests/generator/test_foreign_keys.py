"""Cutting foreign keys and relationships as real Flask-SQLAlchemy apps write them: before/after pairs.

The cut code must also run: each case maps its result with SQLAlchemy and
creates the unit's tables in SQLite, where a key to a table that is not there
fails with ``NoReferencedTableError``.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import libcst as cst
import pytest

from generator.codemods.foreign_keys import KeyColumn, ModuleSchema, strip_foreign_links

sqlalchemy = pytest.importorskip("sqlalchemy")


def _dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _create(code: str, tables: set[str], folder: Path) -> ModuleType:
    """Import the module, configure its mappers and create ``tables`` (by name) in SQLite."""
    name = f"unit_models_{folder.name}"
    path = folder / f"{name}.py"
    path.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # SQLAlchemy resolves the annotations through it
    try:
        spec.loader.exec_module(module)
        module.Base.registry.configure()
        engine = sqlalchemy.create_engine("sqlite://")
        metadata = module.Base.metadata
        metadata.create_all(engine, tables=[t for key, t in metadata.tables.items() if key in tables])
    finally:
        del sys.modules[name]
    return module


BLOG = _dedent(
    '''
    """The blog's models."""
    from __future__ import annotations

    import sqlalchemy as sa
    import sqlalchemy.orm as so


    class Base(so.DeclarativeBase):
        pass


    def reference_col(tablename, nullable=False, pk_name="id", **kwargs):
        return sa.Column(sa.ForeignKey(f"{tablename}.{pk_name}"), nullable=nullable, **kwargs)


    followers = sa.Table(
        "followers",
        Base.metadata,
        sa.Column("follower_id", sa.ForeignKey("user.id"), primary_key=True),
        sa.Column("followed_id", sa.Integer, sa.ForeignKey("user.id"), primary_key=True),
    )


    class User(Base):
        __tablename__ = "user"
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
        posts: so.WriteOnlyMapped["Post"] = so.relationship(back_populates="author")


    class Post(Base):
        __tablename__ = "post"
        id: so.Mapped[int] = so.mapped_column(primary_key=True)
        user_id = reference_col("user", nullable=True, index=True)
        author: so.Mapped[User] = so.relationship(back_populates="posts")
    '''
)
TABLES = {"User": "user", "Post": "post"}
#: where User is another unit's, carving left a record class in its place
WITHOUT_USER = (
    BLOG.split("class User(Base):")[0]
    + "class User:\n    pass\n\n\nclass Post(Base):"
    + BLOG.split("class Post(Base):")[1]
)
SCHEMA = ModuleSchema(
    tables={"followers": "followers"},
    keys={
        ("followers", "follower_id"): KeyColumn("user", type="Integer"),
        ("followers", "followed_id"): KeyColumn("user"),
        ("Post", "user_id"): KeyColumn("user", helper="blog.models.reference_col", type="Integer"),
    },
)


def test_an_association_table_and_a_helper_column_lose_keys_to_another_units_table(tmp_path: Path) -> None:
    # the posts unit: it owns post, and keeps no copy of user or followers
    module, removed = strip_foreign_links(
        cst.parse_module(WITHOUT_USER),
        {"Post": False},
        keep_tables={"post"},
        keep_classes={"Post"},
        table_of_class=TABLES,
        schema=SCHEMA,
    )
    code = module.code
    assert code.startswith(
        '"""The blog\'s models."""\nfrom __future__ import annotations\n'
        "import sqlalchemy as _monosplit_sa  # columns whose key this unit cut\n"
    )
    assert (
        _dedent(
            """
        followers = sa.Table(
            "followers",
            Base.metadata,
            sa.Column("follower_id", _monosplit_sa.Integer, primary_key=True),
            sa.Column("followed_id", sa.Integer, primary_key=True),
        )
        """
        )
        in code
    )
    assert "    user_id = _monosplit_sa.Column(_monosplit_sa.Integer, nullable=True, index=True)\n" in code
    assert "author" not in code.split("class Post")[1]
    assert [(r.model, r.attribute, r.kind) for r in removed] == [
        ("followers", "follower_id", "foreign key"),
        ("followers", "followed_id", "foreign key"),
        ("Post", "user_id", "foreign key"),
        ("Post", "author", "relationship"),
    ]
    _create(code, {"post", "followers"}, tmp_path)


def test_replicas_kept_together_keep_their_relationships_with_the_join_spelled_out(tmp_path: Path) -> None:
    # a unit keeping replicas of user and followers: reading who follows whom works on the copies
    module, removed = strip_foreign_links(
        cst.parse_module(BLOG),
        {"User": True, "Post": False},
        keep_tables={"post"},
        keep_classes={"Post"},
        table_of_class=TABLES,
        schema=SCHEMA,
        present_classes={"User"},
        present_tables={"user", "followers"},
    )
    user = module.code.split("class User")[1].split("class Post")[0]
    assert "following:" in user and "followers:" in user
    # the copy of followers keeps its columns only, as a replica model does
    assert "ForeignKey" not in module.code.split("followers = ")[1].split("class User")[0]
    # the key post.user_id → user.id goes (user is a copy), so the join it implied is spelled out
    assert 'posts: so.WriteOnlyMapped["Post"] = so.relationship(back_populates="author", ' in user
    assert 'primaryjoin="User.id == foreign(Post.user_id)")' in user
    post = module.code.split("class Post")[1]
    assert 'so.relationship(back_populates="posts", primaryjoin="foreign(Post.user_id) == User.id")' in post
    assert "relationship" not in [r.kind for r in removed]
    unit = _create(module.code, {"post", "user", "followers"}, tmp_path)
    assert unit.User.following.property.secondary.name == "followers"
    # and reading through the copies works, both ways, with no key in the database
    engine = sqlalchemy.create_engine("sqlite://")
    unit.Base.metadata.create_all(engine)
    with sqlalchemy.orm.Session(engine) as session:
        session.add(unit.User(id=1))
        session.add(unit.Post(id=7, user_id=1))
        session.commit()
        post = session.get(unit.Post, 7)
        assert post.author.id == 1
        assert [p.id for p in session.scalars(session.get(unit.User, 1).posts.select())] == [7]


def test_a_partner_that_goes_takes_its_back_populates_side_with_it() -> None:
    # the users unit owns user and followers; post is another unit's, not kept here
    module, removed = strip_foreign_links(
        cst.parse_module(BLOG),
        {"User": False},
        keep_tables={"user", "followers"},
        keep_classes={"User"},
        table_of_class=TABLES,
        schema=SCHEMA,
    )
    user = module.code.split("class User")[1].split("class Post")[0]
    assert "following:" in user and "followers:" in user and "posts:" not in user
    # followers' keys to user stay: both are this unit's
    assert 'sa.Column("follower_id", sa.ForeignKey("user.id"), primary_key=True)' in module.code
    assert "_monosplit_sa" not in module.code
    assert [(r.model, r.attribute) for r in removed] == [("User", "posts")]


TAGGED = _dedent(
    """
    import sqlalchemy as sa
    import sqlalchemy.orm as so


    class Base(so.DeclarativeBase):
        pass


    post_tags = sa.Table(
        "post_tag_links",
        Base.metadata,
        sa.Column("post_id", sa.Integer, sa.ForeignKey("post.id")),
        sa.Column("tag_id", sa.Integer, sa.ForeignKey("tag.id")),
    )


    class Tag(Base):
        __tablename__ = "tag"
        id = sa.Column(sa.Integer, primary_key=True)


    class Post(Base):
        __tablename__ = "post"
        id = sa.Column(sa.Integer, primary_key=True)
        tags = so.relationship("Tag", secondary=post_tags, backref="posts")
    """
)


def test_copies_kept_together_keep_a_many_to_many_through_their_association_table(tmp_path: Path) -> None:
    # a unit keeping copies of post, tag and their association table (another unit owns them)
    module, removed = strip_foreign_links(
        cst.parse_module(TAGGED),
        {"Tag": True, "Post": True},
        keep_tables=set(),
        keep_classes=set(),
        table_of_class={"Tag": "tag", "Post": "post"},
        schema=ModuleSchema(
            tables={"post_tags": "post_tag_links"},
            keys={("post_tags", "post_id"): KeyColumn("post"), ("post_tags", "tag_id"): KeyColumn("tag")},
        ),
        present_classes={"Tag", "Post"},
        present_tables={"tag", "post", "post_tag_links"},
    )
    assert "ForeignKey" not in module.code
    assert (
        'so.relationship("Tag", secondary=post_tags, backref="posts", '
        'primaryjoin="Post.id == foreign(post_tag_links.c.post_id)", '
        'secondaryjoin="Tag.id == foreign(post_tag_links.c.tag_id)")'
    ) in module.code
    assert "relationship" not in [r.kind for r in removed]
    unit = _create(module.code, {"post", "tag", "post_tag_links"}, tmp_path)
    engine = sqlalchemy.create_engine("sqlite://")
    unit.Base.metadata.create_all(engine)
    with sqlalchemy.orm.Session(engine) as session:
        session.add_all([unit.Post(id=1), unit.Tag(id=2)])
        session.execute(unit.post_tags.insert().values(post_id=1, tag_id=2))
        session.commit()
        assert [t.id for t in session.get(unit.Post, 1).tags] == [2]
        assert [p.id for p in session.get(unit.Tag, 2).posts] == [1]


GROUPED = textwrap.dedent(
    """
    import sqlalchemy as sa
    import sqlalchemy.orm as so

    Base = so.declarative_base()

    groups_users = sa.Table(
        "groups_users",
        Base.metadata,
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("group_id", sa.Integer, sa.ForeignKey("groups.id")),
    )

    class Group(Base):
        __tablename__ = "groups"
        id = sa.Column(sa.Integer, primary_key=True)

    class User(Base):
        __tablename__ = "users"
        id = sa.Column(sa.Integer, primary_key=True)
        groups = so.relationship(
            "Group", secondary=groups_users, primaryjoin=(groups_users.c.user_id == id), backref="users"
        )
    """
)


def test_a_join_the_code_wrote_is_replaced_not_repeated(tmp_path: Path) -> None:
    # primaryjoin written, secondaryjoin left to the keys: both are spelled out once the keys go
    module, _ = strip_foreign_links(
        cst.parse_module(GROUPED),
        {"Group": True, "User": True},
        keep_tables=set(),
        keep_classes=set(),
        table_of_class={"Group": "groups", "User": "users"},
        schema=ModuleSchema(
            tables={"groups_users": "groups_users"},
            keys={
                ("groups_users", "user_id"): KeyColumn("users"),
                ("groups_users", "group_id"): KeyColumn("groups"),
            },
        ),
        present_classes={"Group", "User"},
        present_tables={"groups", "users", "groups_users"},
    )
    assert module.code.count("primaryjoin") == 1
    assert 'primaryjoin="User.id == foreign(groups_users.c.user_id)"' in module.code
    unit = _create(module.code, {"groups", "users", "groups_users"}, tmp_path)
    engine = sqlalchemy.create_engine("sqlite://")
    unit.Base.metadata.create_all(engine)
    with sqlalchemy.orm.Session(engine) as session:
        session.add_all([unit.User(id=1), unit.Group(id=2)])
        session.execute(unit.groups_users.insert().values(user_id=1, group_id=2))
        session.commit()
        assert [g.id for g in session.get(unit.User, 1).groups] == [2]
        assert [u.id for u in session.get(unit.Group, 2).users] == [1]


TOPICS = textwrap.dedent(
    """
    import sqlalchemy as sa
    import sqlalchemy.orm as so

    Base = so.declarative_base()

    class Topic(Base):
        __tablename__ = "topics"
        id = sa.Column(sa.Integer, primary_key=True)
        first_post_id = sa.Column(sa.Integer, sa.ForeignKey("posts.id"))
        # two keys between the two tables: the written join says which one this is
        posts = so.relationship("Post", backref="topic", primaryjoin="Post.topic_id == Topic.id")

    class Post(Base):
        __tablename__ = "posts"
        id = sa.Column(sa.Integer, primary_key=True)
        topic_id = sa.Column(sa.Integer, sa.ForeignKey("topics.id"))
    """
)


def test_a_join_written_without_foreign_gets_it_when_the_key_is_cut(tmp_path: Path) -> None:
    # replicas of both: the key goes, and the join the code wrote no longer says which side is foreign
    module, _ = strip_foreign_links(
        cst.parse_module(TOPICS),
        {"Topic": True, "Post": True},
        keep_tables=set(),
        keep_classes=set(),
        table_of_class={"Topic": "topics", "Post": "posts"},
        present_classes={"Topic", "Post"},
        present_tables={"topics", "posts"},
    )
    assert "ForeignKey" not in module.code
    assert module.code.count("primaryjoin") == 1
    assert "foreign(Post.topic_id)" in module.code
    unit = _create(module.code, {"topics", "posts"}, tmp_path)
    engine = sqlalchemy.create_engine("sqlite://")
    unit.Base.metadata.create_all(engine)
    with sqlalchemy.orm.Session(engine) as session:
        session.add_all([unit.Topic(id=1), unit.Post(id=2, topic_id=1)])
        session.commit()
        assert [p.id for p in session.get(unit.Topic, 1).posts] == [2]
        assert session.get(unit.Post, 2).topic.id == 1


def test_a_written_join_to_a_class_of_another_module_is_marked_on_its_key_side() -> None:
    # Post lives in another module: its keys are not seen here, the written join still says it
    code = textwrap.dedent(
        """
        import sqlalchemy as sa
        import sqlalchemy.orm as so

        Base = so.declarative_base()

        class User(Base):
            __tablename__ = "users"
            id = sa.Column(sa.Integer, primary_key=True)
            group_id = sa.Column(sa.Integer, sa.ForeignKey("groups.id"))
            posts = so.relationship("Post", backref="user", primaryjoin="User.id == Post.user_id")
        """
    )
    module, _ = strip_foreign_links(
        cst.parse_module(code),
        {"User": True},
        keep_tables=set(),
        keep_classes=set(),
        table_of_class={"User": "users", "Post": "posts"},
        present_classes={"User", "Post"},
        present_tables={"users", "posts"},
    )
    assert 'primaryjoin="User.id == foreign(Post.user_id)"' in module.code
    assert module.code.count("primaryjoin") == 1
