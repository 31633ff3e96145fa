"""A unit brings its own schema up to date when it starts: real SQLite files, real processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, create_engine, inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, scoped_session, sessionmaker

from generator.runtime import Schema, install
from generator.runtime.schema import keys_left_to_the_orm, prepare

ROOT = Path(__file__).resolve().parents[3]


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return sorted(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _shop_metadata() -> MetaData:
    """Orders (this unit's), their lines, a replica of products, another unit's users and their links."""

    class Base(DeclarativeBase):
        pass

    class Order(Base):
        __tablename__ = "orders"
        id: Mapped[int] = mapped_column(primary_key=True)

    class Product(Base):  # a replica: no foreign keys
        __tablename__ = "products"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(40))

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)

    Table(  # no unit owns it, and all it references is here: it stays with orders
        "order_lines",
        Base.metadata,
        Column("order_id", ForeignKey("orders.id"), primary_key=True),
        Column("product_id", ForeignKey("products.id"), primary_key=True),
    )
    Table(  # no unit owns it, but it references another unit's table: not here
        "user_favourites",
        Base.metadata,
        Column("user_id", ForeignKey("users.id"), primary_key=True),
        Column("product_id", Integer, primary_key=True),
    )
    return Base.metadata


def _app_with_session(url: str) -> tuple[Flask, scoped_session]:
    app = Flask("orders")
    session = scoped_session(sessionmaker(bind=create_engine(url)))
    app.teardown_appcontext(lambda exc: session.remove())
    return app, session


def test_the_units_tables_are_created_and_nothing_else(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/orders.db"
    metadata = _shop_metadata()
    schema = Schema(
        tables=frozenset({"orders", "products"}), others=frozenset({"users"}), metadata=(metadata,)
    )
    app, session = _app_with_session(url)
    with app.app_context():
        done = prepare(schema, session_provider=session)
    assert done == "created 3 tables (order_lines, orders, products)"
    assert _tables(url) == ["order_lines", "orders", "products"]
    with app.app_context():  # a restart finds them and changes nothing
        assert prepare(schema, session_provider=session) == "every table exists"


def test_without_a_session_the_database_setting_names_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/orders.db"
    monkeypatch.setenv("ORDERS_DATABASE_URL", url)
    schema = Schema(
        tables=frozenset({"orders"}),
        others=frozenset({"users", "products"}),
        metadata=(_shop_metadata(),),
        database_env="ORDERS_DATABASE_URL",
    )
    with Flask("orders").app_context():
        prepare(schema)
    assert _tables(url) == ["orders"]


def test_a_unit_whose_schema_fails_is_not_ready_and_serves_nothing_until_it_is_fixed(tmp_path: Path) -> None:
    folder = tmp_path / "not-yet"
    url = f"sqlite:///{folder}/orders.db"
    app, session = _app_with_session(url)
    app.add_url_rule("/orders", "orders", lambda: {"orders": []})
    schema = Schema(
        tables=frozenset({"orders", "products"}), others=frozenset({"users"}), metadata=(_shop_metadata(),)
    )
    install(app, service="orders", exports={}, session_provider=session, schema=schema)
    client = app.test_client()

    ready = client.get("/readyz")
    assert ready.status_code == 503
    reason = ready.get_json()["reason"]
    assert reason.startswith("schema: OperationalError (request id ")  # the details are in the log
    assert "sqlite" not in reason
    internal = client.get("/readyz", base_url="http://localhost:8001").get_json()["reason"]
    assert internal.startswith(
        "schema: OperationalError: (sqlite3.OperationalError) unable to open database file"
    )
    assert "\n" not in internal
    refused = client.get("/orders")
    assert refused.status_code == 503
    assert "database schema is not ready" in refused.get_json()["error"]["message"]
    assert client.get("/healthz").status_code == 200  # alive: readiness, not liveness, holds traffic back

    folder.mkdir()
    deadline = time.monotonic() + 5
    while client.get("/readyz").status_code != 200:  # tried again, at most once a second
        assert time.monotonic() < deadline, client.get("/readyz").get_json()
        time.sleep(0.2)
    assert client.get("/orders").get_json() == {"orders": []}
    assert _tables(url) == ["order_lines", "orders", "products"]


def test_keys_to_and_from_replicas_stay_in_the_models_but_not_in_the_database(tmp_path: Path) -> None:
    # articles are this unit's; profiles and users are replicas: their keys are the ORM's, for joins,
    # whoever creates the tables: the runtime, or the application's own create_all
    class Base(DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(40))

    class Profile(Base):
        __tablename__ = "profiles"
        id: Mapped[int] = mapped_column(primary_key=True)
        user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"))
        parent_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))

    # as the carved models do once their classes are defined
    keys_left_to_the_orm(User, Profile, Article, replicas=("profiles", "users"))
    url = f"sqlite:///{tmp_path}/articles.db"
    engine = create_engine(url)
    Base.metadata.create_all(engine, tables=[Article.__table__])  # the app's own, say
    schema = Schema(tables=frozenset({"articles", "profiles", "users"}), metadata=(Base.metadata,))
    app, session = _app_with_session(url)
    with app.app_context():
        assert prepare(schema, session_provider=session) == "created 2 tables (profiles, users)"
    found = inspect(engine)
    assert found.get_foreign_keys("users") == [] and found.get_foreign_keys("profiles") == []
    # a key between two of the unit's own tables is the database's, as in the monolith
    assert [k["referred_table"] for k in found.get_foreign_keys("articles")] == ["articles"]
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        # an article may name a profile the copy does not hold yet, and copies arrive in any order
        connection.exec_driver_sql("INSERT INTO articles (id, author_id) VALUES (1, 5)")
        connection.exec_driver_sql("INSERT INTO profiles (id, user_id) VALUES (5, 9)")
        connection.exec_driver_sql("INSERT INTO users (id, name) VALUES (9, 'bob')")
        connection.commit()
    with sessionmaker(bind=engine)() as orm:  # the joins the keys imply still work
        query = orm.query(Article).join(Profile).join(User).filter(User.name == "bob")
        assert [a.id for a in query] == [1]
    engine.dispose()


_RACER = """
import sys, time
from flask import Flask
from sqlalchemy import MetaData, Table, Column, Integer, create_engine
from sqlalchemy.orm import scoped_session, sessionmaker
from monosplit_runtime.schema import Schema, prepare

url, start = sys.argv[1], float(sys.argv[2])
metadata = MetaData()
for index in range(40):
    Table(f"table_{index:02}", metadata, Column("id", Integer, primary_key=True))
session = scoped_session(sessionmaker(bind=create_engine(url)))
schema = Schema(tables=frozenset(metadata.tables), metadata=(metadata,))
time.sleep(max(0.0, start - time.time()))
with Flask("racer").app_context():
    print(prepare(schema, session_provider=session))
"""


def test_replicas_starting_at_once_take_turns(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "monosplit_runtime").symlink_to(ROOT / "generator" / "runtime")
    script = site / "racer.py"
    script.write_text(textwrap.dedent(_RACER))
    url = f"sqlite:///{tmp_path}/shared.db"
    start = time.time() + 2.0  # every process is up and waiting by then
    racers = [
        subprocess.Popen(
            [sys.executable, str(script), url, str(start)],
            cwd=site,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [racer.communicate(timeout=60) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0, 0, 0], [err for _, err in results]
    said = sorted(out.strip() for out, _ in results)
    assert (
        said
        == ["created 40 tables (" + ", ".join(f"table_{i:02}" for i in range(40)) + ")"]
        + ["every table exists"] * 3
    )
    assert len(_tables(url)) == 40
