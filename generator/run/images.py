"""Container images of generated units, built by a Docker engine through the Docker SDK.

Each unit's image is built from its own folder and generated ``Dockerfile``.
``base_image`` is passed as the ``BASE_IMAGE`` build argument (``None``: the
Dockerfile's default). With ``wheels``, the unit's requirements are built into
wheels on this machine (``pip wheel``) and put in a ``wheels/`` folder of a
temporary copy of the build context, and pip in the image installs from them
alone (``PIP_INSTALL_ARGS=--no-index --find-links /build``): for engines whose
containers cannot reach a package index. The user's folder is never written to.

Wheels are cached by the content of ``requirements.txt``: units with the same
requirements share one ``pip wheel`` run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import docker.errors

from analyzer.errors import MonosplitError
from generator.run.manifest import RunManifest

Emit = Callable[[str], None]

WHEELS_FOLDER = "wheels"
OFFLINE_PIP_ARGS = "--no-index --find-links /build"
_TAIL_LINES = 3
_COMPLETE = ".complete"
# the classic builder's own progress lines, which say nothing about the failure
_BUILDER_CHATTER = ("--->", "Removing intermediate container", "Step ")


class EngineUnavailableError(MonosplitError):
    """No container engine answers."""


class ImageBuildError(MonosplitError):
    """A unit's image (or the wheels it needs) could not be built."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How to build units' images: the base image (``None``: the Dockerfile's) and host wheels."""

    base_image: str | None = None
    wheels: bool = False


def connect() -> Any:
    """A Docker client that answered a ping; raise :class:`EngineUnavailableError` otherwise."""
    try:
        client = docker.from_env()
        client.ping()
    except docker.errors.DockerException as exc:
        raise EngineUnavailableError(f"no container engine reachable: {_first_line(exc)}") from None
    return client


def image_tag(manifest: RunManifest, unit_directory: str) -> str:
    """A tag per architecture folder and unit, stable across runs of the same folder."""
    folder = hashlib.sha256(str(manifest.root).encode()).hexdigest()[:10]
    name = (manifest.architecture + "-" + (unit_directory.replace("/", "-") or "app")).lower()
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip("-.")
    return f"monosplit/{safe}:{folder}"


def build_images(
    client: Any,
    manifest: RunManifest,
    options: BuildOptions,
    *,
    wheel_cache: Path,
    emit: Emit,
    units: Iterable[str] | None = None,
) -> dict[str, str]:
    """Build the image of each unit (all, or those named in ``units``); return unit name → tag.

    Units that share a folder share an image. Raises :class:`ImageBuildError` naming the unit.
    """
    wanted = set(units) if units is not None else set(manifest.unit_names)
    tags: dict[str, str] = {}
    built: dict[str, str] = {}
    for unit in manifest.units:
        if unit.name not in wanted:
            continue
        if unit.directory not in built:
            tag = image_tag(manifest, unit.directory)
            build_unit_image(
                client,
                manifest.root / unit.directory,
                tag=tag,
                unit=unit.name,
                options=options,
                wheel_cache=wheel_cache,
                emit=emit,
            )
            built[unit.directory] = tag
        tags[unit.name] = built[unit.directory]
    return tags


def build_unit_image(
    client: Any,
    folder: Path,
    *,
    tag: str,
    unit: str,
    options: BuildOptions,
    wheel_cache: Path,
    emit: Emit,
) -> str:
    """Build one unit's image from ``folder`` (its Dockerfile) as ``tag``; return the tag."""
    if not (folder / "Dockerfile").is_file():
        raise ImageBuildError(f"unit {unit}: no Dockerfile in {folder} (generate the architecture again)")
    args: dict[str, str] = {}
    if options.base_image:
        args["BASE_IMAGE"] = options.base_image
    started = time.monotonic()
    emit(f"monosplit: building {unit} ({tag})")
    if not options.wheels:
        _build(client, folder, tag, args, unit)
    else:
        wheels = build_wheels(folder / "requirements.txt", wheel_cache, unit=unit)
        args["PIP_INSTALL_ARGS"] = OFFLINE_PIP_ARGS
        with tempfile.TemporaryDirectory(prefix="monosplit-build-") as scratch:
            context = Path(scratch) / "context"
            shutil.copytree(folder, context, ignore=shutil.ignore_patterns("__pycache__", WHEELS_FOLDER))
            shutil.copytree(wheels, context / WHEELS_FOLDER, ignore=shutil.ignore_patterns(_COMPLETE))
            _build(client, context, tag, args, unit)
    emit(f"monosplit: built {unit} in {time.monotonic() - started:.1f}s")
    return tag


def build_wheels(requirements: Path, cache: Path, *, unit: str) -> Path:
    """The folder of wheels for ``requirements``, built on this machine once per content.

    Raises :class:`ImageBuildError` when pip cannot build them.
    """
    try:
        content = requirements.read_bytes()
    except OSError as exc:
        raise ImageBuildError(f"unit {unit}: cannot read {requirements}: {exc.strerror or exc}") from None
    target = cache / hashlib.sha256(content).hexdigest()[:16]
    if (target / _COMPLETE).is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=cache))
    try:
        result = subprocess.run(
            [
                *(sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check"),
                *("--requirement", str(requirements), "--wheel-dir", str(scratch)),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            tail = _tail((result.stderr or result.stdout).splitlines())
            raise ImageBuildError(f"unit {unit}: pip wheel -r {requirements} failed: {tail}")
        (scratch / _COMPLETE).touch()
        shutil.rmtree(target, ignore_errors=True)  # what an interrupted build left
        try:
            os.replace(scratch, target)
        except OSError:
            if not (target / _COMPLETE).is_file():  # not a concurrent build that got there first
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _build(client: Any, context: Path, tag: str, args: Mapping[str, str], unit: str) -> None:
    try:
        client.images.build(path=str(context), tag=tag, buildargs=dict(args), rm=True, forcerm=True)
    except docker.errors.BuildError as exc:
        lines = [
            line
            for entry in exc.build_log
            for line in str(entry.get("stream") or entry.get("error") or "").splitlines()
            if not line.lstrip().startswith(_BUILDER_CHATTER)
        ]
        raise ImageBuildError(
            f"unit {unit}: image build failed: {_first_line(exc)} (last lines: {_tail(lines)})"
        ) from None
    except docker.errors.DockerException as exc:
        raise ImageBuildError(f"unit {unit}: image build failed: {_first_line(exc)}") from None


def _tail(lines: Iterable[str]) -> str:
    kept = [line.strip() for line in lines if line.strip()]
    return " | ".join(kept[-_TAIL_LINES:]) or "no output"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
