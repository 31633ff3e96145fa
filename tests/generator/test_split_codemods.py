"""The codemods that cut a unit loose: before/after pairs, as LibCST's own codemod tests are written."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from generator.codemods.carve import carve_module
from generator.codemods.foreign_keys import strip_foreign_links
from generator.codemods.startup import drop_startup_calls


def _dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


MODELS = _dedent(
    """
    class Order(Base):
        __tablename__ = "orders"

        id: Mapped[int] = mapped_column(primary_key=True)
        user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
        user: Mapped["User"] = relationship(back_populates="orders")
        items: Mapped[list["OrderItem"]] = relationship(back_populates="order")


    class OrderItem(Base):
        __tablename__ = "order_items"

        id: Mapped[int] = mapped_column(primary_key=True)
        order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
        product_id: Mapped[int] = mapped_column(ForeignKey(Product.id))
        order: Mapped[Order] = relationship("Order", back_populates="items")
    """
)


def test_links_to_another_services_tables_and_classes_are_cut() -> None:
    module, removed = strip_foreign_links(
        cst.parse_module(MODELS),
        {"Order": False, "OrderItem": False},
        keep_tables={"orders", "order_items"},
        keep_classes={"Order", "OrderItem"},
        table_of_class={
            "Product": "products",
            "User": "users",
            "Order": "orders",
            "OrderItem": "order_items",
        },
    )
    assert module.code == _dedent(
        """
        class Order(Base):
            __tablename__ = "orders"

            id: Mapped[int] = mapped_column(primary_key=True)
            user_id: Mapped[int] = mapped_column(index=True)
            items: Mapped[list["OrderItem"]] = relationship(back_populates="order")


        class OrderItem(Base):
            __tablename__ = "order_items"

            id: Mapped[int] = mapped_column(primary_key=True)
            order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
            product_id: Mapped[int] = mapped_column()
            order: Mapped[Order] = relationship("Order", back_populates="items")
        """
    )
    assert [(r.model, r.attribute, r.kind, r.target) for r in removed] == [
        ("Order", "user_id", "foreign key", "users"),
        ("Order", "user", "relationship", "User"),
        ("OrderItem", "product_id", "foreign key", "products"),
    ]


def test_a_replica_keeps_its_columns_only() -> None:
    module, removed = strip_foreign_links(
        cst.parse_module(MODELS),
        {"OrderItem": True},
        keep_tables={"carts"},
        keep_classes={"Cart"},
        table_of_class={"Product": "products", "Order": "orders"},
    )
    replica = module.code.split("class OrderItem")[1]
    assert "ForeignKey" not in replica and "relationship" not in replica
    assert "order_id = Column(Integer, nullable=False)" in replica
    assert {r.kind for r in removed} == {"foreign key", "relationship"}
    compile(module.code, "<replica>", "exec")


FACTORY = _dedent(
    """
    def create_app():
        app = Flask(__name__)
        init_db(engine)
        if settings.seed:
            with session_scope(factory) as session:
                seed_demo_catalog(session)
        register(app)
        return app
    """
)


def test_another_services_startup_work_leaves_the_factory() -> None:
    module, dropped = drop_startup_calls(
        cst.parse_module(FACTORY), "create_app", {"seed_demo_catalog": "catalog"}
    )
    assert dropped == ("seed_demo_catalog",)
    assert module.code == FACTORY.replace(
        "seed_demo_catalog(session)",
        "pass  # monosplit: seed_demo_catalog() runs at the catalog service's own startup, not here",
    )
    compile(module.code, "<factory>", "exec")


@pytest.mark.parametrize(
    ("before", "keep", "stubs", "after"),
    [
        pytest.param(
            """
            import os
            from flask import Blueprint

            bp = Blueprint("cart", __name__)
            PAGE = int(os.environ.get("PAGE", "20"))
            policy = Policy.from_settings()


            class Policy:
                pass


            def view():
                return PAGE
            """,
            set(),
            {"Policy": "class Policy(RemoteRecord):\n    pass\n"},
            """
            import os
            from flask import Blueprint

            bp = Blueprint("cart", __name__)
            PAGE = int(os.environ.get("PAGE", "20"))


            class Policy(RemoteRecord):
                pass
            """,
            id="module-level code stays for other modules, unless it ran against a stubbed definition",
        ),
        pytest.param(
            """
            from . import views  # registers the routes
            from .helpers import helper
            from .other import thing


            def keep():
                return thing
            """,
            {"keep"},
            {},
            """
            from . import views  # registers the routes
            from .other import thing


            def keep():
                return thing
            """,
            id="an unused import of a project module stays; an unused name does not",
        ),
    ],
)
def test_carving_for_a_unit(before: str, keep: set[str], stubs: dict[str, str], after: str) -> None:
    result = carve_module(
        _dedent(before),
        keep,
        stubs=stubs,
        keep_orphans=True,
        modules={"app", "app.views", "app.helpers", "app.other"},
        package="app",
    )
    assert result.code == _dedent(after)
    compile(result.code, "<carved>", "exec")
