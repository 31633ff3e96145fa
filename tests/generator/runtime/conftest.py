"""Run the test services of ``services/`` as real processes on loopback.

Each service runs from a folder holding its own ``shop`` package and a copy
of ``generator/runtime`` named ``monosplit_runtime``, exactly as the
generator ships it, with its own SQLite file.
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


@dataclass
class RunningService:
    name: str
    url: str
    process: subprocess.Popen[str]
    log: Path
    database: Path


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
            **(env or {}),
        }
        environment.pop("MONOSPLIT_SERVICE", None)
        with log.open("w") as stderr:
            process = subprocess.Popen(
                [
                    sys.executable,
                    str(SERVICES / "serve.py"),
                    "--port",
                    str(port),
                    "--listen-after",
                    str(listen_after),
                ],
                env=environment,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        service = RunningService(name, f"http://127.0.0.1:{port}", process, log, database)
        self._started.append(service)
        if wait:
            service.url = f"http://127.0.0.1:{self._read_port(service)}"
        return service

    def _read_port(self, service: RunningService) -> int:
        assert service.process.stdout is not None
        ready, _, _ = select.select([service.process.stdout], [], [], START_TIMEOUT)
        line = service.process.stdout.readline() if ready else ""
        if not line.strip():
            self.stop(service)
            pytest.fail(f"{service.name} did not start:\n{service.log.read_text()}")
        return int(line)

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
