"""Units start on the gunicorn the application pins, old or new.

An application pins its own gunicorn (microblog 21.2.0, CTFd 3.8 23.0.0), and
``monosplit run --python`` starts the units in its virtualenv, with that
version. A flag only newer versions know stopped every unit at once
(``unrecognized arguments: --no-control-socket``); such settings live in
``monosplit_runtime/gunicorn_conf.py``, whose unknown names gunicorn ignores.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from generator.generate.unit import RUNTIME_NEEDS, SERVE_COMMAND
from tests.generator.live import migrate, running

NOTEBOOK = Path(__file__).resolve().parents[1] / "apps" / "notebook"
#: what microblog pins
OLD_GUNICORN = "21.2.0"


def test_the_serve_command_passes_no_flag_an_old_gunicorn_lacks() -> None:
    assert not [part for part in SERVE_COMMAND if "control-socket" in part]
    (gunicorn,) = [need for need in RUNTIME_NEEDS if need.name == "gunicorn"]
    assert SpecifierSet(gunicorn.works_with).contains(OLD_GUNICORN)


@pytest.mark.slow
def test_a_unit_starts_on_an_old_gunicorn(tmp_path: Path) -> None:
    target = tmp_path / "old-gunicorn"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
         f"gunicorn=={OLD_GUNICORN}"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if installed.returncode != 0:
        pytest.skip(f"cannot install gunicorn {OLD_GUNICORN}: {installed.stderr.strip().splitlines()[-1:]}")
    out = tmp_path / "out"
    migrate(NOTEBOOK, out)
    with running(out / "monolith", "--env", f"PYTHONPATH={target}") as run:
        request = urllib.request.Request(
            run.base_url + "/writers", data=urllib.parse.urlencode({"name": "ann"}).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 201
        assert f"Starting gunicorn {OLD_GUNICORN}" in run.output()
