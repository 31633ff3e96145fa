"""A unit's database comes from its environment, even where the app's configuration class fixes it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from .conftest import RUNTIME

APP = """
import flask


class DefaultConfig:
    SQLALCHEMY_DATABASE_URI = "sqlite:///{folder}/app.sqlite"  # where the app keeps it, in its folder
    TITLE = "forum"


def create_app():
    app = flask.Flask("forum")
    app.config.from_object(DefaultConfig)
    app.config.update({"OPENED_WITH": app.config["SQLALCHEMY_DATABASE_URI"]})  # the factory reads it
    return app
"""

PROBE = """
import json, os, sys
sys.path[:0] = [{runtime!r}, {app!r}]
from monosplit_runtime.environment import settings_from_environment
settings_from_environment(["SQLALCHEMY_DATABASE_URI"])
import forum
app = forum.create_app()
print(json.dumps([app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_DATABASE_URI"),
                  app.config["OPENED_WITH"], app.config["TITLE"], dict(app.config)["SQLALCHEMY_DATABASE_URI"]]))
"""


def _probe(tmp_path: Path, env: dict[str, str]) -> list[str]:
    app = tmp_path / "app"
    app.mkdir(exist_ok=True)
    (app / "forum.py").write_text(APP.replace("{folder}", str(app)), encoding="utf-8")
    runtime = tmp_path / "runtime"
    if not runtime.exists():
        runtime.mkdir()
        (runtime / "monosplit_runtime").symlink_to(RUNTIME)
    code = textwrap.dedent(PROBE.format(runtime=str(runtime), app=str(app)))
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin", **env},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_deployments_database_wins_over_the_apps_configuration_class(tmp_path: Path) -> None:
    unit = "sqlite:////data/forum-unit.db"
    assert _probe(tmp_path, {"SQLALCHEMY_DATABASE_URI": unit}) == [unit, unit, unit, "forum", unit]


def test_without_the_setting_the_app_keeps_its_own(tmp_path: Path) -> None:
    own = f"sqlite:///{tmp_path / 'app'}/app.sqlite"
    assert _probe(tmp_path, {}) == [own, own, own, "forum", own]
