"""From a manifest and the chosen ports to exactly what each replica process is started with.

Pure: the caller passes the interpreter, the inherited environment and the
ports, so the precedence of environment layers and the placeholder expansion
can be tested without starting anything.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.run.manifest import RunManifest, Unit

LOOPBACK = "127.0.0.1"
_PLACEHOLDER = re.compile(r"\{(python|port|internal_port|data|shared)\}")
#: the folder of the run's data root every unit of the architecture shares (``{shared}``)
SHARED_DATA = "shared"
SHARED_PLACEHOLDER = "{shared}"
#: where each replica finds the deployment's unit-to-unit key (monosplit_runtime/auth.py)
KEY_FILE_ENV = "MONOSPLIT_UNIT_AUTH_KEY_FILE"
#: the port a replica serves other units on (monosplit_runtime/guard.py), set like ``PORT``
INTERNAL_PORT_ENV = "MONOSPLIT_INTERNAL_PORT"


@dataclass(frozen=True, slots=True)
class UnitPorts:
    """Where a unit listens: each replica's public and internal port, and the unit's service port.

    The gateway sends public requests to the replicas' public ports; other
    units reach the unit at its service port, which is internal: with one
    replica it is that replica's internal port (no extra hop); with several
    the supervisor listens on it and spreads connections over the replicas'
    internal ports.
    """

    service: int
    replicas: tuple[int, ...]
    internal: tuple[int, ...]

    @property
    def proxied(self) -> bool:
        return self.service not in self.internal


@dataclass(frozen=True, slots=True)
class ReplicaSpec:
    """One process to keep running: command, folder, environment, port and readiness path."""

    unit: str
    index: int  # from 1
    port: int
    argv: tuple[str, ...]
    cwd: Path
    env: tuple[tuple[str, str], ...]
    ready_path: str
    data_dir: Path
    internal_port: int = 0

    @property
    def name(self) -> str:
        return f"{self.unit}-{self.index}"

    @property
    def ready_url(self) -> str:
        return f"{service_url(self.port)}{self.ready_path}"


def service_url(port: int) -> str:
    return f"http://{LOOPBACK}:{port}"


def expand_placeholders(
    template: str,
    *,
    python: str,
    port: int,
    data: Path,
    internal_port: int | None = None,
    shared: Path | None = None,
) -> str:
    """Replace ``{python}``, ``{port}``, ``{internal_port}`` (when given), ``{data}`` and ``{shared}``.

    ``{data}`` is the unit's own data folder, ``{shared}`` the one every unit of the
    run shares (by default ``shared/`` beside the units' folders); other braces stay.
    """
    values = {"python": python, "port": str(port), "data": str(data)}
    values["shared"] = str(shared if shared is not None else data.parent / SHARED_DATA)
    if internal_port is not None:
        values["internal_port"] = str(internal_port)
    return _PLACEHOLDER.sub(lambda found: values.get(found.group(1), found.group(0)), template)


def discovery_env(manifest: RunManifest, ports: Mapping[str, UnitPorts]) -> dict[str, str]:
    """``<url_env>=http://127.0.0.1:<service port>`` for every unit: how units find each other (internally)."""
    return {unit.url_env: service_url(ports[unit.name].service) for unit in manifest.units}


def write_unit_key(folder: Path) -> Path:
    """A fresh unit-to-unit key for one run, in a file only this user can read; its path.

    One key per run, so nothing signed for one run is accepted by another;
    never in the architecture's folder, so it is never committed or baked
    into an image.
    """
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    path = folder / "unit-auth.key"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_hex(32) + "\n")
    return path


def build_replica_specs(
    manifest: RunManifest,
    ports: Mapping[str, UnitPorts],
    *,
    data_root: Path,
    python: str,
    inherited_env: Mapping[str, str],
    overrides: Mapping[str, str],
    key_file: Path | None = None,
) -> tuple[ReplicaSpec, ...]:
    """Every replica of every unit, in manifest order.

    Environment, later layers winning: the inherited environment; ``PORT``,
    ``MONOSPLIT_INTERNAL_PORT``, ``PYTHONUNBUFFERED``, the service URLs of all units and ``key_file`` as
    ``MONOSPLIT_UNIT_AUTH_KEY_FILE``; the unit's own manifest ``env``; the
    ``--env`` overrides. Placeholders are expanded in the command, the
    manifest ``env`` and the overrides.
    """
    discovery = discovery_env(manifest, ports)
    if key_file is not None:
        discovery[KEY_FILE_ENV] = str(key_file)
    specs: list[ReplicaSpec] = []
    for unit in manifest.units:
        data_dir = data_root / unit.name
        unit_ports = ports[unit.name]
        pairs = zip(unit_ports.replicas, unit_ports.internal, strict=True)
        for index, (port, internal_port) in enumerate(pairs, start=1):
            specs.append(
                _replica(
                    unit,
                    index,
                    (port, internal_port),
                    manifest.root,
                    data_dir,
                    python,
                    inherited_env,
                    discovery,
                    overrides,
                )
            )
    return tuple(specs)


def _replica(
    unit: Unit,
    index: int,
    both_ports: tuple[int, int],
    root: Path,
    data_dir: Path,
    python: str,
    inherited_env: Mapping[str, str],
    discovery: Mapping[str, str],
    overrides: Mapping[str, str],
) -> ReplicaSpec:
    port, internal_port = both_ports

    def expand(template: str) -> str:
        return expand_placeholders(
            template, python=python, port=port, data=data_dir, internal_port=internal_port
        )

    env = dict(inherited_env)
    env.update({"PORT": str(port), INTERNAL_PORT_ENV: str(internal_port), "PYTHONUNBUFFERED": "1"})
    env.update(discovery)
    env.update({key: expand(value) for key, value in unit.env})
    env.update({key: expand(value) for key, value in overrides.items()})
    return ReplicaSpec(
        unit=unit.name,
        index=index,
        port=port,
        argv=tuple(expand(item) for item in unit.command),
        cwd=root / unit.directory,
        env=tuple(sorted(env.items())),
        ready_path=unit.ready,
        data_dir=data_dir,
        internal_port=internal_port,
    )
