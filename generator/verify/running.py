"""Running one architecture for verification: start every unit, drive it, stop it all.

Built from ``generator.run``'s parts, as ``monosplit run`` is, with three
differences: each unit runs one replica on fresh data (a temporary folder,
removed afterwards); readiness is awaited for every unit, not until the first
failure, so each one's fate is known; and the gateway is reached through the
recording proxy (:mod:`generator.verify.recorder`).

The journeys and the route pass run in a thread of their own (a journey is
ordinary blocking code) while this event loop serves the gateway. Whatever
happens, including cancellation (Ctrl-C), every process started is stopped
before :func:`run_architecture` returns or raises.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.run.balancing import RoundRobin
from generator.run.gateway import Gateway
from generator.run.manifest import RunManifest, Unit
from generator.run.routing import Router
from generator.run.seed import prepare_data
from generator.run.specs import (
    LOOPBACK,
    ReplicaSpec,
    UnitPorts,
    build_replica_specs,
    write_unit_key,
)
from generator.run.supervisor import Replica, ReplicaState, Supervisor, UnitStartError
from generator.verify.diagnosis import diagnose, first_logged_error
from generator.verify.exchanges import JourneyFailure, Phase, Recording
from generator.verify.journey import Journey, JourneyClient, describe_exception
from generator.verify.recorder import Recorder
from generator.verify.results import LoggedErrors, UnitReadiness

Emit = Callable[[str], None]

STOP_GRACE_SECONDS = 10.0
# A unit that stops answering mid-verification is a finding, not something to wait out.
UNAVAILABLE_TIMEOUT_SECONDS = 5.0
LOG_LINES_KEPT = 2000


@dataclass(frozen=True, slots=True)
class RunSettings:
    """How every architecture is run: the interpreter, extra environment and time limits."""

    python: str
    env: Mapping[str, str] = field(default_factory=dict)
    ready_timeout: float = 60.0
    journey_timeout: float = 300.0
    #: a SQLite database every unit's SQLite files begin as a copy of (generator/run/seed.py)
    seed_database: Path | None = None


@dataclass(frozen=True, slots=True)
class ArchitectureRun:
    """What one run found: each unit's readiness, and what it answered (None when not driven)."""

    units: tuple[UnitReadiness, ...]
    recording: Recording | None
    logged: tuple[LoggedErrors, ...] = ()


class _Logs:
    """Each replica's output, kept from the supervisor's prefixed lines; the rest passed on."""

    def __init__(self, specs: Sequence[ReplicaSpec], echo: Emit | None) -> None:
        self._prefixes = {f"[{spec.name}] ": spec.name for spec in specs}
        self._lines: dict[str, list[str]] = {spec.name: [] for spec in specs}
        self._since_mark: dict[str, list[str]] | None = None
        self._echo = echo

    def __call__(self, line: str) -> None:
        if self._echo is not None:
            with contextlib.suppress(OSError):
                self._echo(line)
        prefix, _, _ = line.partition("] ")
        name = self._prefixes.get(prefix + "] ")
        if name is not None:
            text = line[len(prefix) + 2 :]
            for kept in (self._lines, self._since_mark):
                if kept is not None:
                    kept[name].append(text)
                    del kept[name][:-LOG_LINES_KEPT]

    def of(self, name: str) -> list[str]:
        return self._lines[name]

    def mark(self) -> None:
        """From now on, also keep each replica's lines apart (what it printed while driven)."""
        self._since_mark = {name: [] for name in self._lines}

    def since_mark(self, name: str) -> list[str]:
        return self._since_mark[name] if self._since_mark is not None else []


async def run_architecture(
    manifest: RunManifest,
    settings: RunSettings,
    *,
    journeys: Sequence[Journey],
    routes: Sequence[str],
    drive: bool,
    on_supervisor: Callable[[Supervisor | None], None] = lambda _: None,
    unit_output: Emit | None = None,
) -> ArchitectureRun:
    """Start ``manifest``'s units on fresh data, drive them if ``drive`` and all got ready, stop them.

    ``on_supervisor`` is told the supervisor while it runs (and None after), so a
    second Ctrl-C can kill everything at once; ``unit_output`` gets every line the
    units print (``--verbose``).
    """
    data_root = Path(tempfile.mkdtemp(prefix="monosplit-verify-"))
    try:
        return await _run(manifest, settings, data_root, journeys, routes, drive, on_supervisor, unit_output)
    finally:
        shutil.rmtree(data_root, ignore_errors=True)


async def _run(
    manifest: RunManifest,
    settings: RunSettings,
    data_root: Path,
    journeys: Sequence[Journey],
    routes: Sequence[str],
    drive: bool,
    on_supervisor: Callable[[Supervisor | None], None],
    unit_output: Emit | None,
) -> ArchitectureRun:
    public, internal = _free_ports(manifest), _free_ports(manifest)
    while {port for _, port in public} & {
        port for _, port in internal
    }:  # each unit also has an internal port
        internal = _free_ports(manifest)
    ports = {
        unit.name: UnitPorts(service=inside, replicas=(port,), internal=(inside,))
        for (unit, port), (_, inside) in zip(public, internal, strict=True)
    }
    specs = build_replica_specs(
        manifest,
        ports,
        data_root=data_root,
        python=settings.python,
        inherited_env=os.environ,
        overrides=settings.env,
        key_file=write_unit_key(data_root / ".unit-auth"),
    )
    prepare_data(specs, data_root, settings.seed_database)
    logs = _Logs(specs, unit_output)
    supervisor = Supervisor(specs, emit=logs)
    on_supervisor(supervisor)
    gateway: Gateway | None = None
    recorder: Recorder | None = None
    listener: socket.socket | None = None
    try:
        try:
            await supervisor.start()
        except UnitStartError as exc:
            return ArchitectureRun(
                tuple(UnitReadiness(u.name, False, str(exc)) for u in manifest.units), None
            )
        await _settle(supervisor, settings.ready_timeout)
        units = tuple(
            _readiness(r, manifest, logs, data_root, settings.ready_timeout) for r in supervisor.replicas
        )
        if not drive or not all(unit.ready for unit in units):
            return ArchitectureRun(units, None)
        listener = socket.create_server((LOOPBACK, 0))
        gateway = Gateway(
            Router.build(manifest.public_routes, default_unit=manifest.default_unit),
            RoundRobin(supervisor, unavailable_timeout=UNAVAILABLE_TIMEOUT_SECONDS),
            listener,
        )
        await gateway.start()
        recorder = Recorder(f"http://{LOOPBACK}:{gateway.port}")
        await recorder.start()
        logs.mark()
        failures = await _drive_in_thread(recorder, journeys, routes, settings.journey_timeout)
        failures = [replace(f, message=_scrub_failure(f.message, recorder.base_url)) for f in failures]
        recording = Recording(recorder.exchanges(), tuple(failures), recorder.base_url, str(data_root))
        return ArchitectureRun(units, recording, _logged_errors(supervisor, manifest, logs, data_root))
    finally:
        if recorder is not None:
            await recorder.close()
        if gateway is not None:
            await gateway.close()
        if listener is not None:
            listener.close()
        await supervisor.stop(grace=STOP_GRACE_SECONDS)
        on_supervisor(None)


def _free_ports(manifest: RunManifest) -> list[tuple[Unit, int]]:
    """A free loopback port per unit, all held open together so no two are the same."""
    sockets = [socket.create_server((LOOPBACK, 0)) for _ in manifest.units]
    try:
        return [(unit, s.getsockname()[1]) for unit, s in zip(manifest.units, sockets, strict=True)]
    finally:
        for s in sockets:
            s.close()


async def _settle(supervisor: Supervisor, timeout: float) -> None:
    """Wait until every replica is ready or has given up, or ``timeout`` passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while any(r.state is not ReplicaState.READY and not r.boot_failed for r in supervisor.replicas):
        remaining = deadline - loop.time()
        if remaining <= 0:
            return
        await supervisor.wait_for_change(remaining)


def _readiness(
    replica: Replica, manifest: RunManifest, logs: _Logs, data_root: Path, timeout: float
) -> UnitReadiness:
    spec = replica.spec
    if replica.state is ReplicaState.READY:
        return UnitReadiness(spec.unit, True)
    timed_out = not replica.boot_failed
    if timed_out:
        problem = f"not ready within {timeout:g}s (GET {spec.ready_path}: {replica.last_probe})"
    else:
        code = replica.process.returncode if replica.process is not None else None
        problem = f"exited with code {code} before it was ready" if code is not None else "could not start"
    lines = [_scrub(line, data_root, spec.port) for line in logs.of(spec.name)]
    error = diagnose(lines, unit_dir=spec.cwd.resolve(), shown_from=manifest.root)
    return UnitReadiness(spec.unit, False, problem, error, timed_out)


def _logged_errors(
    supervisor: Supervisor, manifest: RunManifest, logs: _Logs, data_root: Path
) -> tuple[LoggedErrors, ...]:
    found = []
    for replica in supervisor.replicas:
        spec = replica.spec
        lines = [_scrub(line, data_root, spec.port) for line in logs.since_mark(spec.name)]
        logged = first_logged_error(lines, unit_dir=spec.cwd.resolve(), shown_from=manifest.root)
        if logged is not None:
            found.append(LoggedErrors(spec.unit, *logged))
    return tuple(found)


def _scrub_failure(message: str, base_url: str) -> str:
    """A journey's error without the run's own address (it is in the URLs it names)."""
    return message.replace(base_url, "{base}").replace(base_url.split("://", 1)[-1], "{host}")


def _scrub(line: str, data_root: Path, port: int) -> str:
    """A log line without what differs between runs: the data folder and the port."""
    line = line.replace(str(data_root), "{data}")
    return line.replace(f"{LOOPBACK}:{port}", f"{LOOPBACK}:{{port}}").replace(
        f"'{LOOPBACK}', {port}", f"'{LOOPBACK}', {{port}}"
    )


async def _drive_in_thread(
    recorder: Recorder, journeys: Sequence[Journey], routes: Sequence[str], timeout: float
) -> list[JourneyFailure]:
    """Run the journeys, then GET every route, in a daemon thread, within ``timeout`` seconds.

    A daemon thread rather than the loop's executor: a journey stuck in a loop of its own
    must not keep verify from stopping the units and exiting.
    """
    done: concurrent.futures.Future[list[JourneyFailure]] = concurrent.futures.Future()

    def work() -> None:
        # after a timeout or a Ctrl-C nobody waits any more: the future is cancelled
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            try:
                done.set_result(_drive(recorder, journeys, routes))
            except BaseException as exc:  # noqa: BLE001  (handed over to the loop, which re-raises it)
                done.set_exception(exc)

    threading.Thread(target=work, name="monosplit-verify-drive", daemon=True).start()
    try:
        return await asyncio.wait_for(asyncio.wrap_future(done), timeout)
    except TimeoutError:
        phase, label = recorder.current
        where = label if phase is Phase.JOURNEY else "the route pass"
        steps = sum(1 for e in recorder.exchanges() if e.phase is phase and e.label == label)
        return [JourneyFailure(where, steps, f"did not finish within {timeout:g}s (--journey-timeout)")]


def _drive(recorder: Recorder, journeys: Sequence[Journey], routes: Sequence[str]) -> list[JourneyFailure]:
    """The journeys in order, then the routes, with one client: the routes see what the journeys did."""
    client = JourneyClient(recorder.base_url)
    failures: list[JourneyFailure] = []
    for journey in journeys:
        recorder.begin(Phase.JOURNEY, journey.name)
        before = len(recorder.exchanges())
        try:
            journey.load()(client)
        except BaseException as exc:  # noqa: BLE001  (the user's journey: whatever it raises is a finding)
            steps = len(recorder.exchanges()) - before
            failures.append(JourneyFailure(journey.name, steps, describe_exception(exc, journey.path)))
    for rule in routes:
        recorder.begin(Phase.ROUTE, rule)
        with contextlib.suppress(OSError):  # no answer at all: the recorder has it as status 0
            client.get(rule)
    return failures
