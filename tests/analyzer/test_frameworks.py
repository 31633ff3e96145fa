"""Framework knowledge: routes, models and tables, reads and writes, configuration."""

from __future__ import annotations

from analyzer.analysis import Analysis
from tests.conftest import WriteTree, edges_of, run_analysis


def test_flask_blueprint_routes_with_prefixes(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "shop/__init__.py": "",
            "shop/app.py": """
                from flask import Flask
                from shop.views import orders_bp, users

                def create_app():
                    app = Flask(__name__)
                    app.register_blueprint(orders_bp, url_prefix="/api/orders")
                    app.register_blueprint(users.bp)
                    return app
            """,
            "shop/views/__init__.py": "from .orders import orders_bp\n",
            "shop/views/orders.py": """
                from flask import Blueprint
                orders_bp = Blueprint("orders", __name__)

                @orders_bp.route("/", methods=["GET", "POST"])
                def list_or_create():
                    return []

                @orders_bp.get("/<int:order_id>")
                def show(order_id):
                    return {}
            """,
            "shop/views/users.py": """
                import flask
                bp = flask.Blueprint("users", __name__, url_prefix="/api/users")

                def profile():
                    return {}

                bp.add_url_rule("/me", view_func=profile, methods=["GET"])
            """,
        }
    )
    routes = edges_of(run_analysis(root), "route")
    assert routes == {
        ("route:GET /api/orders/", "shop.views.orders.list_or_create"),
        ("route:POST /api/orders/", "shop.views.orders.list_or_create"),
        ("route:GET /api/orders/<int:order_id>", "shop.views.orders.show"),
        ("route:GET /api/users/me", "shop.views.users.profile"),
    }


def test_flask_endpoints_are_the_names_url_for_builds_from(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "blog/__init__.py": """
                from flask import Flask
                from blog.main import bp

                app = Flask(__name__)
                app.register_blueprint(bp)

                @app.route("/ping")
                def ping():
                    return "pong"
            """,
            "blog/main.py": """
                from flask import Blueprint
                bp = Blueprint("main", __name__)

                @bp.route("/")
                @bp.route("/index")
                def index():
                    return ""

                @bp.get("/feed", endpoint="rss")
                def feed():
                    return ""

                def about():
                    return ""

                bp.add_url_rule("/about", "about_page", view_func=about)
            """,
        }
    )
    routes = {
        node: (data.get("endpoint"), data.get("endpoint_rank"))
        for node, data in _nodes_of(run_analysis(root), "route").items()
    }
    assert routes == {
        # decorators apply from the bottom up: "/index" is registered first, so url_for builds it
        "route:GET /index": ("main.index", 0),
        "route:GET /": ("main.index", 1),
        "route:GET /feed": ("main.rss", 0),
        "route:GET /about": ("main.about_page", 0),
        "route:GET /ping": ("ping", 0),
    }


def test_fastapi_routers_and_include_prefix(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "main.py": """
                from fastapi import FastAPI
                from routers import items
                app = FastAPI()
                app.include_router(items.router, prefix="/v1")

                @app.get("/health")
                async def health():
                    return {"ok": True}
            """,
            "routers/__init__.py": "",
            "routers/items.py": """
                from fastapi import APIRouter
                router = APIRouter(prefix="/items")

                @router.post("/")
                async def create_item(): ...

                @router.api_route("/{item_id}", methods=["GET", "DELETE"])
                async def item(item_id: int): ...
            """,
        }
    )
    assert edges_of(run_analysis(root), "route") == {
        ("route:GET /health", "main.health"),
        ("route:POST /v1/items/", "routers.items.create_item"),
        ("route:GET /v1/items/{item_id}", "routers.items.item"),
        ("route:DELETE /v1/items/{item_id}", "routers.items.item"),
    }


def test_django_models_string_references_and_urlpatterns(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "site/urls.py": """
                from django.urls import include, path
                urlpatterns = [path("orders/", include("orders.urls"))]
            """,
            "orders/__init__.py": "",
            "orders/models.py": """
                from django.db import models

                class Order(models.Model):
                    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE)
                    class Meta:
                        db_table = "shop_orders"

                class Line(models.Model):
                    order = models.ForeignKey(Order, on_delete=models.CASCADE)
            """,
            "orders/views.py": """
                from django.apps import apps
                from django.views import View
                from .models import Order

                def order_list(request):
                    return list(Order.objects.filter(paid=True))

                def cancel(request, pk):
                    Order.objects.filter(pk=pk).delete()

                def customers(request):
                    Customer = apps.get_model("accounts", "Customer")
                    return Customer.objects.count()

                class OrderDetail(View):
                    def get(self, request, pk): ...
            """,
            "orders/urls.py": """
                from django.urls import path
                from . import views
                urlpatterns = [
                    path("", views.order_list),
                    path("<int:pk>/cancel/", views.cancel),
                    path("<int:pk>/", views.OrderDetail.as_view()),
                ]
            """,
            "accounts/__init__.py": "",
            "accounts/models.py": """
                from django.db import models
                class Customer(models.Model):
                    name = models.CharField(max_length=50)
            """,
        }
    )
    analysis = run_analysis(root)
    assert edges_of(analysis, "maps") == {
        ("orders.models.Order", "table:shop_orders"),
        ("orders.models.Line", "table:orders_line"),
        ("accounts.models.Customer", "table:accounts_customer"),
    }
    references = edges_of(analysis, "reference")
    assert ("orders.models.Order", "accounts.models.Customer") in references
    assert ("orders.models.Line", "orders.models.Order") in references
    assert ("orders.views.order_list", "table:shop_orders") in edges_of(analysis, "read")
    assert ("orders.views.cancel", "table:shop_orders") in edges_of(analysis, "write")
    assert ("orders.views.customers", "table:accounts_customer") in edges_of(analysis, "read")
    assert edges_of(analysis, "route") == {
        ("route:ANY /orders/", "orders.views.order_list"),
        ("route:ANY /orders/<int:pk>/cancel/", "orders.views.cancel"),
        ("route:ANY /orders/<int:pk>/", "orders.views.OrderDetail"),
    }


def test_sqlalchemy_models_reads_writes_and_raw_sql(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "app/__init__.py": "",
            "app/models.py": """
                from sqlalchemy import ForeignKey
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

                class Base(DeclarativeBase):
                    pass

                class User(Base):
                    __tablename__ = "users"
                    id: Mapped[int] = mapped_column(primary_key=True)

                class Order(Base):
                    __tablename__ = "orders"
                    id: Mapped[int] = mapped_column(primary_key=True)
                    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
                    user = relationship("User")
            """,
            "app/service.py": """
                from sqlalchemy import select, text, update
                from app.models import Order, User

                def place(session, user_id):
                    order = Order(user_id=user_id)
                    session.add(order)
                    return order

                def find_user(session, uid):
                    return session.scalars(select(User).where(User.id == uid)).first()

                def mark_paid(session, order: Order):
                    order.paid = True

                def report(session):
                    return session.execute(text("SELECT u.id, count(*) FROM users u JOIN orders o ON o.user_id = u.id GROUP BY u.id"))

                def purge(session):
                    session.execute(text("DELETE FROM orders WHERE paid = 0"))
            """,
        }
    )
    analysis = run_analysis(root)
    assert edges_of(analysis, "maps") == {
        ("app.models.User", "table:users"),
        ("app.models.Order", "table:orders"),
    }
    assert ("app.models.Order", "app.models.User") in edges_of(analysis, "reference")
    writes = edges_of(analysis, "write")
    reads = edges_of(analysis, "read")
    assert ("app.service.place", "table:orders") in writes
    assert ("app.service.mark_paid", "table:orders") in writes
    assert ("app.service.purge", "table:orders") in writes
    assert ("app.service.find_user", "table:users") in reads
    assert {("app.service.report", "table:users"), ("app.service.report", "table:orders")} <= reads
    assert ("app.service.find_user", "table:users") not in writes


def test_configuration_reads_and_secrets(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "svc/__init__.py": "",
            "svc/settings.py": """
                import os
                from os import environ
                SECRET_KEY = os.environ["SECRET_KEY"]
                DATABASE_URL = os.getenv("DATABASE_URL", "sqlite://")
                PAGE_SIZE = int(environ.get("PAGE_SIZE", "20"))
            """,
            "svc/web.py": """
                from flask import current_app
                from svc import settings

                def page_size():
                    return settings.PAGE_SIZE

                def mail_host():
                    return current_app.config["SMTP_HOST"], current_app.config.get("STRIPE_API_KEY")
            """,
        }
    )
    analysis = run_analysis(root)
    config = edges_of(analysis, "config")
    assert {
        ("svc.settings", "config:SECRET_KEY"),
        ("svc.settings", "config:DATABASE_URL"),
        ("svc.settings", "config:PAGE_SIZE"),
        ("svc.web.page_size", "config:PAGE_SIZE"),
        ("svc.web.mail_host", "config:SMTP_HOST"),
        ("svc.web.mail_host", "config:STRIPE_API_KEY"),
    } <= config
    nodes = analysis.graph.nodes
    assert nodes["config:SECRET_KEY"]["secret"] is True
    assert nodes["config:STRIPE_API_KEY"]["secret"] is True
    assert nodes["config:PAGE_SIZE"]["secret"] is False


def _nodes_of(analysis: Analysis, kind: str) -> dict[str, dict[str, object]]:
    return {
        node: {k: v for k, v in data.items() if k != "kind"}
        for node, data in analysis.graph.nodes(data=True)
        if data.get("kind") == kind
    }


def test_sqlalchemy_metadata_is_found_where_it_is_declared(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "shop/__init__.py": """
                from flask_sqlalchemy import SQLAlchemy
                db = SQLAlchemy()
            """,
            "shop/models.py": """
                from shop import db

                class User(db.Model):
                    id = db.Column(db.Integer, primary_key=True)
            """,
            "shop/legacy.py": """
                import sqlalchemy as sa
                from sqlalchemy.orm import DeclarativeBase, declarative_base

                meta = sa.MetaData()
                OldBase = declarative_base()

                class Base(DeclarativeBase):
                    metadata = sa.MetaData()

                class Invoice(Base):
                    __tablename__ = "invoices"

                class Audit(OldBase):
                    __tablename__ = "audits"
            """,
        }
    )
    assert _nodes_of(run_analysis(root), "metadata") == {
        "metadata:shop.db": {"name": "shop.db", "module": "shop", "declared_by": "flask-sqlalchemy"},
        "metadata:shop.legacy.Base": {
            "name": "shop.legacy.Base",
            "module": "shop.legacy",
            "declared_by": "declarative-base",
        },
        "metadata:shop.legacy.OldBase": {
            "name": "shop.legacy.OldBase",
            "module": "shop.legacy",
            "declared_by": "declarative-base",
        },
        "metadata:shop.legacy.meta": {
            "name": "shop.legacy.meta",
            "module": "shop.legacy",
            "declared_by": "metadata",
        },
    }


def test_flask_migrate_set_up_in_the_app_factory(write_tree: WriteTree) -> None:
    factory = write_tree(
        {
            "blog/__init__.py": """
                from flask import Flask
                from flask_migrate import Migrate
                from flask_sqlalchemy import SQLAlchemy

                db = SQLAlchemy()
                migrate = Migrate(directory="db/migrations")

                def create_app():
                    app = Flask(__name__)
                    db.init_app(app)
                    migrate.init_app(app, db)
                    return app
            """,
        }
    )
    assert _nodes_of(run_analysis(factory), "migrations") == {
        "migrations:db/migrations": {
            "tool": "flask-migrate",
            "directory": "db/migrations",
            "metadata": "blog.db",
        }
    }


def test_flask_migrate_set_up_at_module_level(write_tree: WriteTree) -> None:
    module_level = write_tree(
        {
            "wiki.py": """
                from flask import Flask
                from flask_migrate import Migrate
                from flask_sqlalchemy import SQLAlchemy

                app = Flask(__name__)
                db = SQLAlchemy(app)
                Migrate(app, db)
            """,
        }
    )
    assert _nodes_of(run_analysis(module_level), "migrations") == {
        "migrations:migrations": {"tool": "flask-migrate", "directory": "migrations", "metadata": "wiki.db"}
    }


def test_an_alembic_environment_names_its_folder_and_metadata(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "shop/__init__.py": "",
            "shop/db.py": """
                from sqlalchemy.orm import DeclarativeBase

                class Base(DeclarativeBase):
                    pass
            """,
            "migrations/env.py": """
                from alembic import context
                from shop.db import Base

                target_metadata = Base.metadata

                def run_migrations_online():
                    context.configure(connection=None, target_metadata=target_metadata)
                    with context.begin_transaction():
                        context.run_migrations()

                run_migrations_online()
            """,
            "migrations/versions/0001_first.py": "revision = '0001'\n",
        }
    )
    assert _nodes_of(run_analysis(root), "migrations") == {}  # migrations/ is skipped by default
    assert _nodes_of(run_analysis(root, include_migrations=True), "migrations") == {
        "migrations:migrations": {"tool": "alembic", "directory": "migrations", "metadata": "shop.db.Base"}
    }


def test_flask_class_views_registered_through_a_helper(write_tree: WriteTree) -> None:
    # The app's own helper loops over rules and calls add_url_rule; views are MethodView/View
    # classes; blueprint prefixes come from the config defaults, a variable, or nowhere static.
    root = write_tree(
        {
            "board/__init__.py": "",
            "board/configs.py": """
                class BaseConfig:
                    USER_URL_PREFIX = "/people"

                class DefaultConfig(BaseConfig):
                    USER_URL_PREFIX = "/user"
                    FORUM_URL_PREFIX = ""
            """,
            "board/helpers.py": """
                def register_view(bp_or_app, routes, view_func, *args, **kwargs):
                    for route in routes:
                        bp_or_app.add_url_rule(route, view_func=view_func, *args, **kwargs)
            """,
            "board/app.py": """
                from flask import Flask
                from board.views import load_blueprints

                def create_app(config=None):
                    app = Flask(__name__)
                    app.config.from_object("board.configs.DefaultConfig")
                    app.config.from_object(config)
                    load_blueprints(app)
                    return app
            """,
            "board/views.py": """
                from flask import Blueprint
                from flask.views import MethodView, View
                from board.helpers import register_view as add_view

                class Profile(MethodView):
                    def get(self, name):
                        return name

                    def post(self, name):
                        return name

                class Feed(View):
                    methods = ["GET", "POST"]

                    def dispatch_request(self):
                        return ""

                class Index(MethodView):
                    def get(self):
                        return ""

                def load_blueprints(app):
                    user = Blueprint("user", __name__)
                    add_view(user, routes=["/<name>", "/<name>/profile"], view_func=Profile.as_view("profile"))
                    feed_view = Feed.as_view("feed")
                    user.add_url_rule("/feed", view_func=feed_view)
                    app.register_blueprint(user, url_prefix=app.config["USER_URL_PREFIX"])

                    forum = Blueprint("forum", __name__)
                    add_view(forum, ["/"], Index.as_view("index"))
                    app.register_blueprint(forum, url_prefix=app.config["FORUM_URL_PREFIX"])

                    api = Blueprint("api", __name__)
                    api.add_url_rule("/items", view_func=Index.as_view("items"))
                    prefix = "/api"
                    app.register_blueprint(api, url_prefix=prefix)

                    admin = Blueprint("admin", __name__)
                    admin.add_url_rule("/", view_func=Index.as_view("overview"))
                    app.register_blueprint(admin, url_prefix=app.config["ADMIN_URL_PREFIX"])
            """,
        }
    )
    analysis = run_analysis(root)
    assert edges_of(analysis, "route") == {
        ("route:GET /user/<name>", "board.views.Profile.get"),
        ("route:POST /user/<name>", "board.views.Profile.post"),
        ("route:GET /user/<name>/profile", "board.views.Profile.get"),
        ("route:POST /user/<name>/profile", "board.views.Profile.post"),
        ("route:GET /user/feed", "board.views.Feed.dispatch_request"),
        ("route:POST /user/feed", "board.views.Feed.dispatch_request"),
        ("route:GET /", "board.views.Index.get"),
        ("route:GET /api/items", "board.views.Index.get"),
        # ADMIN_URL_PREFIX has no static default: the prefix is recorded as unknown, not guessed
        ("route:GET {ADMIN_URL_PREFIX}/", "board.views.Index.get"),
    }
    routes = {
        node: (data.get("endpoint"), data.get("endpoint_rank"), data.get("unknown_prefix"))
        for node, data in _nodes_of(analysis, "route").items()
    }
    assert routes["route:GET /user/<name>"] == ("user.profile", 0, None)
    assert routes["route:GET /user/<name>/profile"] == ("user.profile", 1, None)
    assert routes["route:POST /user/feed"] == ("user.feed", 0, None)
    assert routes["route:GET /"] == ("forum.index", 0, None)
    assert routes["route:GET {ADMIN_URL_PREFIX}/"] == ("admin.overview", 0, "ADMIN_URL_PREFIX")
