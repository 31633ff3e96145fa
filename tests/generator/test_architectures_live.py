"""The generated architectures run: the sample's own HTTP scenario passes on each of them.

Real processes on loopback, real SQLite databases (one per service), the real
``monosplit migrate`` and ``monosplit run`` commands.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.generator.live import load_module, migrate, running

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_monolith"
BOOKCLUB = ROOT / "tests" / "apps" / "bookclub"
SAMPLE_ENV = {"STREAMSHOP_ENV": "development"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def streamshop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("streamshop")
    migrate(SAMPLE, out)
    return out


@pytest.fixture(scope="module")
def scenario() -> object:
    return load_module(SAMPLE / "scenario.py", "streamshop_scenario")


@pytest.mark.parametrize("architecture", ["monolith", "two-tier", "microservices"])
def test_the_sample_scenario_passes_on_each_architecture(
    streamshop: Path, scenario: object, architecture: str
) -> None:
    with running(streamshop / architecture, env=SAMPLE_ENV) as run:
        steps = scenario.run_scenario(run.base_url)  # type: ignore[attr-defined]
        assert len(steps) > 30
        # and again against the same databases, as a second customer
        scenario.run_scenario(run.base_url)  # type: ignore[attr-defined]


def test_a_service_killed_mid_scenario_comes_back(streamshop: Path, scenario: object) -> None:
    with running(streamshop / "microservices", env=SAMPLE_ENV) as run:
        victim = run.pids("catalog")[-1]
        seen: list[str] = []

        def echo(line: str) -> None:
            seen.append(line)
            if len(seen) == 8:  # after the catalog is first used, before checkout needs it
                os.kill(victim, signal.SIGKILL)

        scenario.run_scenario(run.base_url, echo=echo)  # type: ignore[attr-defined]
        run.wait_for(r"catalog-1 exited")
        assert run.pids("catalog")[-1] != victim, "the catalog service was not restarted"


def test_one_service_scales_alone(streamshop: Path, scenario: object) -> None:
    with running(streamshop / "microservices", "--replicas", "catalog=2", env=SAMPLE_ENV) as run:
        assert len(set(run.pids("catalog"))) == 2
        assert len(set(run.pids("orders"))) == 1
        scenario.run_scenario(run.base_url)  # type: ignore[attr-defined]


def test_a_second_differently_written_app_splits_and_runs(tmp_path: Path) -> None:
    out = tmp_path / "bookclub"
    migrate(BOOKCLUB, out, "--services", "4")
    services = sorted(p.name for p in (out / "microservices").iterdir() if (p / "service_main.py").exists())
    assert len(services) == 4
    bookclub = load_module(BOOKCLUB / "scenario.py", "bookclub_scenario_live")
    with running(out / "microservices", env={"BOOKCLUB_ENV": "development"}) as run:
        bookclub.run_scenario(run.base_url)
