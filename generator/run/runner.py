"""``monosplit run``: run one generated architecture on this machine, until asked to stop.

The use case behind the command. It binds the public and service ports,
writes a fresh unit-to-unit key for the run (in a private temporary folder,
removed at the end), starts the supervisor, waits for every replica to be
ready, then opens the gateway and prints a summary ending in
``monosplit: ready at URL``. The gateway reaches only the units' public
ports; the units reach each other on their internal ports. SIGINT,
SIGTERM or SIGHUP stops it all (a second one kills at once); whatever happens,
no child process outlives the run. Everything printed goes through ``emit``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import MonosplitError
from generator.run.balancing import RoundRobin
from generator.run.gateway import Gateway
from generator.run.manifest import RunManifest
from generator.run.routing import Router
from generator.run.seed import SeedError, check_seed, prepare_data
from generator.run.services import ServicePort
from generator.run.specs import (
    LOOPBACK,
    UnitPorts,
    build_replica_specs,
    service_url,
    write_unit_key,
)
from generator.run.supervisor import Emit, Supervisor

STOP_GRACE_SECONDS = 10.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class RunOptionError(MonosplitError):
    """An option of ``monosplit run`` that does not fit the manifest or the machine."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run an architecture; the defaults are the command's."""

    host: str = LOOPBACK
    port: int = 8000
    replicas: Mapping[str, int] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    data_dir: Path | None = None
    keep_data: bool = False
    ready_timeout: float = 60.0
    unavailable_timeout: float = 20.0
    #: the largest request body the gateway accepts (413 beyond); it buffers each body whole
    max_body_bytes: int = 10 * 1024 * 1024
    #: the interpreter every unit runs in: the app's own virtualenv, where its libraries are
    python: str = sys.executable
    #: a SQLite database every unit's SQLite files begin as a copy of (generator/run/seed.py)
    seed_database: Path | None = None


def check_options(manifest: RunManifest, options: RunOptions) -> None:
    """Raise :class:`RunOptionError` for options the manifest cannot honour, before anything starts."""
    if options.seed_database is not None:
        try:
            check_seed(options.seed_database)
        except SeedError as exc:
            raise RunOptionError(str(exc)) from None
    for name, count in options.replicas.items():
        if name not in manifest.unit_names:
            raise RunOptionError(
                f"--replicas {name}={count}: no unit {name!r} in {manifest.path} "
                f"(units: {', '.join(manifest.unit_names)})"
            )
        if count < 1:
            raise RunOptionError(f"--replicas {name}={count}: a unit needs at least one replica")
    for unit in manifest.units:
        folder = manifest.root / unit.directory
        if not folder.is_dir():
            raise RunOptionError(f"{manifest.path}: unit {unit.name!r}: directory {folder} does not exist")


def run_architecture(manifest: RunManifest, options: RunOptions, *, emit: Emit) -> None:
    """Run until SIGINT, SIGTERM or SIGHUP; return after a clean stop.

    Raises :class:`MonosplitError` when an option is wrong, a port is taken, or a
    unit cannot start or get ready (everything started is stopped first).
    """
    check_options(manifest, options)
    asyncio.run(_run(manifest, options, _tolerant(emit)))


def _tolerant(emit: Emit) -> Emit:
    """``emit`` that drops a line it cannot write.

    When whoever reads our output goes away (a closed pipe), the units must still
    be supervised, and a stop must still stop them.
    """

    def emit_or_drop(line: str) -> None:
        with contextlib.suppress(OSError):
            emit(line)

    return emit_or_drop


async def _run(manifest: RunManifest, options: RunOptions, emit: Emit) -> None:
    # a taken port or an unusable data folder is an error before anything starts
    with contextlib.closing(_listen(options.host, options.port, what="the gateway")) as public:
        data = _DataRoot(options.data_dir, keep=options.keep_data)
        try:
            await _serve(manifest, options, emit, public, data)
        finally:
            data.release(emit)
            emit("monosplit: stopped")


async def _serve(
    manifest: RunManifest, options: RunOptions, emit: Emit, public: socket.socket, data: _DataRoot
) -> None:
    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    supervisor: Supervisor | None = None

    def on_signal(signum: signal.Signals) -> None:
        if stop_requested.is_set() and supervisor is not None:
            supervisor.kill_now()
            emit(f"monosplit: {signum.name} again: killed everything")
            return
        stop_requested.set()
        emit(f"monosplit: {signum.name} received, stopping")

    # SIGHUP too: a closed terminal stops the run rather than leave its units behind
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, on_signal, signum)

    service_listeners: dict[str, socket.socket] = {}
    services: list[ServicePort] = []
    gateway: Gateway | None = None
    secrets = Path(tempfile.mkdtemp(prefix="monosplit-key-"))
    try:
        ports, service_listeners = _allocate_ports(manifest, options.replicas)
        specs = build_replica_specs(
            manifest,
            ports,
            data_root=data.path,
            python=options.python,
            inherited_env=os.environ,
            overrides=options.env,
            key_file=write_unit_key(secrets),
        )
        for written in prepare_data(specs, data.path, options.seed_database):
            emit(f"monosplit: {written} begins as a copy of {options.seed_database}")
        supervisor = Supervisor(specs, emit=emit)
        balancer = RoundRobin(supervisor, unavailable_timeout=options.unavailable_timeout)
        # Service ports listen before the units start: a unit may call another while booting.
        for unit, listener in service_listeners.items():
            service = ServicePort(unit, listener, balancer)
            await service.start()
            services.append(service)
        emit(f"monosplit: starting {manifest.architecture} from {manifest.path}")
        await supervisor.start()
        if not await _unless_stopped(supervisor.wait_until_ready(options.ready_timeout), stop_requested):
            return
        gateway = Gateway(
            Router.build(manifest.public_routes, default_unit=manifest.default_unit),
            balancer,
            public,
            max_body=options.max_body_bytes,
        )
        await gateway.start()
        public_url = _public_url(options.host, gateway.port)
        for line in _summary(manifest, ports, public_url, data):
            emit(line)
        emit(f"monosplit: ready at {public_url}")
        await stop_requested.wait()
    finally:
        if gateway is not None:
            await gateway.close()
        for service in services:
            await service.close()
        if supervisor is not None:
            await supervisor.stop(grace=STOP_GRACE_SECONDS)
        for listener in service_listeners.values():
            listener.close()
        shutil.rmtree(secrets, ignore_errors=True)
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)


async def _unless_stopped(wait: Coroutine[Any, Any, None], stop_requested: asyncio.Event) -> bool:
    """Await ``wait`` unless a stop is requested first; say whether it finished."""
    waiting = asyncio.ensure_future(wait)
    stopping = asyncio.ensure_future(stop_requested.wait())
    done, _ = await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    for task in (waiting, stopping):
        if task not in done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if waiting in done:
        waiting.result()  # raises the unit's failure, if any
        return True
    return False


class _DataRoot:
    """The folder holding each unit's ``{data}`` folder: the user's, or a temporary one."""

    def __init__(self, given: Path | None, *, keep: bool) -> None:
        self.temporary = given is None
        self.keep = keep or given is not None
        if given is None:
            self.path = Path(tempfile.mkdtemp(prefix="monosplit-run-"))
        else:
            try:
                given.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise RunOptionError(f"--data-dir {given}: cannot create: {exc.strerror or exc}") from None
            self.path = given.resolve()

    def release(self, emit: Emit) -> None:
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)
        elif self.temporary:
            emit(f"monosplit: data kept in {self.path}")


def _listen(host: str, port: int, *, what: str) -> socket.socket:
    """A bound socket, so the port is ours before anything starts (and ``port=0`` picks one)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise RunOptionError(f"{what}: unknown host {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
    except OSError as exc:
        listener.close()
        raise RunOptionError(f"{what}: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return listener


def _free_ports(count: int) -> list[int]:
    """Ports free on the loopback right now, for replicas to bind.

    They are all held open together, so no two are the same; the replicas bind
    them moments later, the usual (small) race of handing a port to a child.
    """
    sockets = [_listen(LOOPBACK, 0, what="a replica") for _ in range(count)]
    try:
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _allocate_ports(
    manifest: RunManifest, replicas: Mapping[str, int]
) -> tuple[dict[str, UnitPorts], dict[str, socket.socket]]:
    """Each unit's ports, and the listening sockets of the service ports that the supervisor serves.

    Every replica gets two ports, public and internal; the service port is internal.
    """
    listeners = {
        unit.name: _listen(LOOPBACK, 0, what=f"the service port of {unit.name}")
        for unit in manifest.units
        if replicas.get(unit.name, 1) > 1
    }
    counts = [replicas.get(unit.name, 1) for unit in manifest.units]
    free = iter(_free_ports(2 * sum(counts)))
    ports: dict[str, UnitPorts] = {}
    for unit, count in zip(manifest.units, counts, strict=True):
        own = tuple(next(free) for _ in range(count))
        internal = tuple(next(free) for _ in range(count))
        service = listeners[unit.name].getsockname()[1] if unit.name in listeners else internal[0]
        ports[unit.name] = UnitPorts(service=service, replicas=own, internal=internal)
    return ports, listeners


def _public_url(host: str, port: int) -> str:
    """The URL to show for the gateway: a wildcard host is shown as the loopback it also serves."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}"  # a host name
    if address.is_unspecified:
        address = ipaddress.ip_address(LOOPBACK if address.version == 4 else "::1")
    shown = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{shown}:{port}"


def _summary(
    manifest: RunManifest, ports: Mapping[str, UnitPorts], public_url: str, data: _DataRoot
) -> list[str]:
    width = max(len(name) for name in (*manifest.unit_names, "gateway"))
    lines = [f"monosplit: {manifest.architecture}: {len(manifest.units)} unit(s) ready"]
    lines.append(f"  {'gateway'.ljust(width)}  {public_url}  (public; default unit {manifest.default_unit})")
    for unit in manifest.units:
        unit_ports = ports[unit.name]
        count = len(unit_ports.replicas)
        detail = (
            f"{count} replica"
            if count == 1
            else f"{count} replicas on " + ", ".join(map(str, unit_ports.replicas))
        )
        routes = f"{len(unit.routes)} route(s)" if unit.public else "private"
        lines.append(
            f"  {unit.name.ljust(width)}  {service_url(unit_ports.service)}  {unit.url_env} (internal); "
            f"{detail}; {routes}"
        )
    lines.append(f"  {'data'.ljust(width)}  {data.path}" + ("" if data.keep else "  (removed at exit)"))
    return lines
