"""carve_module as before/after pairs: what a service keeps of a layered module."""

from __future__ import annotations

import textwrap

import pytest

from generator.codemods.carve import carve_module


def _carve(before: str, keep: set[str]) -> tuple[str, tuple[str, ...]]:
    result = carve_module(textwrap.dedent(before).lstrip("\n"), keep)
    return result.code, result.unresolved


@pytest.mark.parametrize(
    ("before", "keep", "after", "unresolved"),
    [
        pytest.param(
            '''
            """Billing: payments and subscriptions."""
            from __future__ import annotations

            import logging
            import re
            from decimal import Decimal

            logger = logging.getLogger(__name__)
            CARD = re.compile(r"^\\d{16}$")

            # Charges a card.
            def charge(card: str, amount: Decimal) -> bool:
                logger.info("charging")
                return bool(CARD.match(card))


            def subscribe(user_id):  # a subscription, another capability
                return charge("0" * 16, Decimal("8.99"))
            ''',
            {"charge"},
            '''
            """Billing: payments and subscriptions."""
            from __future__ import annotations

            import logging
            import re
            from decimal import Decimal

            logger = logging.getLogger(__name__)
            CARD = re.compile(r"^\\d{16}$")

            # Charges a card.
            def charge(card: str, amount: Decimal) -> bool:
                logger.info("charging")
                return bool(CARD.match(card))
            ''',
            (),
            id="keeps what the kept function needs, drops the rest",
        ),
        pytest.param(
            """
            import json
            from .models import Order, Payment, Refund
            from .money import to_cents

            def place(order):
                return Order(total=to_cents(order))

            def refund(payment):
                return Refund(payment=Payment(json.loads(payment)))
            """,
            {"place"},
            """
            from .models import Order
            from .money import to_cents

            def place(order):
                return Order(total=to_cents(order))
            """,
            (),
            id="unused names leave the import, the import goes when empty",
        ),
        pytest.param(
            """
            from flask import Blueprint

            bp = Blueprint("orders", __name__)
            _cache = {}

            @bp.get("/orders")
            def list_orders():
                return recommend()

            @bp.get("/recommendations")
            def recommend():
                return _cache
            """,
            {"list_orders"},
            """
            from flask import Blueprint

            bp = Blueprint("orders", __name__)

            @bp.get("/orders")
            def list_orders():
                return recommend()
            """,
            ("recommend",),
            id="a call into a removed symbol is reported as unresolved",
        ),
        pytest.param(
            """
            __all__ = ["a", "b"]

            def a():
                return 1

            def b():
                return 2

            if __name__ == "__main__":
                print(b())
            """,
            {"a"},
            """
            __all__ = ["a"]

            def a():
                return 1
            """,
            (),
            id="__all__ is filtered and a main guard using removed code goes",
        ),
        pytest.param(
            """
            try:
                import ujson as json
            except ImportError:
                import json

            def dump(x):
                return json.dumps(x)

            def other():
                return 0
            """,
            {"dump"},
            """
            try:
                import ujson as json
            except ImportError:
                import json

            def dump(x):
                return json.dumps(x)
            """,
            (),
            id="conditional imports stay when used",
        ),
    ],
)
def test_carve(before: str, keep: set[str], after: str, unresolved: tuple[str, ...]) -> None:
    code, missing = _carve(before, keep)
    assert code == textwrap.dedent(after).lstrip("\n")
    assert missing == unresolved
    compile(code, "<carved>", "exec")


def test_carving_is_deterministic_and_idempotent() -> None:
    source = "import os\n\n\ndef a():\n    return os.sep\n\n\ndef b():\n    return 2\n"
    once = carve_module(source, {"a"}).code
    assert carve_module(source, {"a"}).code == once
    assert carve_module(once, {"a"}).code == once


def test_another_name_for_a_stubbed_function_stays_bound_to_the_stub() -> None:
    before = textwrap.dedent(
        """
        def can_edit(request):
            return request

        can_delete = can_edit
        VALUE = can_edit(None)
        """
    ).lstrip("\n")
    stub = "from service_clients.topic import can_edit\n"
    result = carve_module(before, set(), stubs={"can_edit": stub}, keep_orphans=True)
    # other modules import ``can_delete``: it names the client; a call at import does not stay
    assert result.code == "\nfrom service_clients.topic import can_edit\n\ncan_delete = can_edit\n"


def test_an_import_other_modules_import_from_here_stays_though_no_kept_code_uses_it() -> None:
    # CTFd.constants.config re-exports option types that moved to CTFd.constants.options;
    # CTFd.forms.setup still imports them from config: dropping the import broke that import
    before = textwrap.dedent(
        """
        from shop.options import Colour, Size  # noqa: F401  (moved; still importable from here)
        from shop.prices import price


        def label(item):
            return f"{item}: {price(item)}"


        def describe(item):
            return str(item)
        """
    ).lstrip("\n")

    result = carve_module(before, {"describe"}, reexported={"Colour"})

    assert result.code == textwrap.dedent(
        """
        from shop.options import Colour  # noqa: F401  (moved; still importable from here)


        def describe(item):
            return str(item)
        """
    ).lstrip("\n")
