"""Run generated architectures for the attack suite: real ``monosplit migrate``, real ``monosplit run``.

Each architecture of the sample and of bookclub is generated once per session
and run once per test module, with the unit-to-unit key in a file the tests
know (``--env MONOSPLIT_UNIT_AUTH_KEY_FILE``), so they can sign requests as a
unit would, or as one the plan does not let in.

The same attacks run on an application you migrated yourself (a public app,
in its own virtualenv) instead, when ``MONOSPLIT_ATTACK_OUT`` names its output::

    MONOSPLIT_ATTACK_OUT=out/microblog MONOSPLIT_ATTACK_PYTHON=~/venvs/microblog/bin/python \
    MONOSPLIT_ATTACK_JOURNEY=benchmarks/journeys/microblog.py MONOSPLIT_ATTACK_ENV="KEY=VALUE ..." \
        pytest tests/generator/security

Its journey (``monosplit verify --journey``) stands in for the scenario; without
one, the app's ``/`` is asked for.
"""

from __future__ import annotations

import ast
import json
import os
import re
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from generator.runtime import auth
from generator.verify.journey import JourneyClient, load_journey
from tests.generator.live import Running, load_module, migrate, running

ROOT = Path(__file__).resolve().parents[3]
APPS = {
    "sample": (ROOT / "sample_monolith", (), {"STREAMSHOP_ENV": "development"}),
    "bookclub": (ROOT / "tests" / "apps" / "bookclub", ("--services", "4"), {"BOOKCLUB_ENV": "development"}),
}
ARCHITECTURES: tuple[str, ...] = ("monolith", "two-tier", "microservices")
TARGET = "target"  # the app MONOSPLIT_ATTACK_OUT names, when it is set
_TARGET_OUT = os.environ.get("MONOSPLIT_ATTACK_OUT", "")
if _TARGET_OUT:
    APPS = {
        TARGET: (
            Path(os.environ.get("MONOSPLIT_ATTACK_JOURNEY", "")),
            (),
            dict(
                item.split("=", 1)
                for item in os.environ.get("MONOSPLIT_ATTACK_ENV", "").split()
                if "=" in item
            ),
        )
    }
    ARCHITECTURES = tuple(
        a for a in ARCHITECTURES if (Path(_TARGET_OUT) / a / "monosplit-run.json").is_file()
    )
STARTED = re.compile(r"monosplit: (\S+)-(\d+) started pid=\d+ port=(\d+) internal=(\d+)")


@dataclass
class Unit:
    name: str
    public: str  # http://127.0.0.1:<its public port>
    internal: str  # http://127.0.0.1:<its internal port>
    exports: list[str]
    tables: list[str]
    #: who may ask it for what, as its service_main.py says
    callers: dict[str, dict[str, list[str]]]


@dataclass
class System:
    """One running architecture of one app, and what the attacks need to know about it."""

    app: str
    architecture: str
    run: Running
    key: str
    units: dict[str, Unit]
    routes: list[tuple[str, str, str]]  # (unit, method, rule)
    scenario: Callable[[str], Any]
    sessions: list[str] = field(default_factory=list)

    @property
    def gateway(self) -> str:
        return self.run.base_url


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    done: dict[str, Path] = {}

    def get(app: str) -> Path:
        if app == TARGET:
            return Path(_TARGET_OUT)
        if app not in done:
            source, options, _ = APPS[app]
            out = tmp_path_factory.mktemp(app)
            migrate(source, out, *options)
            done[app] = out
        return done[app]

    return get


def _units(folder: Path, run: Running) -> dict[str, Unit]:
    described = json.loads((folder / "monosplit-units.json").read_text(encoding="utf-8"))
    ports: dict[str, tuple[str, str]] = {}
    for line in run.output().splitlines():
        if found := STARTED.search(line):
            ports[found.group(1)] = (found.group(3), found.group(4))
    units = {}
    for unit in described["units"]:
        name = unit["name"]
        main = folder / ("." if described["architecture"] == "monolith" else name) / "service_main.py"
        public, internal = ports[name]
        units[name] = Unit(
            name,
            f"http://127.0.0.1:{public}",
            f"http://127.0.0.1:{internal}",
            unit["exports"],
            unit["tables"],
            _assigned(main, "CALLERS"),
        )
    return units


def _assigned(module: Path, name: str) -> Any:
    """The literal a generated module assigns to ``name``."""
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{module} assigns no {name}")


@pytest.fixture(
    scope="module", params=[(app, arch) for app in APPS for arch in ARCHITECTURES], ids=lambda p: "-".join(p)
)
def system(
    request: pytest.FixtureRequest, generated: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    app, architecture = request.param
    out = generated(app)
    key = secrets.token_hex(32)
    key_file = tmp_path_factory.mktemp("key") / "unit-auth.key"
    key_file.write_text(key)
    source, _, env = APPS[app]
    folder = out / architecture
    manifest = json.loads((folder / "monosplit-run.json").read_text(encoding="utf-8"))
    routes = [(u["name"], m, r["rule"]) for u in manifest["units"] for r in u["routes"] for m in r["methods"]]
    python = (
        ("--python", os.environ["MONOSPLIT_ATTACK_PYTHON"])
        if os.environ.get("MONOSPLIT_ATTACK_PYTHON")
        else ()
    )
    scenario = (
        _journey(source)
        if app == TARGET
        else load_module(source / "scenario.py", f"{app}_scenario_security").run_scenario
    )
    with running(folder, "--env", f"MONOSPLIT_UNIT_AUTH_KEY_FILE={key_file}", *python, env=env) as run:
        yield System(app, architecture, run, key, _units(folder, run), routes, scenario)


def _journey(path: Path) -> Callable[[str], Any]:
    """The target app's journey as a scenario (or a request for ``/`` when it has none)."""
    if not path.is_file():
        return lambda base: send("GET", base + "/")

    def play(base: str) -> None:
        load_journey(path).load()(JourneyClient(base))

    return play


# --------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.text)


def send(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Answer:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, response.read().decode("utf-8", "replace"), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode("utf-8", "replace"), dict(error.headers))


def announce(url: str, method: str, path: str, length: int, headers: dict[str, str] | None = None) -> int:
    """The status a server answers to a request announcing a ``length``-byte body, before any of it is sent."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {length}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = connection.recv(65536)
    return int(head.split(b" ", 2)[1])


def signed(
    key: str,
    method: str,
    unit: Unit,
    path: str,
    body: Any = None,
    *,
    caller: str,
    extra: dict[str, str] | None = None,
) -> Answer:
    """An internal request to ``unit``, signed with ``key`` as coming from ``caller``."""
    data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    transaction = (extra or {}).get("X-Monosplit-Transaction", "")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(auth.KEY_ENV, key)
        patch.delenv(auth.KEY_FILE_ENV, raising=False)
        auth.KEY.forget()
        headers = auth.sign(
            caller=caller,
            callee=unit.name,
            method=method,
            path=urllib.parse.unquote(path),
            body=data,
            transaction=transaction,
        )
    auth.KEY.forget()
    headers = {"Content-Type": "application/json", **headers, **(extra or {})}
    return send(method, unit.internal + path, data if method != "GET" else None, headers)
