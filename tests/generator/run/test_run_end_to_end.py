"""``monosplit run`` as a real process, over real stand-in units on the loopback.

The units are ``echo_unit.py`` (standard library only), each answering with its
unit name and pid, so a test can see where the gateway and the service ports
sent a request. One architecture is started for the module and shared by the
routing, discovery, scaling and self-healing tests; stopping, boot failures,
a unit that stays down and a malformed manifest each get a run of their own.
Every run a test starts is stopped after it, whatever happened, so a failing
test leaves no process behind.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.run.manifest import MANIFEST_NAME

pytestmark = pytest.mark.slow

ECHO_UNIT = Path(__file__).with_name("echo_unit.py")
READY_LINE = re.compile(r"^monosplit: ready at (http://127\.0\.0\.1:(\d+))$")


def echo_unit(
    name: str, *, routes: tuple[tuple[str, list[str]], ...] = (), public: bool = True, **env: str
) -> dict[str, Any]:
    return {
        "name": name,
        "directory": name,
        "command": ["{python}", str(ECHO_UNIT), "{port}"],
        "env": {"UNIT_NAME": name, "DATA_DIR": "{data}", **env},
        "ready": "/readyz",
        "url_env": f"{name.upper()}_URL",
        "public": public,
        "routes": [{"rule": rule, "methods": methods} for rule, methods in routes],
    }


def write_architecture(root: Path, units: list[dict[str, Any]], default_unit: str) -> Path:
    for unit in units:
        (root / unit["directory"]).mkdir(parents=True, exist_ok=True)
    document = {
        "format": "monosplit-run",
        "version": 1,
        "architecture": "microservices",
        "default_unit": default_unit,
        "units": units,
    }
    (root / MANIFEST_NAME).write_text(json.dumps(document, indent=2), encoding="utf-8")
    return root


class MonosplitRun:
    """``monosplit run`` in a subprocess, its output collected line by line as it comes."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator.cli", "run", *args],
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        self.lines: list[str] = []
        self._new_lines: queue.Queue[str | None] = queue.Queue()
        self.stderr = ""
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._new_lines.put(line.rstrip("\n"))
        self._new_lines.put(None)

    def wait_for(self, pattern: str | re.Pattern[str], timeout: float = 20) -> re.Match[str]:
        """The first line (seen or to come) matching ``pattern``."""
        regex = re.compile(pattern)
        for line in self.lines:
            if found := regex.search(line):
                return found
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                new = self._new_lines.get(timeout=left)
            except queue.Empty:
                break
            if new is None:
                break
            self.lines.append(new)
            if found := regex.search(new):
                return found
        raise AssertionError(f"no line matching {regex.pattern!r}; output so far:\n" + "\n".join(self.lines))

    def drain(self) -> None:
        while True:
            try:
                line = self._new_lines.get_nowait()
            except queue.Empty:
                return
            if line is not None:
                self.lines.append(line)

    def wait_ready(self, timeout: float = 20) -> str:
        return self.wait_for(READY_LINE, timeout).group(1)

    def started_pids(self, replica: str) -> list[int]:
        self.drain()
        return [
            int(m.group(1)) for line in self.lines if (m := re.search(rf"{replica} started pid=(\d+)", line))
        ]

    def finish(self, timeout: float = 20) -> int:
        code = self.process.wait(timeout)
        assert self.process.stderr is not None
        self.stderr = self.process.stderr.read()
        self.wait_for(r"^monosplit: stopped$", timeout=5)
        self.drain()
        return code

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.finish()

    def cleanup(self) -> None:
        """Whatever a test did, leave no process behind (a failed test must not leak units)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.drain()
        for line in self.lines:
            if started := re.match(r"^monosplit: \S+ started pid=(\d+)", line):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(int(started.group(1)), signal.SIGKILL)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def monosplit() -> Iterator[Callable[..., MonosplitRun]]:
    """Start ``monosplit run`` with these arguments; every run started is cleaned up after the test."""
    runs: list[MonosplitRun] = []

    def start(*args: str, env: dict[str, str] | None = None) -> MonosplitRun:
        runs.append(MonosplitRun(*args, env=env))
        return runs[-1]

    yield start
    for run in runs:
        run.cleanup()


def get(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> dict[str, Any]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        assert response.status == 200
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MonosplitRun, str]]:
    root = write_architecture(
        tmp_path_factory.mktemp("shop"),
        [
            echo_unit(
                "a",
                routes=(
                    ("/api/a/<int:item_id>", ["GET"]),
                    ("/api/items", ["GET"]),
                    ("/api/a/call/<path:rest>", ["GET"]),
                ),
            ),
            echo_unit("b", routes=(("/api/items", ["POST"]), ("/api/b/{rest:path}", []))),
            echo_unit("hidden", routes=(("/api/hidden", []),), public=False),
            echo_unit("c", SHOP_LEVEL="manifest", SHOP_MANIFEST="manifest"),
        ],
        default_unit="c",
    )
    run = MonosplitRun(
        str(root),
        *("--port", "0", "--replicas", "b=3", "--env", "SHOP_LEVEL=flag"),
        env={"SHOP_INHERITED": "inherited", "SHOP_LEVEL": "inherited"},
    )
    try:
        gateway = run.wait_ready()
        yield run, gateway
    finally:
        run.cleanup()


def test_gateway_routes_by_rule_and_method(shop: tuple[MonosplitRun, str]) -> None:
    _, gateway = shop
    assert get(f"{gateway}/api/a/5")["unit"] == "a"
    assert get(f"{gateway}/api/items")["unit"] == "a"
    posted = get(f"{gateway}/api/items", method="POST", body=b'{"name": "lamp"}')
    assert (posted["unit"], posted["method"], posted["body"]) == ("b", "POST", '{"name": "lamp"}')
    # the path matches a's rule but not its method: a answers (with a 405, in a real app)
    assert get(f"{gateway}/api/a/5", method="DELETE")["unit"] == "a"
    anything = get(f"{gateway}/api/b/x/y%20z?q=1&r=2", method="PATCH")
    assert (anything["unit"], anything["path"]) == ("b", "/api/b/x/y%20z?q=1&r=2")


def test_unmatched_and_private_paths_go_to_the_default_unit(shop: tuple[MonosplitRun, str]) -> None:
    _, gateway = shop
    assert get(f"{gateway}/")["unit"] == "c"
    assert get(f"{gateway}/nothing/here")["unit"] == "c"
    assert get(f"{gateway}/api/hidden")["unit"] == "c"  # a private unit gets no gateway routes


def test_gateway_adds_forwarded_headers(shop: tuple[MonosplitRun, str]) -> None:
    _, gateway = shop
    headers = get(f"{gateway}/api/a/1")["headers"]
    host = gateway.removeprefix("http://")
    assert headers["host"] == host
    assert headers["x-forwarded-host"] == host
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    # behind another proxy: the chain grows, the first proxy's host and scheme stay
    chained = get(
        f"{gateway}/api/a/1",
        headers={
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Host": "shop.example",
            "X-Forwarded-Proto": "https",
        },
    )["headers"]
    assert chained["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"
    assert (chained["x-forwarded-host"], chained["x-forwarded-proto"]) == ("shop.example", "https")


def test_units_find_each_other_through_their_url_variables(shop: tuple[MonosplitRun, str]) -> None:
    run, gateway = shop
    answer = get(f"{gateway}/api/a/call/B_URL/hello")
    assert answer["unit"] == "a"
    assert answer["called"]["unit"] == "b"
    assert answer["called"]["path"] == "/hello"
    services = {
        m.group(1): m.group(2) for line in run.lines if (m := re.match(r"^  (\w+) +(http://\S+) ", line))
    }
    assert answer["urls"] == {
        "A_URL": services["a"],
        "B_URL": services["b"],
        "C_URL": services["c"],
        "HIDDEN_URL": services["hidden"],
    }
    assert get(f"{services['hidden']}/direct")["unit"] == "hidden"  # private, yet reachable inside


def test_environment_is_inherited_then_manifest_then_env_flags(shop: tuple[MonosplitRun, str]) -> None:
    _, gateway = shop
    assert get(f"{gateway}/")["env"] == {
        "SHOP_INHERITED": "inherited",
        "SHOP_MANIFEST": "manifest",
        "SHOP_LEVEL": "flag",
    }


def test_an_answer_cut_short_by_a_dying_replica_is_cut_short_for_the_client(
    shop: tuple[MonosplitRun, str],
) -> None:
    run, gateway = shop
    with pytest.raises(http.client.IncompleteRead):
        get(f"{gateway}/die-mid-answer")
    run.wait_for(r"^monosplit: c-1 exited with code 5; restarting in 0\.5s$")
    assert get(f"{gateway}/after")["unit"] == "c"  # back, once restarted


def test_replicas_take_turns_per_request_through_the_gateway(shop: tuple[MonosplitRun, str]) -> None:
    run, gateway = shop
    pids = [get(f"{gateway}/api/b/who")["pid"] for _ in range(6)]
    expected = {run.started_pids(f"b-{i}")[-1] for i in (1, 2, 3)}
    assert set(pids) == expected
    assert len(set(pids[:3])) == 3


def test_the_first_replica_starts_alone_so_it_initialises_the_shared_data(
    shop: tuple[MonosplitRun, str],
) -> None:
    run, _ = shop
    order = [line.split()[1] for line in run.lines if re.match(r"^monosplit: b-\d (started|ready)", line)]
    assert order.index("b-1") == 0
    first_ready = next(i for i, line in enumerate(run.lines) if line == "monosplit: b-1 ready")
    for other in ("b-2", "b-3"):
        started = next(
            i for i, line in enumerate(run.lines) if line.startswith(f"monosplit: {other} started")
        )
        assert started > first_ready


def test_replicas_take_turns_per_connection_through_the_service_port(shop: tuple[MonosplitRun, str]) -> None:
    _, gateway = shop
    service = get(f"{gateway}/api/a/1")["urls"]["B_URL"]
    assert service not in {f"http://127.0.0.1:{port}" for port in _replica_ports("b", shop[0])}
    # urllib opens a new connection per request
    pids = {get(f"{service}/direct")["pid"] for _ in range(6)}
    assert len(pids) == 3


def _replica_ports(unit: str, run: MonosplitRun) -> list[int]:
    return [
        int(m.group(1))
        for line in run.lines
        if (m := re.search(rf"{unit}-\d started pid=\d+ port=(\d+)", line))
    ]


def test_a_killed_replica_is_restarted_and_requests_wait_for_it(shop: tuple[MonosplitRun, str]) -> None:
    run, gateway = shop
    before = get(f"{gateway}/api/a/1")
    assert before["starts"] == 1
    os.kill(before["pid"], signal.SIGKILL)
    # sent at once: the gateway holds it until the replica is back and ready
    after = get(f"{gateway}/api/a/2")
    assert after["unit"] == "a"
    assert after["pid"] != before["pid"]
    assert after["starts"] == 2  # same data folder across restarts
    run.wait_for(r"^monosplit: a-1 exited with code -9; restarting in 0\.5s$")
    assert run.started_pids("a-1")[-1] == after["pid"]


def test_a_unit_that_stays_down_answers_503_after_the_unavailable_timeout(
    tmp_path: Path, monosplit: Callable[..., MonosplitRun]
) -> None:
    flaky = echo_unit("flaky", ECHO_CRASH_ON_RESTART="1")
    run = monosplit(
        str(write_architecture(tmp_path, [flaky], "flaky")), "--port", "0", "--unavailable-timeout", "1"
    )
    gateway = run.wait_ready()
    os.kill(get(f"{gateway}/")["pid"], signal.SIGKILL)
    started = time.monotonic()
    with pytest.raises(urllib.error.HTTPError) as caught:
        get(f"{gateway}/")
    assert 0.9 < time.monotonic() - started < 10
    assert caught.value.code == 503
    assert caught.value.headers["Content-Type"].startswith("application/json")
    error = json.loads(caught.value.read())["error"]
    assert error["code"] == "unavailable"
    assert "flaky" in error["message"]
    # it keeps crashing at boot: restarted with a growing back-off, the run goes on
    run.wait_for(r"^monosplit: flaky-1 exited with code 3; restarting in 1s$")
    assert run.stop() == 0


def test_sigterm_stops_everything_and_removes_the_temporary_data(
    tmp_path: Path, monosplit: Callable[..., MonosplitRun]
) -> None:
    root = write_architecture(tmp_path, [echo_unit("solo")], default_unit="solo")
    run = monosplit(str(root), "--port", "0", "--replicas", "solo=2")
    gateway = run.wait_ready()
    assert get(f"{gateway}/x")["unit"] == "solo"
    pids = run.started_pids("solo-1") + run.started_pids("solo-2")
    data = Path(run.wait_for(r"^  data +(\S+)").group(1))
    assert len(pids) == 2 and all(alive(pid) for pid in pids) and (data / "solo").is_dir()
    service_port = int(run.wait_for(r"^  solo +http://127\.0\.0\.1:(\d+) ").group(1))
    # a connection still open through the service port when the stop comes
    with socket.create_connection(("127.0.0.1", service_port), timeout=5) as idle:
        idle.sendall(b"GET /x HTTP/1.1\r\nHost: solo\r\n\r\n")
        assert idle.recv(12) == b"HTTP/1.1 200"
        assert run.stop(signal.SIGTERM) == 0
    assert "monosplit: SIGTERM received, stopping" in run.lines
    assert not any(alive(pid) for pid in pids)
    assert not data.exists()
    assert run.stderr == ""


def test_ctrl_c_stops_everything_and_a_given_data_folder_stays(
    tmp_path: Path, monosplit: Callable[..., MonosplitRun]
) -> None:
    root = write_architecture(tmp_path / "arch", [echo_unit("solo")], default_unit="solo")
    data = tmp_path / "data"
    run = monosplit(str(root / MANIFEST_NAME), "--port", "0", "--data-dir", str(data))
    run.wait_ready()
    pids = run.started_pids("solo-1")
    assert run.stop(signal.SIGINT) == 0
    assert not any(alive(pid) for pid in pids)
    assert [p.name for p in (data / "solo").iterdir()] == [f"starts-{_replica_ports('solo', run)[0]}"]


def test_a_unit_that_never_gets_ready_fails_the_run(
    tmp_path: Path, monosplit: Callable[..., MonosplitRun]
) -> None:
    root = write_architecture(tmp_path, [echo_unit("web"), echo_unit("slow", ECHO_NEVER_READY="1")], "web")
    run = monosplit(str(root), "--port", "0", "--ready-timeout", "1.5")
    code = run.finish()
    assert code == 1
    assert "monosplit: slow-1 not ready after 1.5s (GET /readyz: answered 503)" in run.lines
    assert "monosplit: last lines of slow-1:" in run.lines
    assert "  | echo unit slow starting" in "\n".join(run.lines)
    assert run.stderr == "monosplit: error: unit slow did not get ready within 1.5s\n"
    assert not any(alive(pid) for pid in run.started_pids("slow-1") + run.started_pids("web-1"))


def test_a_unit_that_keeps_crashing_at_boot_fails_the_run_after_three_attempts(
    tmp_path: Path, monosplit: Callable[..., MonosplitRun]
) -> None:
    root = write_architecture(tmp_path, [echo_unit("web"), echo_unit("broken", ECHO_CRASH="1")], "web")
    run = monosplit(str(root), "--port", "0")
    code = run.finish(timeout=15)
    assert code == 1
    assert len(run.started_pids("broken-1")) == 3
    assert "monosplit: broken-1 exited with code 3; restarting in 0.5s" in run.lines
    assert "monosplit: broken-1 exited with code 3; restarting in 1s" in run.lines
    assert "monosplit: broken-1 exited with code 3 before it was ready (3 attempts)" in run.lines
    assert "  | crashing on purpose" in run.lines
    assert run.stderr == "monosplit: error: unit broken exited with code 3 before it was ready (3 attempts)\n"


def test_a_crash_at_boot_that_a_restart_fixes_does_not_fail_the_run(
    tmp_path: Path, monosplit: Callable[..., MonosplitRun]
) -> None:
    # ECHO_CRASH_ON_FIRST_START: a race at boot (two replicas creating one table, say) that a retry wins
    root = write_architecture(tmp_path, [echo_unit("web", ECHO_CRASH_ON_FIRST_START="1")], "web")
    run = monosplit(str(root), "--port", "0")
    gateway = run.wait_ready()
    assert get(f"{gateway}/")["starts"] == 2
    assert "monosplit: web-1 exited with code 3; restarting in 0.5s" in run.lines
    assert run.stop() == 0


def test_a_malformed_manifest_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text(
        '{"format": "monosplit-run", "version": 1, "architecture": "x", "units": []}'
    )
    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "run", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        result.stderr
        == f"monosplit: error: {(tmp_path / MANIFEST_NAME).resolve()}: units must be a non-empty list\n"
    )


def test_a_stop_still_works_when_nobody_reads_the_output_any_more(tmp_path: Path) -> None:
    root = write_architecture(tmp_path, [echo_unit("solo")], default_unit="solo")
    process = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "run", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    pids: list[int] = []
    ready: re.Match[str] | None = None
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if started := re.match(r"^monosplit: solo-1 started pid=(\d+)", line):
                pids.append(int(started.group(1)))
            if ready := READY_LINE.match(line.rstrip("\n")):
                break
        process.stdout.close()  # the reader goes away, as when a piped `| tee` is killed
        assert ready is not None
        assert get(f"{ready.group(1)}/more-output-to-write")["unit"] == "solo"
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
        assert pids and not any(alive(pid) for pid in pids)
    finally:
        if process.poll() is None:
            process.kill()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
