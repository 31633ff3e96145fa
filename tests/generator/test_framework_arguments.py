"""A call handed an object no service boundary can carry runs in the caller's unit.

Plugin-style apps (FlaskBB's shape) build their blueprints in hook functions
the app factory reaches only through a plugin manager, so the analyzer cannot
follow the call, and hand each Blueprint to a project helper that registers
views on it. Which unit the helper lives in does not matter; what it is handed
does: a Blueprint, the app, a function or a plain object has no wire form, so
a client stub for the helper fails at start-up (``UnencodableValue``). The
helper is carried into each unit whose code hands it such an object (a context
local of the request, ``g`` or ``current_user``, included). So is a
decorator, whatever calls it: it is handed a function and returns one (Flask
applies a class-based view's ``decorators`` itself, where no analysis sees it),
and a factory returning a new service object of a plain class.
"""

from __future__ import annotations

import json
import textwrap
import urllib.request
from pathlib import Path

import pytest

from analyzer.analysis import analyze
from analyzer.options import load_options
from analyzer.plan import load_pins, suggest
from analyzer.plan.model import Plan
from analyzer.plan.units import build_unit_graph
from generator.generate import generate
from generator.generate.codebase import Codebase, read_codebase
from tests.generator.live import migrate, running

PLUGBOARD = {
    "plugboard/__init__.py": """
        import importlib

        from flask import Flask

        PLUGINS = ("plugboard.views",)


        def create_app():
            app = Flask(__name__)
            # a plugin manager's hook call: the analyzer cannot tell which function runs,
            # and a plugin module without the hook is skipped
            for name in PLUGINS:
                hook = getattr(importlib.import_module(name), "load_blueprints", None)
                if hook is not None:
                    hook(app)
            return app
    """,
    "plugboard/helpers.py": """
        from functools import wraps


        def shouted(view):
            # a decorator: what it is handed and what it returns are functions
            @wraps(view)
            def wrapper(*args, **kwargs):
                return {key: value.upper() for key, value in view(*args, **kwargs).items()}

            return wrapper


        def register_view(bp_or_app, routes, view_func):
            for route in routes:
                bp_or_app.add_url_rule(route, view_func=view_func)


        def title(text):
            return text.title()


        def board_of(context):
            # a template filter: the template hands it what it has, here the request's g
            return context.board


        def heading(context):
            # handed what its caller was handed: the request's g, through a layer of the caller's own
            return context.board.upper()


        def real(obj):
            # unwraps a context local (werkzeug's LocalProxy), as FlaskBB's helper does
            unwrap = getattr(obj, "_get_current_object", None)
            return unwrap() if unwrap is not None else obj


        class Greeter:
            # a service object: behaviour, nothing a boundary could carry
            def __init__(self, greeting):
                self.greeting = greeting

            def greet(self, name):
                return f"{self.greeting}, {name}"


        def greeter_factory():
            # returns a new service object, as FlaskBB's authentication_manager_factory() does
            return Greeter("hello")
    """,
    "plugboard/views.py": """
        from flask import Blueprint, g, render_template_string
        from flask.views import MethodView

        from plugboard.helpers import (
            board_of,
            greeter_factory,
            heading,
            real,
            register_view,
            shouted,
            title,
        )


        def board_heading(context):
            # hands its parameter on, as FlaskBB's Category.get_all(user) hands the user it is given
            return heading(context)


        class Index(MethodView):
            decorators = [shouted]  # Flask applies them in as_view(), out of the analyzer's sight

            def get(self):
                g.board = "the board"
                page = title(real(g).board)  # handed the request's context local g
                greeting = greeter_factory().greet("ann")
                return {
                    "page": page,
                    "greeting": greeting,
                    "heading": board_heading(real(g)),
                    "filtered": render_template_string("{{ g|board_of }}"),
                }


        def load_blueprints(app):
            board = Blueprint("board", __name__)
            register_view(board, routes=["/"], view_func=Index.as_view("index"))
            app.register_blueprint(board)
            app.jinja_env.filters["board_of"] = board_of  # called by templates, out of sight
    """,
    # the plan puts the helpers in a service of their own, as a plan of a large app can
    "pyproject.toml": """
        [project]
        name = "plugboard"
        version = "0"

        [tool.monosplit.pins]
        services = { board = ["plugboard.views"], helpers = ["plugboard.helpers"] }
    """,
}


def _write(root: Path) -> Path:
    for relative, text in PLUGBOARD.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def plugboard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("plugboard"))


def _codebase_and_plan(root: Path) -> tuple[Codebase, Plan]:
    analysis = analyze(root, load_options(root, use_cache=False))
    pins = load_pins(root, analysis, build_unit_graph(analysis.graph))
    return read_codebase(analysis, root), suggest(analysis, pins=pins).plan


def test_a_helper_handed_a_blueprint_and_a_decorator_are_carried_by_the_unit_using_them(
    plugboard: Path,
) -> None:
    codebase, plan = _codebase_and_plan(plugboard)
    files = {f.path: f.content.decode("utf-8") for f in generate(codebase, plan, project="plugboard").files}
    for architecture in ("two-tier", "microservices"):
        manifest = json.loads(files[f"{architecture}/monosplit-units.json"])
        caller = next(u for u in manifest["units"] if "plugboard.views.load_blueprints" in u["symbols"])
        assert "plugboard.helpers.register_view" not in caller["symbols"], (
            "the case needs another unit's helper"
        )
        carried = {
            "plugboard.helpers.register_view",
            "plugboard.helpers.shouted",
            "plugboard.helpers.real",
            "plugboard.helpers.greeter_factory",
            # handed g through the caller's own function, not directly
            "plugboard.helpers.heading",
            # handed over as a value: a template filter, called by templates with what they have
            "plugboard.helpers.board_of",
        }
        assert carried <= set(caller["copies"]), architecture
        # a helper handed only plain data still travels as a call to its owner
        assert "plugboard.helpers.title" not in caller["copies"], architecture
        clients = "".join(text for path, text in files.items() if "/service_clients/" in path)
        assert '"plugboard.helpers.title"' in clients
        assert not [symbol for symbol in carried if f'"{symbol}"' in clients], architecture


@pytest.mark.slow
def test_a_unit_registering_views_through_a_helper_of_another_unit_starts(
    plugboard: Path, tmp_path: Path
) -> None:
    migrate(plugboard, tmp_path / "out")
    for architecture in ("monolith", "two-tier", "microservices"):
        with (
            running(tmp_path / "out" / architecture) as run,
            urllib.request.urlopen(run.base_url + "/", timeout=30) as response,
        ):
            assert json.loads(response.read()) == {
                "page": "THE BOARD",
                "greeting": "HELLO, ANN",
                "heading": "THE BOARD",
                "filtered": "THE BOARD",
            }, architecture


HOOKED = {
    "hooked/__init__.py": """
        from flask import Flask
        from pluggy import HookimplMarker, PluginManager

        impl = HookimplMarker("hooked")
        plugins = PluginManager("hooked")


        def create_app():
            app = Flask(__name__)
            from hooked import auth, views

            plugins.register(auth)
            app.register_blueprint(views.bp)
            return app
    """,
    "hooked/auth.py": """
        from hooked import impl


        @impl
        def hooked_authenticate(name):
            # called by the plugin manager only, in the unit that calls the hook
            return name == "ann"
    """,
    "hooked/views.py": """
        from flask import Blueprint

        from hooked import plugins

        bp = Blueprint("views", __name__)


        @bp.get("/login/<name>")
        def login(name):
            return {"ok": any(plugins.hook.hooked_authenticate(name=name))}
    """,
    "pyproject.toml": """
        [project]
        name = "hooked"
        version = "0"

        [tool.monosplit.pins]
        services = { web = ["hooked.views"], accounts = ["hooked.auth"] }
    """,
}


def test_a_plugin_hooks_implementations_are_in_every_unit(tmp_path: Path) -> None:
    for relative, text in HOOKED.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    codebase, plan = _codebase_and_plan(tmp_path)
    assert "hooked.auth.hooked_authenticate" in codebase.app_hooks
    files = {f.path: f.content.decode("utf-8") for f in generate(codebase, plan, project="hooked").files}
    for architecture in ("two-tier", "microservices"):
        for unit in json.loads(files[f"{architecture}/monosplit-units.json"])["units"]:
            auth = files[f"{architecture}/{unit['name']}/hooked/auth.py"]
            assert "def hooked_authenticate(name):" in auth, (architecture, unit["name"])
