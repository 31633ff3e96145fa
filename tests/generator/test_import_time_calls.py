"""What runs while a unit imports its code runs in the unit: module-level code and class bodies alike.

CTFd's settings are a class whose body computes its constants with a helper
(``SECRET_KEY = empty_str_cast(config_ini["server"]["SECRET_KEY"])``). Left to
the unit the plan gave the helper, every other unit called it over HTTP while it
imported its settings, before it could serve anything, and units waiting on each
other never got ready. Two more things CTFd's modules do as they are imported:
a dispatch table of another unit's functions (``DECAY_FUNCTIONS = {"linear":
linear}``, dropped with the functions it names) and a schema built from another
unit's model class (``sqlalchemy_to_pydantic(Comments)``, which needs the class
mapped, not a record stub).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from analyzer.analysis import analyze
from analyzer.options import load_options
from analyzer.plan import load_pins, suggest
from analyzer.plan.units import build_unit_graph
from generator.generate import generate
from generator.generate.codebase import read_codebase

TREE = {
    "settled/__init__.py": """
        from flask import Flask


        def create_app():
            app = Flask(__name__)
            from settled import config, views

            app.config.from_object(config.Settings)
            app.register_blueprint(views.bp)
            return app
    """,
    "settled/config.py": """
        import os

        from settled.casting import empty_str_cast


        class Settings:
            # a class body runs when its module is imported, as module-level code does
            GREETING = empty_str_cast(os.environ.get("GREETING", "")) or "hello"
    """,
    "settled/casting.py": """
        def empty_str_cast(value):
            return value if value != "" else None
    """,
    "settled/scoring.py": """
        def linear(points):
            return points


        def doubled(points):
            return points * 2
    """,
    "settled/models.py": """
        from sqlalchemy import Column, Integer, String
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()


        class Comment(Base):
            __tablename__ = "comments"
            id = Column(Integer, primary_key=True)
            text = Column(String(200))
    """,
    "settled/schemas.py": """
        from sqlalchemy import inspect


        def columns_of(model):
            return [attr.key for attr in inspect(model).attrs]
    """,
    "settled/views.py": """
        from flask import Blueprint, current_app

        from settled.models import Comment
        from settled.schemas import columns_of
        from settled.scoring import doubled, linear

        bp = Blueprint("views", __name__)
        SCORING = {"linear": linear, "doubled": doubled}  # a dispatch table, built on import
        COMMENT_FIELDS = columns_of(Comment)  # the mapping of another unit's model, read on import


        @bp.get("/")
        def index():
            return {"greeting": current_app.config["GREETING"], "score": SCORING["doubled"](2)}
    """,
    "pyproject.toml": """
        [project]
        name = "settled"
        version = "0"

        [tool.monosplit.pins]
        services = { web = ["settled.views", "settled.config"], casting = ["settled.casting", "settled.scoring"], comments = ["settled.models"] }
    """,
}


def test_a_helper_a_class_body_calls_is_in_every_unit(tmp_path: Path) -> None:
    for relative, text in TREE.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    analysis = analyze(tmp_path, load_options(tmp_path, use_cache=False))
    pins = load_pins(tmp_path, analysis, build_unit_graph(analysis.graph))
    plan = suggest(analysis, pins=pins).plan
    files = {
        f.path: f.content for f in generate(read_codebase(analysis, tmp_path), plan, project="settled").files
    }
    manifest = json.loads(files["microservices/monosplit-units.json"])
    assert "settled.casting.empty_str_cast" in manifest["shared"], (
        "a helper a class body calls must be in every unit"
    )
    clients = b"".join(content for path, content in files.items() if "/service_clients/" in path)
    assert b"settled.casting.empty_str_cast" not in clients
    (web,) = [unit for unit in manifest["units"] if unit["name"] == "web"]
    # the dispatch table's functions run here; the model is mapped here, on a replica
    assert {"settled.scoring.linear", "settled.scoring.doubled"} <= set(web["copies"])
    assert "comments" in web["replicas"]
