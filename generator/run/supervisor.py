"""Keeping replica processes running: start, stream logs, check readiness, restart, stop.

Each replica runs in its own session (so its own process group): Ctrl-C in the
terminal reaches monosplit only, and stopping a replica signals everything it
started (gunicorn workers included). Its stdout and stderr are merged and
streamed line by line, prefixed with the replica's name, through ``emit``;
the supervisor never writes to the terminal itself.

A replica is *ready* when its readiness path answers 200; only ready replicas
receive traffic. When one exits unexpectedly it is restarted on the same port
after an exponential back-off, and checked for readiness again. During the
initial start, a replica that crashes before it was ever ready is restarted
too (two replicas racing to create the same tables, or a unit calling another
that is not up yet, are fixed by a retry), but after
:data:`BOOT_ATTEMPTS` crashes in a row the run fails: that crash is the code's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import aiohttp

from analyzer.errors import MonosplitError
from generator.run.specs import ReplicaSpec

Emit = Callable[[str], None]

LOG_TAIL_LINES = 20
# Boot crashes in a row that fail the initial start (later, a replica is restarted forever).
BOOT_ATTEMPTS = 3
PROBE_INTERVAL_SECONDS = 0.1
PROBE_TIMEOUT_SECONDS = 2.0
# How long a dead replica's remaining output may take to drain before we move on.
DRAIN_SECONDS = 1.0
_READ_CHUNK = 65536


class UnitStartError(MonosplitError):
    """A unit could not be started, crashed at boot, or never got ready."""

    exit_code = 1


@dataclass(slots=True)
class RestartBackoff:
    """Delays between restarts: 0.5 s doubling to 10 s, back to 0.5 s after 30 s of uptime."""

    initial: float = 0.5
    maximum: float = 10.0
    reset_after: float = 30.0
    _next: float = field(default=0.0, init=False)

    def next_delay(self, uptime: float) -> float:
        """The delay before restarting a replica that ran for ``uptime`` seconds."""
        if self._next == 0.0 or uptime >= self.reset_after:
            self._next = self.initial
        delay = self._next
        self._next = min(delay * 2, self.maximum)
        return delay


class ReplicaState(StrEnum):
    STARTING = "starting"  # running, not yet answering its readiness path
    READY = "ready"
    DOWN = "down"  # exited, or waiting to be restarted


@dataclass(slots=True, eq=False)
class Replica:
    """The running state of one replica; mutated by the supervisor only."""

    spec: ReplicaSpec
    state: ReplicaState = ReplicaState.DOWN
    process: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    ready_once: bool = False  # ready since the current process started
    boot_failed: bool = False  # crashed BOOT_ATTEMPTS times before it was ever ready: not restarted
    last_probe: str = "not checked yet"
    log_tail: deque[str] = field(default_factory=lambda: deque(maxlen=LOG_TAIL_LINES))
    log_pump: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None


class Supervisor:
    """Runs every replica of an architecture and reports which ones are ready.

    Implements :class:`generator.run.balancing.Backends` for the gateway and the service ports.
    """

    def __init__(self, specs: Sequence[ReplicaSpec], *, emit: Emit) -> None:
        self._replicas = [Replica(spec) for spec in specs]
        self._emit = emit
        self._tasks: list[asyncio.Task[None]] = []
        self._changed = asyncio.Event()
        self._stopping = asyncio.Event()
        self._started = False  # every replica was ready once: from now on, exits are restarted
        self._failure: UnitStartError | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def replicas(self) -> tuple[Replica, ...]:
        return tuple(self._replicas)

    # --- Backends -----------------------------------------------------------------------

    def ready_ports(self, unit: str, *, internal: bool = False) -> list[int]:
        return [
            r.spec.internal_port if internal else r.spec.port
            for r in self._replicas
            if r.spec.unit == unit and r.state is ReplicaState.READY
        ]

    async def wait_for_change(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _set_state(self, replica: Replica, state: ReplicaState) -> None:
        replica.state = state
        self._notify()

    # --- start --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every unit; raise :class:`UnitStartError` if a command cannot be executed.

        A unit's first replica starts alone and its other replicas once it is ready: the
        replicas share the unit's data folder, and the first one initialises it (creates the
        tables, say) without racing the others, as a StatefulSet starts its pods in order.
        """
        # A fresh connection per probe: an idle keep-alive connection could block a
        # single-threaded server from answering anyone else.
        self._http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True),
            timeout=aiohttp.ClientTimeout(total=PROBE_TIMEOUT_SECONDS),
        )
        for first in (r for r in self._replicas if r.spec.index == 1):
            await self._launch(first)
            others = [r for r in self._replicas if r.spec.unit == first.spec.unit and r is not first]
            for other in others:
                other.last_probe = f"not started: waits for {first.spec.name} to be ready"
            if others:
                self._tasks.append(asyncio.create_task(self._launch_after(first, others)))

    async def _launch(self, replica: Replica) -> None:
        try:
            await self._spawn(replica)
        except OSError as exc:
            raise UnitStartError(
                f"{replica.spec.name}: cannot start {replica.spec.argv[0]!r} in {replica.spec.cwd}: "
                f"{exc.strerror or exc}"
            ) from None
        self._tasks.append(asyncio.create_task(self._keep_running(replica), name=replica.spec.name))

    async def _launch_after(self, first: Replica, others: list[Replica]) -> None:
        while first.state is not ReplicaState.READY:
            if self._stopping.is_set() or self._failure is not None:
                return
            await self.wait_for_change(1.0)
        for replica in others:
            try:
                await self._launch(replica)
            except UnitStartError as exc:
                self._failure = exc
                self._notify()
                return

    async def wait_until_ready(self, timeout: float) -> None:
        """Return once every replica answered its readiness path; from then on, exits are restarted.

        Raises :class:`UnitStartError` when a replica crashed at boot or ``timeout`` passed, after
        emitting the names and last log lines of the replicas at fault.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._failure is not None:
                raise self._failure
            if all(r.state is ReplicaState.READY for r in self._replicas):
                self._started = True
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self.wait_for_change(remaining)
        late = [r for r in self._replicas if r.state is not ReplicaState.READY]
        for replica in late:
            self._emit(
                f"monosplit: {replica.spec.name} not ready after {timeout:g}s "
                f"(GET {replica.spec.ready_path}: {replica.last_probe})"
            )
            self._emit_tail(replica)
        units = sorted({r.spec.unit for r in late})
        raise UnitStartError(f"unit {', '.join(units)} did not get ready within {timeout:g}s")

    async def _spawn(self, replica: Replica) -> None:
        spec = replica.spec
        process = await asyncio.create_subprocess_exec(
            *spec.argv,
            cwd=spec.cwd,
            env=dict(spec.env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        replica.process = process
        replica.started_at = asyncio.get_running_loop().time()
        replica.ready_once = False
        replica.last_probe = "no answer yet"
        self._set_state(replica, ReplicaState.STARTING)
        self._emit(
            f"monosplit: {spec.name} started pid={process.pid} port={spec.port} internal={spec.internal_port}"
        )
        if self._stopping.is_set():
            # stop() already signalled every group; this one was being born meanwhile
            self._signal(replica, signal.SIGTERM)
        assert process.stdout is not None
        replica.log_pump = asyncio.create_task(self._pump_log(replica, process.stdout))

    # --- keep running ---------------------------------------------------------------------

    async def _keep_running(self, replica: Replica) -> None:
        backoff = RestartBackoff()
        loop = asyncio.get_running_loop()
        boot_crashes = 0
        while True:
            outcome = await self._watch(replica)
            uptime = loop.time() - replica.started_at
            if self._stopping.is_set():
                return
            boot_crashes = 0 if replica.ready_once else boot_crashes + 1
            if not self._started and boot_crashes >= BOOT_ATTEMPTS:
                self._fail(replica, outcome, boot_crashes)
                return
            delay = backoff.next_delay(uptime)
            self._emit(f"monosplit: {replica.spec.name} {outcome}; restarting in {delay:g}s")
            # sleep out the delay, unless a stop comes first
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
                return
            try:
                await self._spawn(replica)
            except OSError as exc:
                replica.process = None
                replica.started_at = loop.time()
                self._emit(f"monosplit: {replica.spec.name} cannot start: {exc.strerror or exc}")

    async def _watch(self, replica: Replica) -> str:
        """Wait for the current process to end; say how it ended."""
        process = replica.process
        if process is None:  # the last restart could not even execute the command
            return "could not start"
        probe = asyncio.create_task(self._probe_until_ready(replica, process))
        code = await process.wait()
        probe.cancel()
        # The group outlives its leader if the leader left children behind; they would
        # hold the port the restarted replica needs.
        self._signal(replica, signal.SIGKILL)
        await self._drain_log(replica)
        self._set_state(replica, ReplicaState.DOWN)
        return f"exited with code {code}"

    async def _probe_until_ready(self, replica: Replica, process: asyncio.subprocess.Process) -> None:
        assert self._http is not None
        spec = replica.spec
        while process.returncode is None:
            try:
                async with self._http.get(spec.ready_url, allow_redirects=False) as response:
                    await response.read()
                    if response.status == 200:
                        replica.ready_once = True
                        replica.last_probe = "200"
                        self._set_state(replica, ReplicaState.READY)
                        self._emit(f"monosplit: {spec.name} ready")
                        return
                    replica.last_probe = f"answered {response.status}"
            except aiohttp.ClientConnectorError:
                replica.last_probe = "cannot connect"
            except TimeoutError:
                replica.last_probe = f"no answer within {PROBE_TIMEOUT_SECONDS:g}s"
            except (aiohttp.ClientError, OSError) as exc:
                replica.last_probe = f"{type(exc).__name__}: {exc}"
            await asyncio.sleep(PROBE_INTERVAL_SECONDS)

    def _fail(self, replica: Replica, outcome: str, attempts: int) -> None:
        replica.boot_failed = True
        self._notify()
        if self._failure is not None:
            return
        what = f"{outcome} before it was ready ({attempts} attempts)"
        self._emit(f"monosplit: {replica.spec.name} {what}")
        self._emit_tail(replica)
        self._failure = UnitStartError(f"unit {replica.spec.unit} {what}")
        self._notify()

    def _emit_tail(self, replica: Replica) -> None:
        if not replica.log_tail:
            self._emit(f"monosplit: {replica.spec.name} printed nothing")
            return
        self._emit(f"monosplit: last lines of {replica.spec.name}:")
        for line in replica.log_tail:
            self._emit(f"  | {line}")

    # --- logs -----------------------------------------------------------------------------

    async def _pump_log(self, replica: Replica, stream: asyncio.StreamReader) -> None:
        prefix = f"[{replica.spec.name}] "
        pending = b""
        while chunk := await stream.read(_READ_CHUNK):
            *lines, pending = (pending + chunk).split(b"\n")
            # a line with no end in sight is shown in pieces rather than held forever
            if len(pending) >= _READ_CHUNK:
                lines.append(pending)
                pending = b""
            for raw in lines:
                self._log_line(replica, prefix, raw)
        if pending:
            self._log_line(replica, prefix, pending)

    def _log_line(self, replica: Replica, prefix: str, raw: bytes) -> None:
        line = raw.decode("utf-8", errors="replace").rstrip("\r")
        replica.log_tail.append(line)
        self._emit(prefix + line)

    async def _drain_log(self, replica: Replica) -> None:
        pump = replica.log_pump
        if pump is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(pump), DRAIN_SECONDS)
        pump.cancel()

    # --- stop -----------------------------------------------------------------------------

    def _signal(self, replica: Replica, signum: signal.Signals) -> None:
        if replica.process is None:
            return
        # the replica leads its own session, so its group id is its pid
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(replica.process.pid, signum)

    def kill_now(self) -> None:
        """SIGKILL every replica's process group (a second Ctrl-C: no more waiting)."""
        for replica in self._replicas:
            self._signal(replica, signal.SIGKILL)

    async def stop(self, *, grace: float = 10.0) -> None:
        """SIGTERM every process group, SIGKILL what is left after ``grace`` seconds, reap everything."""
        self._stopping.set()
        self._notify()
        for replica in self._replicas:
            self._signal(replica, signal.SIGTERM)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        # tasks may still be added meanwhile (a replica being launched), hence the loop
        while (pending := [t for t in self._tasks if not t.done()]) and (left := deadline - loop.time()) > 0:
            await asyncio.wait(pending, timeout=left)
        # leaders that ignored SIGTERM, and whatever a stopped leader left behind
        self.kill_now()
        while pending := [t for t in self._tasks if not t.done()]:
            await asyncio.wait(pending)
        for replica in self._replicas:
            await self._drain_log(replica)
        if self._http is not None:
            await self._http.close()
