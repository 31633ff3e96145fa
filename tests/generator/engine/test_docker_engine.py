"""Real images, real containers: the sample's three architectures built by a Docker engine,
and its microservices run as containers with ``monosplit run --engine docker``.

They need an engine and a local Python base image whose Python matches this one
(``.ci/run`` starts dockerd and imports ``monosplit-ci/python:bookworm``, passed as
``MONOSPLIT_TEST_BASE_IMAGE``); elsewhere they skip, saying why. Packages reach the
images as wheels built here, since a container may not reach a package index.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest

from generator.run import load_manifest
from generator.run.docker_engine import RUN_LABEL
from generator.run.images import BuildOptions, build_images, image_tag
from tests.generator.live import load_module, migrate, running

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "sample_monolith"
ARCHITECTURES = ("monolith", "two-tier", "microservices")

pytestmark = pytest.mark.slow


def _engine() -> tuple[Any, str]:
    base = os.environ.get("MONOSPLIT_TEST_BASE_IMAGE")
    if not base:
        pytest.skip("MONOSPLIT_TEST_BASE_IMAGE is not set (.ci/run sets it once a Docker engine runs)")
    try:
        client = docker.from_env()
        client.ping()
    except docker.errors.DockerException as exc:
        pytest.skip(f"no Docker engine reachable: {str(exc).splitlines()[0]}")
    try:
        client.images.get(base)
    except docker.errors.DockerException:
        pytest.skip(f"base image {base} is not on the engine")
    return client, base


@pytest.fixture(scope="module")
def engine() -> tuple[Any, str]:
    return _engine()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, engine: tuple[Any, str]) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("streamshop")
    migrate(SAMPLE, out)
    yield out
    # the images go with the generated folder (their base layers stay, shared)
    client, _ = engine
    for architecture in ARCHITECTURES:
        manifest = load_manifest(out / architecture)
        for tag in {image_tag(manifest, unit.directory) for unit in manifest.units}:
            with contextlib.suppress(docker.errors.DockerException):
                client.images.remove(tag)


def test_every_unit_of_every_architecture_builds(
    engine: tuple[Any, str], generated: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    client, base = engine
    wheels = tmp_path_factory.mktemp("wheels")  # one pip wheel per distinct requirements.txt
    lines: list[str] = []
    started = time.monotonic()
    built: dict[str, str] = {}
    for architecture in ARCHITECTURES:
        manifest = load_manifest(generated / architecture)
        tags = build_images(
            client,
            manifest,
            BuildOptions(base_image=base, wheels=True),
            wheel_cache=wheels,
            emit=lines.append,
        )
        assert set(tags) == set(manifest.unit_names)
        built.update({f"{architecture}/{unit}": tag for unit, tag in tags.items()})
    for name, tag in built.items():
        image = client.images.get(tag)
        assert image.attrs["Config"]["User"] == "10001:10001", name
        assert "8000/tcp" in image.attrs["Config"]["ExposedPorts"], name
    # no wheels/ folder was written into the generated units
    assert not list(generated.glob("**/wheels"))
    print(f"built {len(built)} images in {time.monotonic() - started:.0f}s")


def test_the_microservices_run_as_containers_and_pass_the_scenario(
    engine: tuple[Any, str], generated: Path
) -> None:
    client, base = engine
    scenario = load_module(SAMPLE / "scenario.py", "streamshop_scenario_docker")
    args = ("--engine", "docker", "--base-image", base, "--wheels", "--replicas", "catalog=2")
    with running(generated / "microservices", *args, env={"STREAMSHOP_ENV": "development"}) as run:
        network = run.wait_for(r"^\s+network\s+monosplit-").split()[1]
        assert client.containers.list(filters={"label": f"{RUN_LABEL}={network}"})
        steps = scenario.run_scenario(run.base_url)
        assert len(steps) > 30
    assert run.process.returncode == 0, run.output()[-3000:]
    assert "monosplit: stopped" in run.output()
    selector = {"label": f"{RUN_LABEL}={network}"}
    assert client.containers.list(all=True, filters=selector) == []
    assert client.networks.list(filters=selector) == []
    assert client.volumes.list(filters=selector) == []


NOTEBOOK = ROOT / "tests" / "apps" / "notebook"


def test_an_app_writing_into_its_instance_folder_runs_on_a_read_only_image(
    engine: tuple[Any, str], tmp_path: Path
) -> None:
    """``os.makedirs(app.instance_path)``, as the Flask tutorial's blog does, in a container.

    A unit's root filesystem is read-only; the instance folder is one deployment's own,
    so the unit mounts an empty writable folder there (flaskr failed to boot before).
    """
    import json
    import urllib.parse
    import urllib.request

    client, base = engine
    out = tmp_path / "notebook"
    migrate(NOTEBOOK, out)
    args = ("--engine", "docker", "--base-image", base, "--wheels")
    try:
        with running(out / "microservices", *args) as run:
            request = urllib.request.Request(
                run.base_url + "/writers",
                data=urllib.parse.urlencode({"name": "ann"}).encode(),
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                assert answer.status == 201
            with urllib.request.urlopen(run.base_url + "/writers", timeout=30) as answer:
                assert json.loads(answer.read()) == [{"id": 1, "name": "ann"}]
        assert run.process.returncode == 0, run.output()[-3000:]
    finally:
        manifest = load_manifest(out / "microservices")
        for tag in {image_tag(manifest, unit.directory) for unit in manifest.units}:
            with contextlib.suppress(docker.errors.DockerException):
                client.images.remove(tag)
