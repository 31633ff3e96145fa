"""Which of the application's own test files each unit runs: decided from imports and requests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.run.manifest import load_manifest
from generator.verify.apptests import AppTestsError, application_names, load_app_tests, unit_contents
from generator.verify.selection import (
    Binding,
    Imported,
    Kind,
    ModuleBindings,
    UnitContents,
    bindings_of,
    imports_of,
    requests_of,
    select_tests,
)

ROOT = Path(__file__).resolve().parents[3]
OUTPUT = ROOT / "output"


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_imports_are_absolute_and_pytest_plugins_count() -> None:
    source = textwrap.dedent(
        """
        import shop.models
        from .factories import UserFactory
        from .. import helpers
        from shop.services import *
        pytest_plugins = ["tests.fixtures.app"]

        def test_x():
            from shop.db import session
        """
    )
    found = imports_of(source, "tests.unit.test_a", is_package=False)
    assert Imported("shop.models", from_import=False) in found
    assert Imported("tests.unit.factories.UserFactory", from_import=True) in found
    assert Imported("tests.helpers", from_import=True) in found
    assert Imported("shop.services", from_import=False, star=True) in found
    assert Imported("tests.fixtures.app", from_import=False) in found
    assert Imported("shop.db.session", from_import=True) in found  # a lazy import inside a test


def test_requests_with_constant_paths_and_url_for_endpoints() -> None:
    requests, endpoints = requests_of(
        'client.get("/api/cart?x=1")\nclient.post(f"/api/items/{item.id}", json={})\n'
        'dict.get("key")\nurl_for("articles.make_article")\n'
    )
    assert requests == (("GET", "/api/cart"), ("POST", "/api/items/1"))
    assert endpoints == ("articles.make_article",)


def test_what_a_module_binds_follows_if_and_try_blocks() -> None:
    bindings = bindings_of(
        "from .models import User as Account\nimport shop.db\ntry:\n    X = 1\nexcept ImportError:\n    pass\n"
        "from service_clients.users import charge\nfrom .base import *\n",
        "shop.api",
        is_package=False,
    )
    assert bindings is not None
    assert bindings.names["Account"] == Binding(Kind.FROM, "shop.models.User")
    assert bindings.names["shop"] == Binding(Kind.MODULE, "shop")
    assert bindings.names["X"] == Binding(Kind.DEFINED)
    assert bindings.names["charge"] == Binding(Kind.FROM, "service_clients.users.charge")
    assert bindings.stars == ("shop.base",)


def _contents(sources: dict[str, str], kept: set[str], foreign: set[str]) -> UnitContents:
    parsed = {name: bindings_of(text, name, is_package=False) for name, text in sources.items()}
    return UnitContents(
        frozenset({"shop", *sources}),
        frozenset(kept),
        frozenset(foreign),
        lambda module: parsed.get(module) or ModuleBindings({}),
        frozenset({"shop"}),
    )


def test_a_name_is_the_units_when_it_keeps_it_or_re_exports_what_it_keeps() -> None:
    unit = _contents(
        {
            "shop.models": "class User: ...\nclass Order: ...\nLIMIT = 3\n",
            "shop.api": "from shop.models import User, Order\nfrom service_clients.orders import pay\n",
            "shop.cycle": "from shop.loop import X\n",
            "shop.loop": "from shop.cycle import X\n",
        },
        kept={"shop.models.User"},
        foreign={"shop.models.Order"},
    )
    assert unit.has(Imported("shop.models.User", from_import=True))
    assert not unit.has(Imported("shop.models.Order", from_import=True))  # another unit's: a record here
    assert unit.has(Imported("shop.models.LIMIT", from_import=True))  # a module-level value it keeps
    assert unit.has(Imported("shop.api.User", from_import=True))
    assert not unit.has(Imported("shop.api.Order", from_import=True))
    assert not unit.has(Imported("shop.api.pay", from_import=True))  # a client stub
    assert not unit.has(Imported("shop.cycle.X", from_import=True))  # a cycle ends, answering no
    assert not unit.has(Imported("shop.gone", from_import=False))


def test_the_monolith_has_every_test_and_a_service_the_ones_it_imports_and_routes(tmp_path: Path) -> None:
    tests = load_app_tests(ROOT / "sample_monolith" / "tests")
    assert tests.location == "tests" and not tests.suite.package
    monolith = load_manifest(OUTPUT / "monolith")
    application = application_names(monolith)
    assert application == {"streamshop", "wsgi", "service_main"}
    whole = select_tests(tests.suite, unit_contents(monolith, monolith.units[0], application))
    assert len(whole.selected) == len(tests.suite.test_files) and not whole.excluded
    # the conftest registers users and reads the catalog through the test client: no service routes
    # both, so no service runs a test file; the two-tier client, which routes everything, runs those
    # whose imports it has
    services = load_manifest(OUTPUT / "microservices")
    for unit in services.units:
        selection = select_tests(tests.suite, unit_contents(services, unit, application))
        assert not selection.selected
        assert {e.through for e in selection.excluded} == {"conftest.py"}
    catalog = select_tests(tests.suite, unit_contents(services, services.unit("catalog"), application))
    assert catalog.excluded[0].missing == "POST /api/auth/login"  # the users service's route
    two_tier = load_manifest(OUTPUT / "two-tier")
    client = select_tests(tests.suite, unit_contents(two_tier, two_tier.unit("client"), application))
    assert "test_catalog.py" in client.selected
    excluded = {e.path: e.missing for e in client.excluded}
    assert excluded["test_checkout.py"] == "streamshop.models.catalog.Product"  # the server's model


def test_a_package_suite_is_placed_where_its_init_files_say(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/tests/__init__.py": "",
            "app/tests/test_a.py": "def test_a():\n    pass\n",
            "pytest.ini": "[pytest]\n",
        },
    )
    tests = load_app_tests(tmp_path / "app" / "tests")
    assert tests.location == "app/tests"
    assert tests.suite.test_files[0].name == "app.tests.test_a"
    assert dict(tests.config_files)["pytest.ini"] == b"[pytest]\n"


def test_a_folder_without_tests_is_one_clear_error(tmp_path: Path) -> None:
    _write(tmp_path, {"helpers.py": "X = 1\n"})
    with pytest.raises(AppTestsError, match="no test files in it"):
        load_app_tests(tmp_path)
    with pytest.raises(AppTestsError, match="no such folder"):
        load_app_tests(tmp_path / "missing")
