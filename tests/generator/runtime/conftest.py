"""Run the test services of ``services/`` as real processes on loopback.

Each service runs from a folder holding its own ``shop`` package and a copy
of ``generator/runtime`` named ``monosplit_runtime``, exactly as the
generator ships it, with its own SQLite file. Every service, and this test
process when it calls one, signs with the same key (:data:`UNIT_KEY`).
"""

from __future__ import annotations

import os
import select
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RUNTIME = ROOT / "generator" / "runtime"
SERVICES = Path(__file__).resolve().parent / "services"
START_TIMEOUT = 20.0
#: the deployment's unit-to-unit key in these tests
UNIT_KEY = "test-unit-to-unit-key-0123456789abcdef"


@pytest.fixture(scope="session", autouse=True)
def unit_key() -> Iterator[str]:
    """This process signs and checks with the services' key, before any service fixture calls one."""
    from generator.runtime import auth

    saved = {name: os.environ.get(name) for name in (auth.KEY_ENV, auth.KEY_FILE_ENV)}
    os.environ[auth.KEY_ENV] = UNIT_KEY
    os.environ.pop(auth.KEY_FILE_ENV, None)
    auth.KEY.forget()
    yield UNIT_KEY
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    auth.KEY.forget()


@dataclass
class RunningService:
    name: str
    url: str  # the public port
    process: subprocess.Popen[str]
    log: Path
    database: Path
    internal: str = ""  # the internal port: /_monosplit/..., /metrics


class ServiceLauncher:
    """Starts services; stops every one it started."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.site = workdir / "site"
        shutil.copytree(
            RUNTIME, self.site / "monosplit_runtime", ignore=shutil.ignore_patterns("__pycache__")
        )
        self._started: list[RunningService] = []

    def start(
        self,
        name: str,
        *,
        env: dict[str, str] | None = None,
        port: int = 0,
        internal_port: int = 0,
        listen_after: float = 0.0,
        wait: bool = True,
    ) -> RunningService:
        """Start ``services/<name>``; with ``wait`` return once it listens (its URL is then known)."""
        index = len(self._started)
        database = self.workdir / f"{name}-{index}.db"
        log = self.workdir / f"{name}-{index}.log"
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(self.site), str(SERVICES / name)]),
            "DATABASE_URL": f"sqlite:///{database}",
            "MONOSPLIT_UNAVAILABLE_TIMEOUT": "5",
            "MONOSPLIT_UNIT_AUTH_KEY": UNIT_KEY,
            **(env or {}),
        }
        environment.pop("MONOSPLIT_SERVICE", None)
        environment.pop("MONOSPLIT_UNIT_AUTH_KEY_FILE", None)
        with log.open("w") as stderr:
            process = subprocess.Popen(
                [
                    sys.executable,
                    str(SERVICES / "serve.py"),
                    "--port",
                    str(port),
                    "--internal-port",
                    str(internal_port),
                    "--listen-after",
                    str(listen_after),
                ],
                env=environment,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        service = RunningService(
            name, f"http://127.0.0.1:{port}", process, log, database, f"http://127.0.0.1:{internal_port}"
        )
        self._started.append(service)
        if wait:
            public, internal = self._read_ports(service)
            service.url = f"http://127.0.0.1:{public}"
            service.internal = f"http://127.0.0.1:{internal}"
        return service

    def _read_ports(self, service: RunningService) -> tuple[int, int]:
        assert service.process.stdout is not None
        ready, _, _ = select.select([service.process.stdout], [], [], START_TIMEOUT)
        line = service.process.stdout.readline() if ready else ""
        if not line.strip():
            self.stop(service)
            pytest.fail(f"{service.name} did not start:\n{service.log.read_text()}")
        public, internal = line.split()
        return int(public), int(internal)

    def stop(self, service: RunningService) -> None:
        if service.process.poll() is None:
            service.process.terminate()
            try:
                service.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                service.process.kill()
                service.process.wait()
        if service.process.stdout is not None:
            service.process.stdout.close()

    def close(self) -> None:
        for service in self._started:
            self.stop(service)


@pytest.fixture(scope="session")
def launcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceLauncher]:
    services = ServiceLauncher(tmp_path_factory.mktemp("services"))
    yield services
    services.close()


def free_port() -> int:
    """A loopback port nothing listens on (free when asked; the caller binds it soon after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
