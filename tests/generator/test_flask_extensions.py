"""Splits of apps written the way public Flask apps are: they start, and behave like the monolith.

``tests/apps/extblog`` has the shapes that made every multi-unit split of
public Flask apps (microblog, the RealWorld API) crash at import or start-up:
a model inheriting a plain mixin another unit owns, Flask-SQLAlchemy's
``db.session`` as the only session, a ``@login.user_loader`` in the models
module, and a form class placed away from the routes that use it. Its
pyproject pins a plan that puts each of them on the wrong side.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import libcst as cst
import pytest

from tests.generator.live import migrate, running

EXTBLOG = Path(__file__).resolve().parents[1] / "apps" / "extblog"
ARCHITECTURES = ("monolith", "two-tier", "microservices")


@pytest.fixture(scope="module")
def extblog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("extblog")
    migrate(EXTBLOG, out)
    return out


def _classes(path: Path) -> dict[str, cst.ClassDef]:
    tree = cst.parse_module(path.read_text(encoding="utf-8"))
    return {s.name.value: s for s in tree.body if isinstance(s, cst.ClassDef)}


def _base_names(definition: cst.ClassDef) -> list[str]:
    return [cst.Module(body=[]).code_for_node(base.value) for base in definition.bases]


def test_a_base_class_another_unit_owns_is_carried_as_code_not_a_record(extblog: Path) -> None:
    for unit in ("accounts", "writing"):
        classes = _classes(extblog / "microservices" / unit / "extblog" / "models.py")
        # both models inherit TimestampMixin (pinned to writing), Post also SearchableMixin (accounts)
        for mixin in ("TimestampMixin", "SearchableMixin"):
            if mixin in classes:
                assert "RemoteRecord" not in _base_names(classes[mixin]), f"{unit}: {mixin} is a record stub"
        assert "TimestampMixin" in classes, f"{unit}: User or Post lost its mixin"


def test_a_form_used_by_a_route_is_carried_with_the_route(extblog: Path) -> None:
    forms = _classes(extblog / "microservices" / "writing" / "extblog" / "forms.py")
    assert "PostForm" in forms and "RemoteRecord" not in _base_names(forms["PostForm"])


def test_a_helper_reading_the_request_runs_where_the_request_is_served(extblog: Path) -> None:
    # paging.requested_limit reads request.args; its caller, list_posts, is the other unit's route
    for unit in (extblog / "two-tier" / "client", extblog / "microservices" / "writing"):
        paging = (unit / "extblog" / "paging.py").read_text(encoding="utf-8")
        assert 'return max(1, min(request.args.get("limit", 20, type=int), 100))' in paging, unit
        posts = (unit / "extblog" / "posts.py").read_text(encoding="utf-8")
        assert "from extblog.paging import requested_limit" in posts, unit


def test_callbacks_registered_on_extensions_are_in_every_unit(extblog: Path) -> None:
    for architecture in ARCHITECTURES:
        for models in sorted((extblog / architecture).glob("**/extblog/models.py")):
            assert "@login.user_loader\ndef load_user(" in models.read_text(encoding="utf-8"), models


def test_flask_sqlalchemy_db_session_is_the_session_provider(extblog: Path) -> None:
    for main in sorted((extblog / "microservices").glob("*/service_main.py")):
        text = main.read_text(encoding="utf-8")
        assert "from extblog import db as session_source" in text, main
        assert "session_provider=session_source.session," in text, main
        # the models are imported by the entry point, whatever carving left of the route modules
        assert 'import_module("extblog.models")' in text, main


def test_a_unit_builds_urls_of_routes_another_unit_serves(extblog: Path) -> None:
    main = (extblog / "microservices" / "writing" / "service_main.py").read_text(encoding="utf-8")
    assert '("users.list_users", "/users", ("GET",)),' in main
    # its own routes are not added again, and the unit serving every route adds none
    assert '"posts.list_posts"' not in main
    assert "ROUTES_ELSEWHERE" not in (extblog / "monolith" / "service_main.py").read_text(encoding="utf-8")


def _call(base: str, method: str, path: str, body: object = None) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _journey(base: str) -> list[tuple[int, object]]:
    return [
        _call(base, "POST", "/users", {"name": "ann", "password": "ann-secret"}),
        _call(base, "POST", "/users", {"name": "bob", "password": "bob-secret"}),
        _call(base, "GET", "/users"),
        _call(base, "POST", "/posts", {"body": "hello world", "user_id": 1, "password": "ann-secret"}),
        _call(base, "POST", "/posts", {"body": "", "user_id": 1, "password": "ann-secret"}),
        _call(base, "POST", "/posts", {"body": "second world", "user_id": 2, "password": "bob-secret"}),
        _call(base, "POST", "/posts", {"body": "not bob", "user_id": 2, "password": "ann-secret"}),
        _call(base, "GET", "/posts?q=world"),
        _call(base, "GET", "/posts?q=second"),
        _call(base, "GET", "/posts?q=world&limit=1"),  # the limit is read where the request is served
        _call(base, "POST", "/posts/forget", {"user_id": 2, "body": "second world"}),
        _call(base, "GET", "/posts?q=world"),
    ]


@pytest.mark.slow
def test_every_architecture_answers_as_the_monolith(extblog: Path) -> None:
    # In two-tier every view writes tables the server tier owns, through the ORM session:
    # the writes reach the owner (replica_writes), so what was written is read back.
    answers: dict[str, list[tuple[int, object]]] = {}
    for architecture in ARCHITECTURES:
        with running(extblog / architecture) as run:
            answers[architecture] = _journey(run.base_url)
    assert answers["monolith"][2] == (200, [{"id": 1, "name": "ann"}, {"id": 2, "name": "bob"}])
    assert [status for status, _ in answers["monolith"][3:7]] == [201, 400, 201, 403]
    assert answers["monolith"][-2] == (200, {"deleted": 1})
    assert answers["monolith"][9] == (200, [{"id": 1, "body": "hello world"}])
    assert answers["microservices"] == answers["monolith"]
    assert answers["two-tier"] == answers["monolith"]


def test_a_replica_carries_the_secret_columns_its_units_code_reads(extblog: Path) -> None:
    # writing checks passwords (author.check_password) on its replica of accounts' users
    main = (extblog / "microservices" / "accounts" / "service_main.py").read_text(encoding="utf-8")
    grant = main[main.index('    "writing": {') :]
    grant = grant[: grant.index("\n    },")]
    assert '"replicas": [\n            "user",' in grant
    assert '"secret_columns": [\n            "user.password_hash",' in grant
