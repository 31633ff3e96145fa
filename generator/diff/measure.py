"""``--measure``: run both architectures with ``monosplit run`` and drive a scenario against each.

The one module of the diff that starts processes. Each side runs alone: A is
started, warmed up, measured and stopped before B starts, in the same session
on the same machine. The scenario is a Python script exposing
``run_scenario(base_url)`` that returns the requests it made, each with
``method``, ``path`` and ``elapsed_ms`` (the sample's ``scenario.py`` does).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diff.latency import Sample, by_route, latency_stats, router_of
from generator.diff.model import Diff, DiffError, Machine, Measurement, RouteLatency, Side

READY = re.compile(r"monosplit: ready at (http://\S+)")
READY_TIMEOUT = 180.0
STOP_TIMEOUT = 30.0

Scenario = Callable[[str], Any]
Emit = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class SideRun:
    """The measured requests of one side and the wall time the measured scenario runs took."""

    samples: tuple[Sample, ...]
    seconds: float
    runs: int


def load_scenario(path: Path) -> Scenario:
    """``run_scenario`` of the script at ``path``. Raises :class:`DiffError` when there is none."""
    if not path.is_file():
        raise DiffError(f"{path}: no such scenario script")
    name = f"_monosplit_scenario_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DiffError(f"{path}: cannot be imported as a Python script")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses in the script look their module up here
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - any failure of the user's script is one line for the user
        raise DiffError(f"{path}: importing the scenario failed: {_first_line(exc)}") from None
    run = getattr(module, "run_scenario", None)
    if not callable(run):
        raise DiffError(f"{path}: defines no run_scenario(base_url) function")
    return run


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


def measure(
    diff: Diff,
    *,
    scenario: Path,
    requests: int,
    warmup: int = 1,
    env: Mapping[str, str] | None = None,
    emit: Emit | None = None,
    run_args: tuple[str, ...] = (),
) -> Measurement:
    """Run A, then B, each for at least ``requests`` measured requests after ``warmup`` scenario runs."""
    require_generated(diff)
    run = load_scenario(scenario)
    started_machine = machine()
    runs = []
    for side in (diff.a, diff.b):
        if emit:
            emit(f"measuring {side.label} ...")
        runs.append(
            measure_side(side, run, requests=requests, warmup=warmup, env=env or {}, run_args=run_args)
        )
    a_run, b_run = runs
    a_routes = by_route(a_run.samples, router_of(diff.a.units))
    b_routes = by_route(b_run.samples, router_of(diff.b.units))
    routes = tuple(
        RouteLatency(route, a_routes.get(route), b_routes.get(route))
        for route in sorted(set(a_routes) | set(b_routes), key=_route_order)
    )
    return Measurement(
        scenario=str(scenario),
        requests=requests,
        warmup=warmup,
        machine=started_machine,
        a_runs=a_run.runs,
        b_runs=b_run.runs,
        a_seconds=round(a_run.seconds, 6),
        b_seconds=round(b_run.seconds, 6),
        a=latency_stats([s.elapsed_ms for s in a_run.samples], a_run.seconds),
        b=latency_stats([s.elapsed_ms for s in b_run.samples], b_run.seconds),
        routes=routes,
        engine=run_args[run_args.index("--engine") + 1] if "--engine" in run_args else "local",
    )


def require_generated(diff: Diff) -> None:
    """Raise :class:`DiffError` unless both sides are generated folders ``monosplit run`` can start."""
    for name, side in (("A", diff.a), ("B", diff.b)):
        if side.folder is None:
            raise DiffError(
                f"--measure runs generated architectures; {name} ({side.label}) is a {side.kind}: "
                "generate it first (monosplit generate or migrate)"
            )


def _route_order(key: str) -> tuple[str, str]:
    method, _, rule = key.partition(" ")
    return (rule, method)


def measure_side(
    side: Side,
    run: Scenario,
    *,
    requests: int,
    warmup: int,
    env: Mapping[str, str],
    run_args: tuple[str, ...] = (),
) -> SideRun:
    """Start ``side``'s architecture, run the scenario whole until ``requests`` were measured, stop it."""
    assert side.folder is not None
    with running(side.folder, env=env, run_args=run_args) as base_url:
        for _ in range(warmup):
            _samples(run, base_url, side)
        samples: list[Sample] = []
        runs = 0
        started = time.perf_counter()
        while len(samples) < requests:
            found = _samples(run, base_url, side)
            if not found:
                raise DiffError(f"the scenario made no requests against {side.label}")
            samples.extend(found)
            runs += 1
        seconds = time.perf_counter() - started
    return SideRun(tuple(samples), seconds, runs)


def _samples(run: Scenario, base_url: str, side: Side) -> list[Sample]:
    try:
        results = run(base_url)
    except Exception as exc:  # noqa: BLE001 - a failing scenario is the user's to read, in one line
        raise DiffError(f"the scenario failed against {side.label}: {_first_line(exc)}") from None
    samples = []
    for result in results or ():
        try:
            samples.append(Sample(str(result.method), str(result.path), float(result.elapsed_ms)))
        except (AttributeError, TypeError, ValueError):
            raise DiffError(
                "run_scenario must return the requests it made, each with method, path and elapsed_ms"
            ) from None
    return samples


@contextlib.contextmanager
def running(
    folder: Path, *, env: Mapping[str, str], timeout: float = READY_TIMEOUT, run_args: tuple[str, ...] = ()
) -> Iterator[str]:
    """``monosplit run folder --port 0`` until it is ready; yields its URL; stopped with SIGTERM after."""
    command = [sys.executable, "-m", "generator.cli", "run", str(folder), "--port", "0", *run_args]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **env},
        start_new_session=True,  # its units are its children: one group to stop if it hangs
    )
    lines: deque[str] = deque(maxlen=40)
    found: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:  # read to the end, or the run blocks on a full pipe
            lines.append(line.rstrip("\n"))
            match = READY.search(line)
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()

    reader = threading.Thread(target=pump, name="monosplit-diff-run", daemon=True)
    reader.start()
    try:
        ready.wait(timeout)
        if not found:
            code = process.poll()
            why = f"exited with code {code}" if code is not None else f"was not ready after {timeout:.0f} s"
            last = next(
                (line for line in reversed(lines) if "error" in line.lower()), lines[-1] if lines else ""
            )
            raise DiffError(f"monosplit run {folder} {why}" + (f": {last.strip()}" if last else ""))
        yield found[0]
    finally:
        _stop(process)
        reader.join(timeout=5)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def machine() -> Machine:
    """Cores, CPU model, load average, Python version and platform of this machine, now."""
    load: tuple[float, float, float] | None
    try:
        one, five, fifteen = os.getloadavg()
        load = (round(one, 2), round(five, 2), round(fifteen, 2))
    except (OSError, AttributeError):
        load = None
    return Machine(
        cores=os.cpu_count() or 1,
        cpu=_cpu_model(),
        load_average=load,
        python=platform.python_version(),
        platform=f"{platform.system()} {platform.release()} {platform.machine()}",
    )


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "Hardware") and value.strip():
                return value.strip()
    return platform.processor() or platform.machine() or "unknown"
