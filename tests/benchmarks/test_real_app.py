"""One real public Flask application in CI: the Flask tutorial's blog (flaskr), from Flask's sdist on PyPI.

Downloaded with pip and given a virtualenv of its own, both cached between runs
in ``$MONOSPLIT_TEST_CACHE`` (default ``~/.cache/monosplit-tests``); without a
way to PyPI and nothing cached, the test skips and says so. It runs what
benchmarks/bench_real_apps.py runs for one plan and holds what holds today:
the generated monolith starts, answers every GET route without parameters and
every step of the journey of its main use (benchmarks/journeys/flaskr.py) as
the original application does (its unchanged source served as the monolith is)
and passes the application's own tests as the original does; the two-tier and
microservices splits start and answer those routes and steps like the monolith.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("MONOSPLIT_TEST_CACHE", Path.home() / ".cache" / "monosplit-tests"))

pytestmark = pytest.mark.slow


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_real_apps", ROOT / "benchmarks" / "bench_real_apps.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_real_apps"] = module
    spec.loader.exec_module(module)
    return module


def test_flaskr_from_pypi_splits_and_its_monolith_behaves_as_the_original(tmp_path: Path) -> None:
    from generator.verify import VerifyOptions, find_target, load_app_tests, load_journey, verify
    from generator.verify.results import Outcome

    bench = _bench()
    spec = bench.APPS["flaskr"]
    started = time.monotonic()
    try:
        source = bench.fetch_sdist(spec, CACHE)
    except bench.BenchError as exc:
        pytest.skip(f"{spec.requirement} is not cached and PyPI cannot be reached: {exc}")
    out = tmp_path / "flaskr"
    bench.monosplit("migrate", str(source), "--out", str(out), "--no-verify", "-q")
    try:
        python = bench.make_venv(spec, out / "monolith" / "requirements.txt", CACHE)
    except bench.BenchError as exc:
        pytest.skip(f"the application's virtualenv cannot be installed from PyPI: {exc}")
    bench.add_original(out, source)
    prepared = time.monotonic() - started

    options = VerifyOptions(
        python=python,
        app_tests=load_app_tests(source / spec.tests),
        journeys=(load_journey(bench.JOURNEYS_DIR / "flaskr.py"),),
        ready_timeout=90.0,
    )
    verification = verify(find_target(out), options, emit=lambda _: None)
    results = {r.architecture: r for r in verification.architectures}
    assert list(results) == ["monolith", "two-tier", "microservices", "original"]
    assert all(r.ready for r in results.values()), [u.line for r in results.values() for u in r.not_ready]

    # every GET route without parameters: the original answers as the generated monolith does
    assert len(verification.routes) >= 5, verification.routes
    original = results["original"].comparison
    assert original is not None and original.same, [d.line for d in results["original"].differences]
    assert original.routes.equal == original.routes.total == len(verification.routes)
    assert original.journey.equal == original.journey.total >= 20
    for split in ("two-tier", "microservices"):
        comparison = results[split].comparison
        assert comparison is not None and comparison.same, [d.line for d in results[split].differences]
        assert comparison.journey.equal == comparison.journey.total == original.journey.total

    # the application's own suite: the monolith passes it as the original does, test for test
    (monolith_tests,) = results["monolith"].suites
    (original_tests,) = results["original"].suites
    assert monolith_tests.error is None and original_tests.error is None
    assert monolith_tests.outcomes == original_tests.outcomes
    assert monolith_tests.count(Outcome.PASSED) == len(monolith_tests.outcomes) >= 20
    print(
        f"flaskr: prepared in {prepared:.0f}s (download, migrate, venv), verified in "
        f"{time.monotonic() - started - prepared:.0f}s; own tests {monolith_tests.figures}"
    )
