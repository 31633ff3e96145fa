"""From a manifest and the chosen ports to exactly what each replica process is started with.

Pure: the caller passes the interpreter, the inherited environment and the
ports, so the precedence of environment layers and the placeholder expansion
can be tested without starting anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.run.manifest import RunManifest, Unit

LOOPBACK = "127.0.0.1"
_PLACEHOLDER = re.compile(r"\{(python|port|data)\}")


@dataclass(frozen=True, slots=True)
class UnitPorts:
    """Where a unit listens: its stable service port and each replica's own port.

    With one replica they are the same port (no extra hop); with several the
    supervisor listens on the service port and spreads connections over the replicas.
    """

    service: int
    replicas: tuple[int, ...]

    @property
    def proxied(self) -> bool:
        return self.service not in self.replicas


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

    @property
    def name(self) -> str:
        return f"{self.unit}-{self.index}"

    @property
    def ready_url(self) -> str:
        return f"{service_url(self.port)}{self.ready_path}"


def service_url(port: int) -> str:
    return f"http://{LOOPBACK}:{port}"


def expand_placeholders(template: str, *, python: str, port: int, data: Path) -> str:
    """Replace ``{python}``, ``{port}`` and ``{data}``; other braces are left as they are."""
    values = {"python": python, "port": str(port), "data": str(data)}
    return _PLACEHOLDER.sub(lambda found: values[found.group(1)], template)


def discovery_env(manifest: RunManifest, ports: Mapping[str, UnitPorts]) -> dict[str, str]:
    """``<url_env>=http://127.0.0.1:<service port>`` for every unit: how units find each other."""
    return {unit.url_env: service_url(ports[unit.name].service) for unit in manifest.units}


def build_replica_specs(
    manifest: RunManifest,
    ports: Mapping[str, UnitPorts],
    *,
    data_root: Path,
    python: str,
    inherited_env: Mapping[str, str],
    overrides: Mapping[str, str],
) -> tuple[ReplicaSpec, ...]:
    """Every replica of every unit, in manifest order.

    Environment, later layers winning: the inherited environment; ``PORT``,
    ``PYTHONUNBUFFERED`` and the service URLs of all units; the unit's own
    manifest ``env``; the ``--env`` overrides. Placeholders are expanded in the
    command, the manifest ``env`` and the overrides.
    """
    discovery = discovery_env(manifest, ports)
    specs: list[ReplicaSpec] = []
    for unit in manifest.units:
        data_dir = data_root / unit.name
        for index, port in enumerate(ports[unit.name].replicas, start=1):
            specs.append(
                _replica(
                    unit, index, port, manifest.root, data_dir, python, inherited_env, discovery, overrides
                )
            )
    return tuple(specs)


def _replica(
    unit: Unit,
    index: int,
    port: int,
    root: Path,
    data_dir: Path,
    python: str,
    inherited_env: Mapping[str, str],
    discovery: Mapping[str, str],
    overrides: Mapping[str, str],
) -> ReplicaSpec:
    def expand(template: str) -> str:
        return expand_placeholders(template, python=python, port=port, data=data_dir)

    env = dict(inherited_env)
    env.update({"PORT": str(port), "PYTHONUNBUFFERED": "1"})
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
    )
