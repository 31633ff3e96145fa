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
from generator.runtime import schema as runtime_schema

sqlalchemy = pytest.importorskip("sqlalchemy")


@pytest.fixture(autouse=True)
def _runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cut code imports the unit's runtime, ``monosplit_runtime``: here ``generator.runtime``."""
    monkeypatch.setitem(sys.modules, "monosplit_runtime.schema", runtime_schema)


def _with_orm_keys(code: str, holders: str, replicas: str, *, after: int = 0) -> str:
    """``code`` as a unit keeping replicas has it: the keys to or from them handed to the ORM at the end.

    The import comes after the ``after`` first lines (a docstring, ``__future__`` imports).
    """
    lines = code.splitlines(keepends=True)
    listed = "".join(f"    {holder},\n" for holder in holders.split(", "))
    return (
        "".join(lines[:after])
        + "from monosplit_runtime.schema import keys_left_to_the_orm as _monosplit_orm_keys"
        "  # keys of copies: the module's end\n"
        + "".join(lines[after:])
        + "\n\n# the ORM joins through the keys to or from copies of other units' tables;"
        + " no database holds them\n"
        + f"_monosplit_orm_keys(\n{listed}    replicas={replicas},\n)\n"
    )


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


def test_replicas_kept_together_keep_their_keys_and_relationships_as_written(tmp_path: Path) -> None:
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
    # every key reaches a table the unit holds: the models are the monolith's, joins and all
    assert module.code == _with_orm_keys(BLOG, "Post, followers", '("followers", "user")', after=2)
    assert removed == ()
    unit = _create(module.code, {"post", "user", "followers"}, tmp_path)
    assert unit.User.following.property.secondary.name == "followers"
    engine = sqlalchemy.create_engine("sqlite://")
    unit.Base.metadata.create_all(engine)
    with sqlalchemy.orm.Session(engine) as session:
        session.add(unit.User(id=1))
        session.add(unit.Post(id=7, user_id=1))
        session.commit()
        post = session.get(unit.Post, 7)
        assert post.author.id == 1
        assert [p.id for p in session.scalars(session.get(unit.User, 1).posts.select())] == [7]
        # a join the code leaves to the keys, with no ON clause and no relationship named
        joined = sqlalchemy.select(unit.Post.id).join(unit.User).where(unit.User.id == 1)
        assert session.scalars(joined).all() == [7]


PROFILES = _dedent(
    """
    import sqlalchemy as sa
    import sqlalchemy.orm as so

    Base = so.declarative_base()


    def reference_col(tablename, nullable=False, pk_name="id", **kwargs):
        return sa.Column(sa.ForeignKey(f"{tablename}.{pk_name}"), nullable=nullable, **kwargs)


    class User(Base):
        __tablename__ = "users"
        id = sa.Column(sa.Integer, primary_key=True)
        username = sa.Column(sa.String(80))


    class Profile(Base):
        __tablename__ = "profiles"
        id = sa.Column(sa.Integer, primary_key=True)
        user_id = reference_col("users")
        user = so.relationship("User", backref=so.backref("profile", uselist=False))


    class Article(Base):
        __tablename__ = "articles"
        id = sa.Column(sa.Integer, primary_key=True)
        author_id = reference_col("profiles")
        author = so.relationship("Profile", backref="articles")
    """
)


def test_a_join_left_to_the_keys_works_across_replicas_of_two_tables(tmp_path: Path) -> None:
    # the articles unit: its articles, and replicas of profiles and users (another unit's)
    module, removed = strip_foreign_links(
        cst.parse_module(PROFILES),
        {"User": True, "Profile": True, "Article": False},
        keep_tables={"articles"},
        keep_classes={"Article"},
        table_of_class={"User": "users", "Profile": "profiles", "Article": "articles"},
        schema=ModuleSchema(
            keys={
                ("Profile", "user_id"): KeyColumn("users", helper="m.reference_col", type="Integer"),
                ("Article", "author_id"): KeyColumn("profiles", helper="m.reference_col", type="Integer"),
            }
        ),
        present_classes={"User", "Profile"},
        present_tables={"users", "profiles"},
    )
    assert module.code == _with_orm_keys(PROFILES, "Article, Profile", '("profiles", "users")')
    assert removed == ()
    unit = _create(module.code, {"articles", "profiles", "users"}, tmp_path)
    engine = sqlalchemy.create_engine("sqlite://")
    unit.Base.metadata.create_all(engine)  # as the application's own code may
    assert all(
        sqlalchemy.inspect(engine).get_foreign_keys(t) == [] for t in ("articles", "profiles", "users")
    )
    with sqlalchemy.orm.Session(engine) as session:
        session.add_all([unit.User(id=3, username="bob"), unit.Profile(id=5, user_id=3)])
        session.add(unit.Article(id=1, author_id=5))
        session.commit()
        # articles by author: through the relationship, then to users by the key alone
        query = session.query(unit.Article).join(unit.Article.author).join(unit.User)
        assert [a.id for a in query.filter(unit.User.username == "bob")] == [1]


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
    assert module.code == _with_orm_keys(TAGGED, "post_tags", '("post", "post_tag_links", "tag")')
    assert removed == ()
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


def test_a_join_the_code_wrote_half_of_keeps_the_keys_it_leaves_the_rest_to(tmp_path: Path) -> None:
    # primaryjoin written, secondaryjoin left to the keys: copies of all three keep them
    module, removed = strip_foreign_links(
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
    assert module.code == _with_orm_keys(
        GROUPED, "groups_users", '("groups", "groups_users", "users")', after=1
    )
    assert removed == ()
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


def test_a_join_written_without_foreign_still_finds_its_key_side_in_replicas(tmp_path: Path) -> None:
    # replicas of both: the keys stay, so the join the code wrote still tells which side is foreign
    module, removed = strip_foreign_links(
        cst.parse_module(TOPICS),
        {"Topic": True, "Post": True},
        keep_tables=set(),
        keep_classes=set(),
        table_of_class={"Topic": "topics", "Post": "posts"},
        present_classes={"Topic", "Post"},
        present_tables={"topics", "posts"},
    )
    assert module.code == _with_orm_keys(TOPICS, "Post, Topic", '("posts", "topics")', after=1)
    assert removed == ()
    unit = _create(module.code, {"topics", "posts"}, tmp_path)
    engine = sqlalchemy.create_engine("sqlite://")
    unit.Base.metadata.create_all(engine)
    with sqlalchemy.orm.Session(engine) as session:
        session.add_all([unit.Topic(id=1), unit.Post(id=2, topic_id=1)])
        session.commit()
        assert [p.id for p in session.get(unit.Topic, 1).posts] == [2]
        assert session.get(unit.Post, 2).topic.id == 1
