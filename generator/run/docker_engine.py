"""``monosplit run --engine docker``: the units as containers on a Docker engine, behind the same gateway.

The use case :func:`run_in_containers` builds each unit's image (see
:mod:`generator.run.images`), creates a user-defined bridge network, and runs
every replica as a container on it with the network alias of its unit, so
``http://<unit>:8000`` resolves (round-robin over replicas, by the engine's
DNS). Each container publishes its public port 8000 on the loopback at a port
the engine picks; the gateway of the local engine (:class:`~generator.run.gateway.Gateway`
with its router and balancer) serves the public routes on those ports. The
internal port 8001 is never published: units reach it on the network, signed
with the run's key, mounted read-only into every container as a file.

The engine heals: containers restart on failure (restart policy ``on-failure``),
and :class:`ContainerBackends` follows their state and published ports, sending
traffic only to replicas whose readiness path answers 200. At a stop, or when
anything fails, every container, the network and (unless kept) the data
volumes of the run are removed; they all carry the run's label, so nothing is
missed.

Containers run as in production: user 10001, a read-only root file system
with a tmpfs on ``/tmp``, all capabilities dropped, no new privileges, and a
named volume per unit on ``/data`` for its SQLite database (one volume for all the
units of an app on ``sqlite3`` alone, whose settings name the run's ``{shared}`` folder).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import docker.errors

from generator.run.balancing import RoundRobin
from generator.run.gateway import Gateway
from generator.run.images import BuildOptions, build_images, connect
from generator.run.manifest import RunManifest
from generator.run.routing import Router
from generator.run.runner import (
    STOP_SIGNALS,
    RunOptionError,
    RunOptions,
    _listen,
    _public_url,
    _tolerant,
    _unless_stopped,
    check_options,
)
from generator.run.specs import (
    INTERNAL_PORT_ENV,
    KEY_FILE_ENV,
    LOOPBACK,
    SHARED_DATA,
    SHARED_PLACEHOLDER,
    expand_placeholders,
    write_unit_key,
)
from generator.run.supervisor import Emit, UnitStartError

CONTAINER_PORT = 8000
CONTAINER_INTERNAL_PORT = 8001
#: where each container finds the run's unit-to-unit key
KEY_MOUNT = "/run/secrets/monosplit-unit-auth"
DATA_MOUNT = "/data"
#: where a unit's code is in its image (the Dockerfile's WORKDIR: generator.generate.deploy.APP_DIR)
APP_DIR = "/app"
RUN_LABEL = "monosplit.run"
USER = "10001:10001"
STOP_GRACE_SECONDS = 5
WATCH_SECONDS = 0.5
PROBE_TIMEOUT_SECONDS = 2.0
LOG_TAIL_LINES = 20
# Exits before the first ready answer that fail the start (the engine restarts it meanwhile).
BOOT_RESTARTS = 3


@dataclass(frozen=True, slots=True)
class ContainerSpec:
    """One container to run: its name, its unit's image, alias and environment."""

    unit: str
    index: int  # from 1
    name: str
    image: str
    env: tuple[tuple[str, str], ...]
    ready_path: str
    volume: str
    #: container paths the app writes into (Flask's instance folder, an empty logs/): a tmpfs each
    writable: tuple[str, ...] = ()


def container_specs(
    manifest: RunManifest,
    images: Mapping[str, str],
    *,
    prefix: str,
    replicas: Mapping[str, int],
    inherited_env: Mapping[str, str],
    overrides: Mapping[str, str],
) -> tuple[ContainerSpec, ...]:
    """Every container of the run, in manifest order, first replicas first within a unit.

    Environment, later layers winning: the settings the unit's compose service passes
    through (see :func:`passthrough_keys`) when set in ``inherited_env``; ``PORT`` and
    every unit's URL on the network; the manifest ``env`` (``{data}`` is the volume: the
    unit's own, or the run's one shared volume for a unit whose settings name ``{shared}``,
    which is then the same folder; ``{port}`` the container port, ``{python}`` the image's
    ``python``); the overrides.
    """
    discovery = {unit.url_env: f"http://{unit.name}:{CONTAINER_INTERNAL_PORT}" for unit in manifest.units}
    discovery[KEY_FILE_ENV] = KEY_MOUNT
    passthrough = passthrough_keys(manifest.root / "compose.yaml")
    specs: list[ContainerSpec] = []
    for unit in manifest.units:

        def expand(value: str) -> str:
            return expand_placeholders(
                value,
                python="python",
                port=CONTAINER_PORT,
                data=Path(DATA_MOUNT),
                internal_port=CONTAINER_INTERNAL_PORT,
                shared=Path(DATA_MOUNT),  # a container mounts one volume: the shared one, if it uses it
            )

        # a unit given the run's shared data folder (an app on sqlite3 alone: one file for all
        # units) mounts the run's shared volume on /data instead of a volume of its own
        shares = any(SHARED_PLACEHOLDER in value for _, value in (*unit.env, *overrides.items()))
        env = {key: inherited_env[key] for key in passthrough.get(unit.name, ()) if key in inherited_env}
        env["PORT"] = str(CONTAINER_PORT)
        env[INTERNAL_PORT_ENV] = str(CONTAINER_INTERNAL_PORT)
        env.update(discovery)
        env.update({key: expand(value) for key, value in unit.env})
        env.update({key: expand(value) for key, value in overrides.items()})
        for index in range(1, replicas.get(unit.name, 1) + 1):
            specs.append(
                ContainerSpec(
                    unit=unit.name,
                    index=index,
                    name=f"{prefix}-{unit.name}" + ("" if index == 1 else f"-{index}"),
                    image=images[unit.name],
                    env=tuple(sorted(env.items())),
                    ready_path=unit.ready,
                    volume=f"{prefix}-{SHARED_DATA}-data" if shares else f"{prefix}-{unit.name}-data",
                    writable=tuple(f"{APP_DIR}/{folder}" for folder in unit.writable),
                )
            )
    return tuple(specs)


_SERVICE = re.compile(r"^  ([A-Za-z0-9][A-Za-z0-9_.-]*):\s*$")
_PASSTHROUGH = re.compile(r'^      "?([A-Za-z_][A-Za-z0-9_]*)"?:\s*$')


def passthrough_keys(compose_file: Path) -> dict[str, tuple[str, ...]]:
    """Per service, the settings a generated ``compose.yaml`` passes through from the shell.

    Those are the configuration keys the unit's code reads, listed with no value under
    ``environment:``. The file is monosplit's own output, read line by line (YAML is
    not a dependency of monosplit run); no file, or an unexpected one, passes nothing.
    """
    try:
        lines = compose_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    keys: dict[str, list[str]] = {}
    service: str | None = None
    in_environment = False
    for line in lines:
        if found := _SERVICE.match(line):
            service, in_environment = found.group(1), False
        elif line.startswith("    ") and not line.startswith("     "):
            in_environment = line.strip() == "environment:"
        elif service is not None and in_environment and (found := _PASSTHROUGH.match(line)):
            keys.setdefault(service, []).append(found.group(1))
        elif line and not line.startswith(" "):
            service, in_environment = None, False
    return {name: tuple(found) for name, found in keys.items()}


@dataclass(slots=True, eq=False)
class ContainerReplica:
    """What the watcher last saw of one container; mutated by :class:`ContainerBackends` only."""

    spec: ContainerSpec
    container: Any = None
    status: str = "created"
    host_port: int | None = None
    restarts: int = 0
    exit_code: int = 0
    ready: bool = False
    ready_once: bool = False
    last_probe: str = "not checked yet"
    log_tail: deque[str] = field(default_factory=lambda: deque(maxlen=LOG_TAIL_LINES))


class ContainerBackends:
    """Follows the run's containers for the balancer: which are ready, on which host port.

    Implements :class:`generator.run.balancing.Backends`. The engine restarts a
    failed container by itself; this only watches, probes and reports.
    """

    def __init__(self, client: Any, replicas: Sequence[ContainerReplica], *, emit: Emit) -> None:
        self._client = client
        self._replicas = list(replicas)
        self._emit = emit
        self._changed = asyncio.Event()
        self._stopping = threading.Event()
        self._http: aiohttp.ClientSession | None = None
        self._pumps: list[threading.Thread] = []
        self._crash: Exception | None = None

    # --- Backends -----------------------------------------------------------------------

    def ready_ports(self, unit: str, *, internal: bool = False) -> list[int]:
        if internal:
            return []  # units reach each other on the engine's network, by name: nothing is published
        return [
            r.host_port for r in self._replicas if r.spec.unit == unit and r.ready and r.host_port is not None
        ]

    async def wait_for_change(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # --- watching -----------------------------------------------------------------------

    def follow_logs(self, replica: ContainerReplica) -> None:
        """Stream the container's output, prefixed with its name, through ``emit`` (in a thread)."""
        thread = threading.Thread(target=self._pump, args=(replica,), daemon=True)
        thread.start()
        self._pumps.append(thread)

    def _pump(self, replica: ContainerReplica) -> None:
        prefix = f"[{replica.spec.unit}-{replica.spec.index}] "
        since: int | None = None
        while not self._stopping.is_set():
            try:
                stream = replica.container.logs(stream=True, follow=True, since=since)
                pending = b""
                for chunk in stream:
                    *lines, pending = (pending + chunk).split(b"\n")
                    for raw in lines:
                        line = raw.decode("utf-8", errors="replace").rstrip("\r")
                        replica.log_tail.append(line)
                        self._emit(prefix + line)
            except docker.errors.DockerException:
                return  # removed
            except Exception:  # noqa: BLE001 - a log stream cut by the engine mid-chunk
                return
            # the container stopped; the engine may restart it: follow the next run's output
            since = int(time.time())
            self._stopping.wait(WATCH_SECONDS)

    async def watch(self) -> None:
        """Refresh every container's state and probe readiness, until cancelled."""
        self._http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True),
            timeout=aiohttp.ClientTimeout(total=PROBE_TIMEOUT_SECONDS),
        )
        try:
            while True:
                await asyncio.gather(*(self._refresh(replica) for replica in self._replicas))
                await asyncio.sleep(WATCH_SECONDS)
        except Exception as exc:
            self._crash = exc  # a bug: the start must not wait for news that never comes
            self._notify()
            raise
        finally:
            await self._http.close()

    async def _refresh(self, replica: ContainerReplica) -> None:
        if replica.container is None:  # not started yet
            return
        try:
            await asyncio.to_thread(replica.container.reload)
        except docker.errors.DockerException as exc:
            self._set(replica, status="gone", ready=False, last_probe=str(exc).splitlines()[0])
            return
        attrs = replica.container.attrs
        state = attrs.get("State", {})
        restarts = int(attrs.get("RestartCount", 0))
        bindings = (attrs.get("NetworkSettings", {}).get("Ports") or {}).get(f"{CONTAINER_PORT}/tcp") or []
        port = next((int(b["HostPort"]) for b in bindings if b.get("HostPort")), None)
        status = str(state.get("Status", "unknown"))
        name = f"{replica.spec.unit}-{replica.spec.index}"
        if restarts > replica.restarts:
            self._emit(
                f"monosplit: {name} exited with code {state.get('ExitCode', '?')}; "
                f"the engine restarted it ({restarts} restart(s))"
            )
            replica.ready_once = False
            self._set(replica, ready=False)
        replica.restarts = restarts
        replica.exit_code = int(state.get("ExitCode", 0) or 0)
        if status != "running" or port is None:
            self._set(replica, status=status, host_port=port, ready=False)
            return
        self._set(replica, status=status, host_port=port)
        ready = await self._probe(replica, port)
        if ready and not replica.ready:
            self._emit(f"monosplit: {name} ready on {LOOPBACK}:{port}")
        if ready:
            replica.ready_once = True
        self._set(replica, ready=ready)

    async def _probe(self, replica: ContainerReplica, port: int) -> bool:
        assert self._http is not None
        url = f"http://{LOOPBACK}:{port}{replica.spec.ready_path}"
        try:
            async with self._http.get(url, allow_redirects=False) as response:
                await response.read()
                replica.last_probe = "200" if response.status == 200 else f"answered {response.status}"
                return response.status == 200
        except aiohttp.ClientConnectorError:
            replica.last_probe = "cannot connect"
        except TimeoutError:
            replica.last_probe = f"no answer within {PROBE_TIMEOUT_SECONDS:g}s"
        except (aiohttp.ClientError, OSError) as exc:
            replica.last_probe = f"{type(exc).__name__}: {exc}"
        return False

    def _set(self, replica: ContainerReplica, **changes: Any) -> None:
        changed = any(getattr(replica, key) != value for key, value in changes.items())
        for key, value in changes.items():
            setattr(replica, key, value)
        if changed:
            self._notify()

    async def wait_until_ready(self, replicas: Sequence[ContainerReplica], timeout: float) -> None:
        """Return once every one of ``replicas`` answered its readiness path.

        Raises :class:`UnitStartError` with the log tail of the replicas at fault when one
        kept crashing before it was ever ready, or ``timeout`` passed.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._crash is not None:
                raise self._crash
            if all(r.ready for r in replicas):
                return
            crashing = [r for r in replicas if not r.ready_once and r.restarts >= BOOT_RESTARTS]
            if crashing:
                self._report(crashing, "kept exiting before it was ready")
                first = crashing[0]
                raise UnitStartError(
                    f"unit {first.spec.unit} exited with code {first.exit_code} before it was ready "
                    f"({first.restarts} restarts)"
                )
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self.wait_for_change(min(remaining, WATCH_SECONDS * 2))
        late = [r for r in replicas if not r.ready]
        self._report(late, f"not ready after {timeout:g}s")
        units = sorted({r.spec.unit for r in late})
        raise UnitStartError(f"unit {', '.join(units)} did not get ready within {timeout:g}s")

    def _report(self, replicas: Sequence[ContainerReplica], what: str) -> None:
        for replica in replicas:
            name = f"{replica.spec.unit}-{replica.spec.index}"
            self._emit(
                f"monosplit: {name} {what} (container {replica.status}; "
                f"GET {replica.spec.ready_path}: {replica.last_probe})"
            )
            tail = list(replica.log_tail)
            if not tail:
                with contextlib.suppress(docker.errors.DockerException):
                    logs = replica.container.logs(tail=LOG_TAIL_LINES).decode("utf-8", "replace")
                    tail = logs.splitlines()
            self._emit(f"monosplit: last lines of {name}:" if tail else f"monosplit: {name} printed nothing")
            for line in tail:
                self._emit(f"  | {line}")

    def stop_following(self) -> None:
        self._stopping.set()


# --- the use case ---------------------------------------------------------------------------


def run_in_containers(
    manifest: RunManifest,
    options: RunOptions,
    build: BuildOptions,
    *,
    emit: Emit,
    inherited_env: Mapping[str, str],
) -> None:
    """Build, run every unit as containers, serve the gateway until SIGINT, SIGTERM or SIGHUP.

    Raises :class:`~analyzer.errors.MonosplitError` (one line) when no engine answers, an
    image does not build, or a unit does not get ready; everything started is removed first.
    """
    check_options(manifest, options)
    if options.seed_database is not None:
        raise RunOptionError("--seed-database is for --engine local: containers start on their own volumes")
    if options.data_dir is not None:
        raise RunOptionError(
            "--data-dir is for --engine local: containers keep their data on volumes (--keep-data keeps them)"
        )
    emit = _tolerant(emit)
    with contextlib.closing(_listen(options.host, options.port, what="the gateway")) as public:
        client = connect()
        with tempfile.TemporaryDirectory(prefix="monosplit-wheels-") as wheel_cache:
            images = build_images(client, manifest, build, wheel_cache=Path(wheel_cache), emit=emit)
        run = _Run(client, manifest, emit=emit, keep_data=options.keep_data)
        secrets_folder = Path(tempfile.mkdtemp(prefix="monosplit-key-"))
        run.key_file = write_unit_key(secrets_folder)
        run.key_file.chmod(0o644)  # the containers' user must read it; its folder stays this user's only
        try:
            specs = container_specs(
                manifest,
                images,
                prefix=run.prefix,
                replicas=options.replicas,
                inherited_env=inherited_env,
                overrides=options.env,
            )
            asyncio.run(_serve(run, specs, options, public))
        finally:
            run.remove()
            shutil.rmtree(secrets_folder, ignore_errors=True)
            emit("monosplit: stopped")


class _Run:
    """The network, volumes and containers of one run, all labelled with its name, removed together."""

    def __init__(self, client: Any, manifest: RunManifest, *, emit: Emit, keep_data: bool) -> None:
        slug = re.sub(r"[^a-z0-9]+", "-", manifest.architecture.lower()).strip("-") or "app"
        self.prefix = f"monosplit-{slug}-{secrets.token_hex(3)}"
        self.labels = {RUN_LABEL: self.prefix}
        self.manifest = manifest
        self.client = client
        self.emit = emit
        self._keep_data = keep_data
        self.network: Any = None
        self.key_file: Path | None = None

    def create_network(self) -> None:
        self.network = self.client.networks.create(self.prefix, driver="bridge", labels=self.labels)

    def start(self, spec: ContainerSpec) -> Any:
        """Run one container (creating its unit's volume, if new); return it."""
        # creating an existing volume returns it: the replicas of a unit share one
        self.client.volumes.create(spec.volume, labels=self.labels)
        endpoint = self.client.api.create_endpoint_config(aliases=[spec.unit])
        return self.client.containers.run(
            spec.image,
            detach=True,
            name=spec.name,
            hostname=spec.unit,
            labels={**self.labels, "monosplit.unit": spec.unit},
            environment=dict(spec.env),
            network=self.prefix,
            networking_config={self.prefix: endpoint},
            ports={f"{CONTAINER_PORT}/tcp": (LOOPBACK, None)},
            volumes={
                spec.volume: {"bind": DATA_MOUNT, "mode": "rw"},
                **({str(self.key_file): {"bind": KEY_MOUNT, "mode": "ro"}} if self.key_file else {}),
            },
            user=USER,
            read_only=True,
            tmpfs={"/tmp": "", **dict.fromkeys(spec.writable, "")},
            cap_drop=["ALL"],
            security_opt=["no-new-privileges:true"],
            restart_policy={"Name": "on-failure"},
        )

    def remove(self) -> None:
        """Remove every container and the network of the run (and its volumes unless kept)."""
        selector = {"label": f"{RUN_LABEL}={self.prefix}"}
        try:
            containers = self.client.containers.list(all=True, filters=selector)
        except docker.errors.DockerException as exc:
            self.emit(f"monosplit: cannot list the containers of {self.prefix}: {exc}")
            return
        threads = [threading.Thread(target=self._remove_container, args=(c,)) for c in containers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for network in self.client.networks.list(filters=selector):
            with contextlib.suppress(docker.errors.NotFound):
                network.remove()
        volumes = self.client.volumes.list(filters=selector)
        if self._keep_data:
            if volumes:
                self.emit(f"monosplit: data kept in volumes {', '.join(v.name for v in volumes)}")
            return
        for volume in volumes:
            with contextlib.suppress(docker.errors.NotFound):
                volume.remove(force=True)

    def _remove_container(self, container: Any) -> None:
        with contextlib.suppress(docker.errors.DockerException):
            container.stop(timeout=STOP_GRACE_SECONDS)
        with contextlib.suppress(docker.errors.NotFound):
            container.remove(force=True)


async def _serve(run: _Run, specs: Sequence[ContainerSpec], options: RunOptions, public: Any) -> None:
    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    emit = run.emit

    def on_signal(signum: signal.Signals) -> None:
        if stop_requested.is_set():
            return
        stop_requested.set()
        emit(f"monosplit: {signum.name} received, stopping")

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, on_signal, signum)
    replicas = [ContainerReplica(spec) for spec in specs]
    backends = ContainerBackends(run.client, replicas, emit=emit)
    watcher: asyncio.Task[None] | None = None
    gateway: Gateway | None = None
    try:
        await asyncio.to_thread(run.create_network)
        manifest_units = {spec.unit for spec in specs}
        emit(f"monosplit: starting {len(manifest_units)} unit(s) as containers on network {run.prefix}")
        watcher = asyncio.create_task(backends.watch())
        # A unit's first replica starts alone, the others once it is ready: they share the
        # unit's volume, and the first one initialises it (creates the tables, say).
        for wave in ([r for r in replicas if r.spec.index == 1], [r for r in replicas if r.spec.index > 1]):
            for replica in wave:
                if stop_requested.is_set():
                    return
                replica.container = await asyncio.to_thread(run.start, replica.spec)
                emit(
                    f"monosplit: {replica.spec.unit}-{replica.spec.index} started container={replica.spec.name}"
                )
                backends.follow_logs(replica)
            if wave and not await _unless_stopped(
                backends.wait_until_ready(wave, options.ready_timeout), stop_requested
            ):
                return
        balancer = RoundRobin(backends, unavailable_timeout=options.unavailable_timeout)
        manifest = run.manifest
        gateway = Gateway(
            Router.build(manifest.public_routes, default_unit=manifest.default_unit), balancer, public
        )
        await gateway.start()
        public_url = _public_url(options.host, gateway.port)
        for line in _summary(manifest, replicas, public_url, run):
            emit(line)
        emit(f"monosplit: ready at {public_url}")
        await stop_requested.wait()
    finally:
        if gateway is not None:
            await gateway.close()
        backends.stop_following()
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)


def _summary(
    manifest: RunManifest, replicas: Sequence[ContainerReplica], public_url: str, run: _Run
) -> list[str]:
    width = max(len(name) for name in (*manifest.unit_names, "gateway"))
    lines = [f"monosplit: {manifest.architecture}: {len(manifest.units)} unit(s) ready as containers"]
    lines.append(f"  {'gateway'.ljust(width)}  {public_url}  (public; default unit {manifest.default_unit})")
    for unit in manifest.units:
        mine = [r for r in replicas if r.spec.unit == unit.name]
        ports = ", ".join(f"{LOOPBACK}:{r.host_port}" for r in mine)
        routes = f"{len(unit.routes)} route(s)" if unit.public else "private"
        lines.append(
            f"  {unit.name.ljust(width)}  http://{unit.name}:{CONTAINER_PORT}  {unit.url_env}; "
            f"{len(mine)} container(s) on {ports}; {routes}"
        )
    lines.append(f"  {'network'.ljust(width)}  {run.prefix}  (removed at exit)")
    return lines
