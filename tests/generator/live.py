"""Helpers for end-to-end tests: generate with the real CLI, run with ``monosplit run``."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

MONOSPLIT = str(Path(sys.executable).with_name("monosplit"))
READY = re.compile(r"monosplit: ready at (http://\S+)")
STARTED = re.compile(r"monosplit: (\S+)-(\d+) started pid=(\d+)")


def load_module(path: Path, name: str) -> ModuleType:
    """Import a scenario script under a private name, so two apps' ``scenario`` never collide."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def migrate(source: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``monosplit migrate --no-verify``: the tests that use it start the architectures themselves."""
    result = subprocess.run(
        [MONOSPLIT, "migrate", str(source), "--out", str(out), "--quiet", "--no-verify", *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return result


@dataclass
class Running:
    process: subprocess.Popen[str]
    base_url: str = ""
    lines: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def output(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def pids(self, unit: str) -> list[int]:
        """Pids of ``unit``'s replicas, newest start last."""
        with self._lock:
            return [
                int(m.group(3)) for line in self.lines if (m := STARTED.search(line)) and m.group(1) == unit
            ]

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            with self._lock:
                for line in self.lines:
                    if regex.search(line):
                        return line
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r}; output:\n{self.output()[-6000:]}")


@contextmanager
def running(architecture: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Running]:
    """``monosplit run ARCHITECTURE --port 0``, until it is ready; stopped with SIGTERM after."""
    process = subprocess.Popen(
        [MONOSPLIT, "run", str(architecture), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    run = Running(process)

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with run._lock:
                run.lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        line = run.wait_for(READY.pattern, timeout=120)
        match = READY.search(line)
        assert match is not None
        run.base_url = match.group(1)
        yield run
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        reader.join(timeout=5)
