"""An app that fixes its database in a configuration class still gets one database per unit.

``tests/apps/fixedforum`` is written as FlaskBB is: Flask-SQLAlchemy, with
``SQLALCHEMY_DATABASE_URI`` a path under the project's own folder in a config
class, and no setting read from the environment. Every unit copies the
project, so without the unit setting the URL itself, each would write a file
in its own folder (kept from run to run, shared by its replicas, and in a
read-only container filesystem), not in the data folder the deployment gives.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from tests.generator.live import migrate, running

FORUM = Path(__file__).resolve().parents[1] / "apps" / "fixedforum"


def _call(url: str, body: dict[str, str] | None = None) -> object:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


@pytest.mark.slow
def test_each_unit_keeps_its_database_in_the_data_folder_it_is_given(tmp_path: Path) -> None:
    out = tmp_path / "out"
    migrate(FORUM, out)
    for main in sorted((out / "microservices").glob("*/service_main.py")):
        assert 'settings_from_environment(["SQLALCHEMY_DATABASE_URI"])' in main.read_text(encoding="utf-8")
        readme = (main.parent / "README.md").read_text(encoding="utf-8")
        assert "the unit sets it from `$SQLALCHEMY_DATABASE_URI`" in readme
    data = tmp_path / "data"
    with running(out / "microservices", "--data-dir", str(data)) as run:
        assert _call(run.base_url + "/members", {"name": "ann"}) == {"id": 1, "name": "ann"}
        assert _call(run.base_url + "/boards", {"title": "rowing"}) == {"id": 1, "title": "rowing"}
        assert _call(run.base_url + "/members") == [{"id": 1, "name": "ann"}]
    assert sorted(p.relative_to(data).as_posix() for p in data.glob("*/*.db")) == [
        "boards/boards.db",
        "members/members.db",
    ]
    assert not list((out / "microservices").glob("*/forum.sqlite")), "a unit wrote the app's own file"
