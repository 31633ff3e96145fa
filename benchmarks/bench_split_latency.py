"""Benchmark what the split costs at run time: latency and memory per architecture, and one hop.

1. Generates the sample monolith's three architectures (``monosplit migrate``,
   reused while its inputs are unchanged), runs each with ``monosplit run``
   and drives ``sample_monolith/scenario.py`` through its gateway: one
   warm-up round, then ``--rounds`` timed rounds. Reports per-step latency
   (median, p95), scenario wall time and the peak memory of the whole process
   tree, and the ratio of each split to the monolith, measured in the same run.
2. Serves a one-function unit on the generated runtime (``monosplit_runtime``,
   served by the generated units' own gunicorn command) and times
   ``ServiceClient.call`` against it from another process, next to the same
   number of in-process calls and of raw keep-alive ``http.client`` POSTs.

    python benchmarks/bench_split_latency.py             # 5 rounds, 3000 hop calls
    python benchmarks/bench_split_latency.py --rounds 10

Target (one hop on loopback): under 1 ms added per call. Figures go to stdout
and to benchmarks/.work/split_latency.json. Exits non-zero only when something
failed to run (or the hop did not reuse its connection), never on slow numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any, TextIO

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
SPLIT = WORK / "split"
LOGS = WORK / "logs"
SAMPLE = REPO / "sample_monolith"
STAMP = SPLIT / ".bench-inputs.sha256"
ARCHITECTURES = ("monolith", "two-tier", "microservices")
BASELINE = "monolith"
READY_LINE = re.compile(r"monosplit: ready at (http://\S+)")
SAMPLE_EVERY_S = 0.2
HOP_TARGET_MS = 1.0
HOP_WARMUP = 200
STARTUP_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 30.0


class BenchError(Exception):
    """Something the benchmark needs failed to run."""


# ----------------------------------------------------------------------------- processes


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state is [0], ppid [1], starttime [19])."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def process_tree(root: int) -> dict[int, str]:
    """``root`` and all its descendants, each with its start time (to tell a reused pid apart)."""
    children: dict[int, list[int]] = {}
    starts: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is None or len(fields) < 20:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        starts[int(entry.name)] = fields[19]
    tree: dict[int, str] = {}
    pending = [root] if root in starts else []
    while pending:
        pid = pending.pop()
        tree[pid] = starts[pid]
        pending.extend(children.get(pid, ()))
    return tree


def _kb(path: str, key: str) -> int:
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass  # the process ended between listing and reading
    return 0


def tree_memory(root: int) -> tuple[int, int, int]:
    """Summed RSS and PSS (kB) of the process tree under ``root``, and how many processes it has."""
    tree = process_tree(root)
    rss = sum(_kb(f"/proc/{pid}/status", "VmRSS:") for pid in tree)
    pss = sum(_kb(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in tree)
    return rss, pss, len(tree)


class MemorySampler:
    """Samples the memory of a process tree every SAMPLE_EVERY_S seconds until stopped; keeps the peaks."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self.max_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            rss, pss, count = tree_memory(self.root)
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.max_processes = max(self.max_processes, count)
            self.samples += 1
            if self._stop.wait(SAMPLE_EVERY_S):
                return


class Child:
    """A long-running process in its own session, its output drained into a log file.

    ``stop`` sends SIGTERM, waits, and kills whatever of its tree is left; it
    can be called any number of times.
    """

    def __init__(self, name: str, argv: Sequence[str], *, cwd: Path, env: dict[str, str]) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = LOGS / f"{name}.log"
        self._log: TextIO = self.log_path.open("w", encoding="utf-8", buffering=1)
        self.tail: deque[str] = deque(maxlen=30)
        self.ready_url: str | None = None
        self._ready = threading.Event()
        self.left_behind: list[int] = []
        self.process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,  # Ctrl-C reaches only this script, which stops it in order
        )
        self._reader = threading.Thread(target=self._drain, name=f"drain-{name}", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._log.write(line)
            self.tail.append(line.rstrip())
            found = READY_LINE.search(line)
            if found and self.ready_url is None:
                self.ready_url = found.group(1)
                self._ready.set()
        self._ready.set()  # the output ended: wake whoever waits for the ready line

    def describe_failure(self, what: str) -> str:
        status = self.process.poll()
        state = "still running" if status is None else f"exited with {status}"
        tail = "\n".join(f"    {line}" for line in self.tail)
        return f"{self.name}: {what} ({state}); last output (full log {self.log_path}):\n{tail}"

    def wait_ready(self, timeout: float) -> str:
        """The URL of the ``monosplit: ready at URL`` line."""
        if not self._ready.wait(timeout):
            raise BenchError(self.describe_failure(f"not ready after {timeout:.0f} s"))
        if self.ready_url is None:  # its output ended first: it is exiting
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(STOP_TIMEOUT_S)
            raise BenchError(self.describe_failure("stopped before it was ready"))
        return self.ready_url

    def stop(self) -> None:
        if self.process.returncode is None:
            tree = process_tree(self.pid)
            if self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(self.pid, signal.SIGKILL)
                    self.process.wait()
            # whatever it started and did not stop (same pid, same start time) is killed here
            for pid, started in tree.items():
                fields = _stat_fields(pid)
                if pid != self.pid and fields is not None and len(fields) > 19 and fields[19] == started:
                    self.left_behind.append(pid)
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
        self._reader.join(5)
        if not self._log.closed:
            self._log.close()


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # so that every ``finally`` runs and the children are stopped


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def monosplit_command() -> list[str]:
    beside = Path(sys.executable).with_name("monosplit")
    found = str(beside) if beside.exists() else shutil.which("monosplit")
    if found is None:
        raise BenchError("no monosplit command next to this Python or on PATH (pip install -e .)")
    return [found]


# ----------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary_ms(values: Sequence[float], digits: int = 3) -> dict[str, float]:
    return {
        "mean": round(statistics.fmean(values), digits),
        "p50": round(statistics.median(values), digits),
        "p95": round(percentile(values, 0.95), digits),
        "p99": round(percentile(values, 0.99), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


# ----------------------------------------------------------------------------- the split


def inputs_digest() -> str:
    """What the generated split depends on: the sample monolith and monosplit's own code."""
    digest = hashlib.sha256()
    for root in (SAMPLE, REPO / "analyzer", REPO / "generator"):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = path.relative_to(REPO)
            if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
                continue
            if path.suffix in {".pyc", ".db", ".sqlite", ".sqlite3", ".log"}:
                continue
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def ensure_split() -> tuple[str, float]:
    """Generate SPLIT unless it is there and its inputs are unchanged; ("reused" | "generated", seconds)."""
    digest = inputs_digest()
    manifests = [SPLIT / name / "monosplit-run.json" for name in ARCHITECTURES]
    if STAMP.is_file() and STAMP.read_text().strip() == digest and all(m.is_file() for m in manifests):
        return "reused", 0.0
    shutil.rmtree(SPLIT, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "MONOSPLIT_CACHE_DIR": str(WORK / "cache")}
    argv = [*monosplit_command(), "migrate", str(SAMPLE), "--out", str(SPLIT), "--quiet"]
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or not all(m.is_file() for m in manifests):
        raise BenchError(f"monosplit migrate failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    STAMP.write_text(digest + "\n")
    return "generated", elapsed


def load_manifest(architecture: str) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((SPLIT / architecture / "monosplit-run.json").read_text())
    return manifest


def load_scenario() -> ModuleType:
    """sample_monolith/scenario.py under a private name (it is not a package)."""
    name = "_bench_split_latency_scenario"
    spec = importlib.util.spec_from_file_location(name, SAMPLE / "scenario.py")
    if spec is None or spec.loader is None:
        raise BenchError(f"cannot import {SAMPLE / 'scenario.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------- 1. scenario per architecture


@dataclass
class ArchitectureRun:
    name: str
    units: int
    startup_s: float
    idle_rss_kb: int
    peak_rss_kb: int
    peak_pss_kb: int
    processes: int
    memory_samples: int
    walls_s: list[float]
    steps: list[list[tuple[str, float]]]  # per round: (step name, elapsed ms)

    @property
    def step_ms(self) -> list[float]:
        return [ms for steps in self.steps for _, ms in steps]

    def per_step_median_ms(self) -> dict[str, float]:
        by_name: dict[str, list[float]] = {}
        for steps in self.steps:
            for name, ms in steps:
                by_name.setdefault(name, []).append(ms)
        return {name: statistics.median(values) for name, values in by_name.items()}


def run_architecture(
    architecture: str, scenario: ModuleType, rounds: int, started: list[Child]
) -> ArchitectureRun:
    env = {**os.environ, "STREAMSHOP_ENV": "development", "PYTHONUNBUFFERED": "1"}
    argv = [*monosplit_command(), "run", str(SPLIT / architecture), "--port", "0"]
    began = time.perf_counter()
    child = Child(f"run-{architecture}", argv, cwd=REPO, env=env)
    started.append(child)
    try:
        url = child.wait_ready(STARTUP_TIMEOUT_S)
        startup = time.perf_counter() - began
        idle_rss, _, _ = tree_memory(child.pid)
        walls: list[float] = []
        steps: list[list[tuple[str, float]]] = []
        with MemorySampler(child.pid) as sampler:
            for index in range(rounds + 1):  # round 0 is the warm-up
                began = time.perf_counter()
                try:
                    results = scenario.run_scenario(url)
                except scenario.ScenarioError as exc:
                    raise BenchError(child.describe_failure(f"scenario failed: {exc}")) from exc
                if index:
                    walls.append(time.perf_counter() - began)
                    steps.append([(result.name, float(result.elapsed_ms)) for result in results])
    finally:
        child.stop()
    if child.left_behind:
        raise BenchError(f"monosplit run left processes behind after SIGTERM: {child.left_behind}")
    if child.process.returncode != 0:
        raise BenchError(child.describe_failure(f"did not stop cleanly: exit {child.process.returncode}"))
    return ArchitectureRun(
        name=architecture,
        units=len(load_manifest(architecture)["units"]),
        startup_s=startup,
        idle_rss_kb=idle_rss,
        peak_rss_kb=sampler.peak_rss_kb,
        peak_pss_kb=sampler.peak_pss_kb,
        processes=sampler.max_processes,
        memory_samples=sampler.samples,
        walls_s=walls,
        steps=steps,
    )


# ----------------------------------------------------------------------------- 2. one hop

# A unit with one exported function on the generated runtime. The before_request hook
# (a set.add, well under a microsecond) lets the benchmark count the connections it saw.
_SERVICE_MAIN = '''\
"""A one-function unit on the generated runtime, served by bench_split_latency.py."""

from flask import Flask, request

from monosplit_runtime import install

PEERS: set[str] = set()


def echo(x):
    return x


def peers():
    """Client ports seen since the last call, then forget them."""
    seen = sorted(PEERS)
    PEERS.clear()
    return seen


app = Flask("bench")
install(app, service="bench", exports={"bench.echo": echo, "bench.peers": peers})


@app.before_request
def _remember_peer():
    PEERS.add(str(request.environ.get("REMOTE_PORT")))
'''

# Runs in its own process, from the unit's folder (so monosplit_runtime is importable).
_HOP_CLIENT = r"""
import http.client, json, sys, time, urllib.parse
from monosplit_runtime import ServiceClient, decode, encode
from monosplit_runtime import client as runtime_client

url, warmup, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
clock = time.perf_counter_ns


def echo(x):
    return x


def timed(call):
    for _ in range(warmup):
        call()
    elapsed = []
    for _ in range(calls):
        start = clock()
        call()
        elapsed.append(clock() - start)
    return elapsed


client = ServiceClient("bench", url_env="BENCH_URL", default_url=url)
client.call("bench.peers", (), {}, idempotent=True)  # forget the readiness probes' connections
assert client.call("bench.echo", (1,), {}, idempotent=True) == 1

in_process = timed(lambda: echo(1))
service_client = timed(lambda: client.call("bench.echo", (1,), {}, idempotent=True))
peers_service_client = client.call("bench.peers", (), {}, idempotent=True)
pool = runtime_client._POOL.get().connection_from_url(url)
pool_connections = getattr(pool, "num_connections", None)

parts = urllib.parse.urlsplit(url)
connection = http.client.HTTPConnection(parts.hostname, parts.port)
body = json.dumps({"args": encode([1], path="args"), "kwargs": {}}, separators=(",", ":")).encode()
headers = {"Content-Type": "application/json", "Accept": "application/json"}


def raw():
    connection.request("POST", "/_monosplit/call/bench.echo", body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    if response.status != 200:
        raise SystemExit(f"raw POST answered {response.status}: {data[:200]!r}")
    return data


assert decode(json.loads(raw())["result"]) == 1
raw_http = timed(raw)
peers_raw = client.call("bench.peers", (), {}, idempotent=True)
connection.close()
json.dump(
    {
        "in_process_ns": in_process,
        "service_client_ns": service_client,
        "raw_http_ns": raw_http,
        "pool_connections": pool_connections,
        "peers_service_client": peers_service_client,
        "peers_raw": peers_raw,
    },
    sys.stdout,
)
"""


def unit_command(architecture: str = "microservices", directory: str = "catalog") -> list[str]:
    """The command the manifest serves the unit in ``directory`` with (the first unit if none is)."""
    units = load_manifest(architecture)["units"]
    unit = next((each for each in units if each["directory"] == directory), units[0])
    return [str(part) for part in unit["command"]]


def wait_http_ok(url: str, child: Child, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise BenchError(child.describe_failure(f"{url} did not answer 200 within {timeout:.0f} s"))


def measure_hop(calls: int, started: list[Child]) -> dict[str, Any]:
    runtime = SPLIT / "microservices" / "catalog" / "monosplit_runtime"
    if not runtime.is_dir():
        raise BenchError(f"no generated runtime at {runtime}")
    scratch = Path(tempfile.mkdtemp(prefix="monosplit-hop-"))
    try:
        shutil.copytree(runtime, scratch / "monosplit_runtime", ignore=shutil.ignore_patterns("__pycache__"))
        (scratch / "service_main.py").write_text(_SERVICE_MAIN, encoding="utf-8")
        port = free_port()
        template = unit_command()
        values = {"{python}": sys.executable, "{port}": str(port), "{data}": str(scratch / "data")}
        argv = [re.sub(r"\{(python|port|data)\}", lambda m: values[m.group(0)], part) for part in template]
        env = {**os.environ, "PORT": str(port), "PYTHONUNBUFFERED": "1", "MONOSPLIT_SERVICE": "bench"}
        env.pop("PYTHONPATH", None)
        server = Child("hop-server", argv, cwd=scratch, env=env)
        started.append(server)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_http_ok(f"{url}/readyz", server, 60.0)
            client_env = {**env, "MONOSPLIT_SERVICE": "bench-client"}
            try:
                done = subprocess.run(
                    [sys.executable, "-c", _HOP_CLIENT, url, str(HOP_WARMUP), str(calls)],
                    cwd=scratch,
                    env=client_env,
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise BenchError("the hop client did not finish within 600 s") from exc
            if done.returncode != 0:
                raise BenchError(f"the hop client failed ({done.returncode}):\n{done.stderr}")
            measured: dict[str, Any] = json.loads(done.stdout)
        finally:
            server.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    def ms(key: str) -> list[float]:
        return [ns / 1e6 for ns in measured[key]]

    in_process, service_client, raw_http = ms("in_process_ns"), ms("service_client_ns"), ms("raw_http_ns")
    peers_client = measured["peers_service_client"]
    peers_raw = measured["peers_raw"]
    pool_connections = measured["pool_connections"]
    # ServiceClient: its pool opened one connection and the server saw one client port;
    # http.client: the server saw exactly one more port (its own) besides the pool's
    reused = (
        len(peers_client) == 1
        and pool_connections in (1, None)
        and len(peers_raw) == 2
        and peers_client[0] in peers_raw
    )
    added = statistics.fmean(service_client) - statistics.fmean(in_process)
    added_p50 = statistics.median(service_client) - statistics.median(in_process)
    return {
        "calls": calls,
        "warmup_calls": HOP_WARMUP,
        "server_command": " ".join(template),
        "in_process_ms": summary_ms(in_process, 5),
        "raw_http_client_ms": summary_ms(raw_http),
        "service_client_ms": summary_ms(service_client),
        "added_per_hop_ms": {"mean": round(added, 3), "p50": round(added_p50, 3)},
        "runtime_over_raw_http_ms": round(statistics.fmean(service_client) - statistics.fmean(raw_http), 3),
        "target_ms": HOP_TARGET_MS,
        "meets_target": added_p50 < HOP_TARGET_MS,  # the typical call: the mean also counts contention
        "connections": {
            "client_pool_opened": pool_connections,
            "server_saw_service_client": len(peers_client),
            "server_saw_with_raw_http_client": len(peers_raw),
            "reused": reused,
        },
    }


# ----------------------------------------------------------------------------- report


def architecture_figures(run: ArchitectureRun) -> dict[str, Any]:
    step = run.step_ms
    return {
        "units": run.units,
        "startup_s": round(run.startup_s, 2),
        "steps_per_round": len(run.steps[0]),
        "step_ms": {
            "p50": round(statistics.median(step), 2),
            "p95": round(percentile(step, 0.95), 2),
            "mean": round(statistics.fmean(step), 2),
        },
        "scenario_s": {
            "median": round(statistics.median(run.walls_s), 3),
            "min": round(min(run.walls_s), 3),
            "max": round(max(run.walls_s), 3),
        },
        "idle_rss_mb": round(run.idle_rss_kb / 1024),
        "peak_rss_mb": round(run.peak_rss_kb / 1024),
        "peak_pss_mb": round(run.peak_pss_kb / 1024),
        "processes": run.processes,
        "memory_samples": run.memory_samples,
        "per_step_median_ms": {name: round(ms, 2) for name, ms in run.per_step_median_ms().items()},
    }


def ratios(runs: dict[str, ArchitectureRun]) -> dict[str, dict[str, float]]:
    base = runs[BASELINE]
    base_step, base_wall = statistics.median(base.step_ms), statistics.median(base.walls_s)
    return {
        f"{name}/{BASELINE}": {
            "median_step": round(statistics.median(run.step_ms) / base_step, 2),
            "scenario": round(statistics.median(run.walls_s) / base_wall, 2),
            "peak_rss": round(run.peak_rss_kb / base.peak_rss_kb, 2),
        }
        for name, run in runs.items()
        if name != BASELINE
    }


def print_report(figures: dict[str, Any], runs: dict[str, ArchitectureRun]) -> None:
    arch = figures["architectures"]
    steps = arch[BASELINE]["steps_per_round"]
    load = figures["load_average"]
    print(
        f"scenario: sample_monolith/scenario.py, {steps} steps x {figures['rounds']} rounds after "
        f"1 warm-up round; split {figures['split']}"
    )
    print(
        f"machine: {figures['cores']} cores, load average {load['start']:.1f} at start, {load['end']:.1f} at end"
        + (
            "  (busy: absolute figures are noisy, compare the ratios)"
            if max(load.values()) > figures["cores"]
            else ""
        )
    )
    print(
        f"{'architecture':<15}{'units':>6}{'start s':>9}{'step p50 ms':>13}{'step p95 ms':>13}"
        f"{'scenario s':>12}{'idle RSS MB':>13}{'peak RSS MB':>13}{'peak PSS MB':>13}"
    )
    for name, row in arch.items():
        print(
            f"{name:<15}{row['units']:>6}{row['startup_s']:>9.1f}{row['step_ms']['p50']:>13.2f}"
            f"{row['step_ms']['p95']:>13.2f}{row['scenario_s']['median']:>12.3f}"
            f"{row['idle_rss_mb']:>13}{row['peak_rss_mb']:>13}{row['peak_pss_mb']:>13}"
        )
    for pair, ratio in figures["ratios"].items():
        print(
            f"{pair:<26} median step {ratio['median_step']:.2f}x   scenario {ratio['scenario']:.2f}x"
            f"   peak RSS {ratio['peak_rss']:.2f}x"
        )
    if "microservices" in runs:
        base = runs[BASELINE].per_step_median_ms()
        split = runs["microservices"].per_step_median_ms()
        added = sorted(((split[n] - base[n], n) for n in split if n in base), reverse=True)[:5]
        print("steps with the most added latency (median ms, monolith -> microservices):")
        for delta, name in added:
            print(f"  {name:<40}{base[name]:>8.1f} ->{split[name]:>8.1f}  (+{delta:.1f})")

    hop = figures["hop"]
    print()
    print(
        f"one cross-service hop on loopback: {hop['calls']} calls after {hop['warmup_calls']} warm-up, "
        f"client and server in separate processes"
    )
    print(f"  server: {hop['server_command']}")
    print(f"{'call':<36}{'mean':>9}{'p50':>9}{'p95':>9}{'p99':>9}  ms")
    for label, key in (
        ("in-process echo(1)", "in_process_ms"),
        ("raw http.client keep-alive POST", "raw_http_client_ms"),
        ("ServiceClient.call('bench.echo')", "service_client_ms"),
    ):
        row = hop[key]
        print(f"{label:<36}{row['mean']:>9.3f}{row['p50']:>9.3f}{row['p95']:>9.3f}{row['p99']:>9.3f}")
    verdict = "meets" if hop["meets_target"] else "MISSES"
    print(
        f"added per hop: p50 {hop['added_per_hop_ms']['p50']:.3f} ms, mean {hop['added_per_hop_ms']['mean']:.3f} ms"
        f" -> p50 {verdict} the target of < {hop['target_ms']:g} ms"
        f" ({hop['runtime_over_raw_http_ms']:+.3f} ms over raw http.client)"
    )
    conn = hop["connections"]
    print(
        f"connections: client pool opened {conn['client_pool_opened']}, server saw "
        f"{conn['server_saw_service_client']} for ServiceClient and "
        f"{conn['server_saw_with_raw_http_client']} with http.client's -> "
        f"{'reused' if conn['reused'] else 'NOT REUSED'}"
    )


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed scenario rounds per architecture")
    parser.add_argument("--calls", type=int, default=3000, help="timed calls for the hop")
    parser.add_argument(
        "--json", type=Path, default=WORK / "split_latency.json", help="where to write the figures"
    )
    args = parser.parse_args(None if argv is None else list(argv))
    if args.rounds < 1 or args.calls < 1:
        parser.error("--rounds and --calls must be at least 1")
    signal.signal(signal.SIGTERM, _interrupted)
    load_start = os.getloadavg()[0]
    started: list[Child] = []
    try:
        split, migrate_s = ensure_split()
        scenario = load_scenario()
        runs = {name: run_architecture(name, scenario, args.rounds, started) for name in ARCHITECTURES}
        hop = measure_hop(args.calls, started)
    except BenchError as exc:
        print(f"bench_split_latency: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench_split_latency: interrupted", file=sys.stderr)
        return 130
    finally:
        for child in reversed(started):
            child.stop()
    figures: dict[str, Any] = {
        "cores": len(os.sched_getaffinity(0)),
        "python": sys.version.split()[0],
        "split": split if split == "reused" else f"generated in {migrate_s:.1f} s",
        "load_average": {"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)},
        "rounds": args.rounds,
        "architectures": {name: architecture_figures(run) for name, run in runs.items()},
        "ratios": ratios(runs),
        "hop": hop,
    }
    print_report(figures, runs)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"figures written to {args.json}")
    if not hop["connections"]["reused"]:
        print("bench_split_latency: the hop did not reuse its connection", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
