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
            return answer.status, json.loads(answer.read())
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
