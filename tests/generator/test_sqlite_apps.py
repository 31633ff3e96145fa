"""An app on sqlite3 alone: its database file a config default, its tables in an SQL script it runs itself.

``tests/apps/notebook`` is written the way the Flask tutorial's blog is, and
many small Flask apps are: ``sqlite3.connect(current_app.config.get(KEY))``
with the file in the instance folder by default, a ``tables.sql`` that drops
and creates every table, run only by a Click command a person must remember
to call, and SQL that joins tables its pins put in two services. What a
split of it must do, and what is checked here:

- the analysis names the setting as the app's SQLite file and the script as
  its schema (tests/analyzer/test_dbapi.py);
- every unit is given its database file by ``monosplit run`` (never the
  instance folder inside the generated code), and creates the script's tables
  when they are missing, without ever dropping what is there;
- the units of a split share that one file, since the app's SQL joins across
  them and no replica can be kept without an ORM session; each README says so.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import WriteTree
from tests.generator.live import migrate, running

NOTEBOOK = Path(__file__).resolve().parents[1] / "apps" / "notebook"
ARCHITECTURES = ("monolith", "two-tier", "microservices")


@pytest.fixture(scope="module")
def notebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("notebook")
    migrate(NOTEBOOK, out)
    return out


def test_every_unit_is_given_the_architectures_one_database_file(notebook: Path) -> None:
    for architecture in ARCHITECTURES:
        manifest = json.loads((notebook / architecture / "monosplit-run.json").read_text())
        files = {unit["env"].get("NOTEBOOK_DB") for unit in manifest["units"]}
        assert files == {"{shared}/notebook_db.sqlite"}, (architecture, files)
    readme = (notebook / "microservices" / "notes" / "README.md").read_text()
    assert "`NOTEBOOK_DB`" in readme and "shares one SQLite file" in " ".join(readme.split())
    assert "`notebook/tables.sql`" in readme


def _post(base: str, path: str, **form: str) -> tuple[int, object]:
    request = urllib.request.Request(base + path, data=urllib.parse.urlencode(form).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _get(base: str, path: str) -> object:
    with urllib.request.urlopen(base + path, timeout=30) as answer:
        return json.loads(answer.read())


@pytest.mark.slow
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_each_architecture_creates_its_tables_and_joins_across_units(
    notebook: Path, architecture: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    with running(notebook / architecture, "--data-dir", str(data)) as run:
        assert _post(run.base_url, "/writers", name="ann") == (201, {"id": 1})
        assert _post(run.base_url, "/writers", name="ann") == (409, {"error": "taken"})
        assert _post(run.base_url, "/notes", writer="1", text="first") == (201, {"id": 1})
        assert _get(run.base_url, "/notes") == ["ann: first"], run.output()[-3000:]
    # a second run on the same data keeps it: the script's DROPs are never run on tables that exist
    with running(notebook / architecture, "--data-dir", str(data)) as run:
        assert _get(run.base_url, "/writers") == [{"id": 1, "name": "ann"}]
    assert not list((notebook / architecture).glob("**/instance/*.db")), "a unit wrote into its own code"


#: the same shape without a script: the app creates its tables itself, on its first connection
_SELF_MADE = {
    "pyproject.toml": """
        [project]
        name = "tally"
        version = "0"
        dependencies = ["Flask"]

        [tool.monosplit.pins]
        services = { people = ["tally.people"], counts = ["tally.counts"] }
        """,
    "tally/__init__.py": """
        import os

        from flask import Flask


        def create_app():
            app = Flask(__name__, instance_relative_config=True)
            app.config["TALLY_FILE"] = os.path.join(app.instance_path, "tally.db")
            os.makedirs(app.instance_path, exist_ok=True)
            from . import counts, people

            app.register_blueprint(people.bp)
            app.register_blueprint(counts.bp)
            return app
        """,
    "tally/store.py": """
        import sqlite3

        from flask import current_app, g


        def db():
            if "db" not in g:
                g.db = sqlite3.connect(current_app.config["TALLY_FILE"])
                g.db.execute("CREATE TABLE IF NOT EXISTS person (id INTEGER PRIMARY KEY, name TEXT)")
                g.db.execute("CREATE TABLE IF NOT EXISTS tally (person_id INTEGER, n INTEGER)")
            return g.db
        """,
    "tally/people.py": """
        from flask import Blueprint, request

        from .store import db

        bp = Blueprint("people", __name__)


        @bp.post("/people")
        def add():
            connection = db()
            connection.execute("INSERT INTO person (name) VALUES (?)", (request.form["name"],))
            connection.commit()
            return "", 201
        """,
    "tally/counts.py": """
        from flask import Blueprint, jsonify, request

        from .store import db

        bp = Blueprint("counts", __name__)


        @bp.post("/tallies")
        def add():
            connection = db()
            connection.execute("INSERT INTO tally (person_id, n) VALUES (?, ?)", (request.form["person"], 1))
            connection.commit()
            return "", 201


        @bp.get("/tallies")
        def listed():
            rows = db().execute(
                "SELECT p.name, SUM(t.n) FROM tally t JOIN person p ON p.id = t.person_id GROUP BY p.name"
            ).fetchall()
            return jsonify([list(row) for row in rows])
        """,
}


@pytest.mark.slow
def test_an_app_that_makes_its_own_tables_shares_its_file_across_units_too(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    migrate(write_tree(_SELF_MADE), out)
    manifest = json.loads((out / "microservices" / "monosplit-run.json").read_text())
    assert {unit["env"].get("TALLY_FILE") for unit in manifest["units"]} == {"{shared}/tally_file.sqlite"}
    readme = " ".join((out / "microservices" / "counts" / "README.md").read_text().split())
    assert "shares one SQLite file" in readme and "creates its tables itself" in readme
    with running(out / "microservices", "--data-dir", str(tmp_path / "data")) as run:
        assert _post(run.base_url, "/people", name="ann")[0] == 201
        assert _post(run.base_url, "/tallies", person="1")[0] == 201
        assert _get(run.base_url, "/tallies") == [["ann", 1]], run.output()[-3000:]
