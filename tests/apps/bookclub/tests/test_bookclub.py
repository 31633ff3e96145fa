"""Serve the bookclub sample app in a subprocess and run its HTTP scenario.

The app is imported only in the child process (with ``tests/apps/bookclub`` on
its ``PYTHONPATH``), so neither ``bookclub`` nor its global engine and settings
leak into the rest of the test session.  ``scenario.py`` is loaded under a
private module name because ``sample_monolith`` has a ``scenario`` module too.

This module lives in its own ``tests/`` folder, without ``__init__.py``, on
purpose: pytest puts a rootless test module's folder on ``sys.path``, and the
app's folder there would let ``import scenario`` elsewhere pick up ours.  An
``__init__.py`` in the app folder would be no better: ``monosplit analyze
tests/apps/bookclub`` would then name the modules ``tests.apps.bookclub.*``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

APP_DIR = Path(__file__).resolve().parents[1]
API_KEY = "test-admin-key-5f1c"

SERVE = """
from werkzeug.serving import make_server
from bookclub.web import app

server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def _load_scenario() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bookclub_scenario", APP_DIR / "scenario.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scenario = _load_scenario()


@contextlib.contextmanager
def _serve(workdir: Path, **env: str) -> Iterator[str]:
    """Start ``bookclub.web:app`` on a free loopback port; yield its base URL."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKCLUB_")}
    child_env.update(PYTHONPATH=str(APP_DIR), PYTHONDONTWRITEBYTECODE="1", **env)
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE],
            cwd=workdir,
            env=child_env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        if not port.isdigit():
            process.wait(timeout=10)
            pytest.fail(f"bookclub server did not start:\n{log_path.read_text()}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("bookclub")
    database_url = f"sqlite:///{workdir / 'bookclub.db'}"
    with _serve(workdir, BOOKCLUB_DATABASE_URL=database_url, BOOKCLUB_API_KEY=API_KEY) as base_url:
        yield base_url


@pytest.mark.slow
def test_scenario_passes_twice_against_the_same_database(server: str) -> None:
    scenario.run_scenario(server, api_key=API_KEY)
    scenario.run_scenario(server, api_key=API_KEY)


@pytest.mark.slow
def test_scenario_reports_a_wrong_api_key(server: str) -> None:
    with pytest.raises(scenario.ScenarioError, match="expected HTTP 201, got 401"):
        scenario.run_scenario(server, api_key="not-the-key")


def test_scenario_reports_an_unreachable_server() -> None:
    with pytest.raises(scenario.ScenarioError, match="cannot reach server"):
        scenario.run_scenario("http://127.0.0.1:9", api_key=API_KEY)


@pytest.mark.slow
def test_admin_endpoints_are_disabled_without_an_api_key(tmp_path: Path) -> None:
    """Outside development, no BOOKCLUB_API_KEY means no admin access at all."""
    with _serve(tmp_path, BOOKCLUB_DATABASE_URL=f"sqlite:///{tmp_path / 'prod.db'}") as base_url:
        client = scenario.Client(base_url, api_key="dev-admin-key")
        book = {"title": "Emma", "author": "Jane Austen"}
        message = client.fails("POST", "/books", book, 503, "ConfigurationError", api_key="dev-admin-key")
        assert "BOOKCLUB_API_KEY" in message


@pytest.mark.slow
def test_development_mode_has_a_default_api_key_and_reads_the_policy(tmp_path: Path) -> None:
    with _serve(
        tmp_path,
        BOOKCLUB_DATABASE_URL=f"sqlite:///{tmp_path / 'dev.db'}",
        BOOKCLUB_ENV="development",
        BOOKCLUB_MAX_LOANS="2",
        BOOKCLUB_LOAN_DAYS="7",
    ) as base_url:
        policy = scenario.Client(base_url, api_key="").call("GET", "/policy")
        assert policy == {"max_loans": 2, "loan_days": 7, "fine_per_day_cents": 25, "max_fine_cents": 1000}
        scenario.run_scenario(base_url, api_key="dev-admin-key")
