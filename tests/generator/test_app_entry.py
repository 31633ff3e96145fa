"""Which function or object builds the Flask application, as the generated entry points call it.

Each test writes a small project for real, analyses it and reads it as
``monosplit migrate`` does, and checks the application entry it found.
"""

from __future__ import annotations

import json
import textwrap
import urllib.request
from pathlib import Path

import pytest

from analyzer.analysis import analyze
from analyzer.options import load_options
from generator.generate.codebase import AppEntry, read_codebase
from tests.generator.live import migrate, running


def app_entry(root: Path, files: dict[str, str]) -> AppEntry | None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return read_codebase(analyze(root, load_options(root)), root).app_entry


def test_a_factory_building_the_projects_own_flask_subclass_is_the_app_factory(tmp_path: Path) -> None:
    # CTFd's shape: create_app() builds CTFdFlask(__name__), a Flask subclass with its own request class
    entry = app_entry(
        tmp_path,
        {
            "shop/__init__.py": """
                from flask import Flask

                class ShopFlask(Flask):
                    pass

                def create_app(config="shop.config.Config"):
                    app = ShopFlask(__name__)
                    app.config.from_object(config)
                    return app
            """,
            "shop/config.py": "class Config:\n    DEBUG = False\n",
        },
    )

    assert entry == AppEntry("shop", "create_app", factory=True)


def test_a_subclass_of_a_subclass_in_another_module_builds_the_app_too(tmp_path: Path) -> None:
    entry = app_entry(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/base.py": """
                import flask

                class BaseFlask(flask.Flask):
                    pass
            """,
            "shop/app.py": """
                from shop.base import BaseFlask

                class ShopFlask(BaseFlask):
                    pass

                app = ShopFlask(__name__)
            """,
        },
    )

    assert entry == AppEntry("shop.app", "app", factory=False)


def test_a_factory_building_a_class_that_is_not_flask_is_not_the_app_factory(tmp_path: Path) -> None:
    entry = app_entry(
        tmp_path,
        {
            "shop/__init__.py": """
                from flask import Flask

                class FlaskReport:
                    pass

                def make_report():
                    return FlaskReport()

                app = Flask(__name__)
            """,
        },
    )

    assert entry == AppEntry("shop", "app", factory=False)


#: a factory that imports, in its app context, a module registering a hook on ``current_app``
HOOK_ON_CURRENT_APP = {
    "hooky/__init__.py": """
        from flask import Flask

        class HookyFlask(Flask):
            pass

        def create_app():
            app = HookyFlask(__name__)
            with app.app_context():
                import hooky.urls  # registers its url_defaults on current_app, as it is imported
                from hooky.views import views

                app.register_blueprint(views)
            return app
    """,
    "hooky/urls.py": """
        from flask import current_app

        @current_app.url_defaults
        def page_language(endpoint, values):
            if endpoint == "views.page":
                values.setdefault("lang", "en")
    """,
    "hooky/views.py": """
        from flask import Blueprint, url_for

        views = Blueprint("views", __name__)

        @views.route("/")
        def index():
            return {"page": url_for("views.page")}

        @views.route("/page")
        def page():
            return {"page": "here"}
    """,
}


@pytest.mark.slow
def test_a_module_registering_hooks_on_current_app_is_imported_in_the_apps_context(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app_entry(app, HOOK_ON_CURRENT_APP)
    migrate(app, tmp_path / "out")
    for architecture in ("monolith", "two-tier"):
        with (
            running(tmp_path / "out" / architecture) as run,
            urllib.request.urlopen(run.base_url + "/", timeout=30) as response,
        ):
            assert json.loads(response.read()) == {"page": "/page?lang=en"}, architecture
