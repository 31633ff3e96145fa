"""The pure parts around the processes: replica specs, restart back-off, round-robin, headers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from multidict import CIMultiDict

from generator.run.balancing import RoundRobin
from generator.run.gateway import strip_hop_by_hop
from generator.run.manifest import MANIFEST_NAME, RunManifest, load_manifest
from generator.run.specs import ReplicaSpec, UnitPorts, build_replica_specs, expand_placeholders
from generator.run.supervisor import RestartBackoff


def manifest(tmp_path: Path) -> RunManifest:
    document = {
        "format": "monosplit-run",
        "version": 1,
        "architecture": "microservices",
        "default_unit": "web",
        "units": [
            {
                "name": "web",
                "directory": "web",
                "command": ["{python}", "-m", "gunicorn", "--bind", "127.0.0.1:{port}", "app:{app}"],
                "env": {
                    "DATABASE_URL": "sqlite:///{data}/web.db",
                    "SHARED": "from-manifest",
                    "JSON": '{"a": 1}',
                },
                "ready": "/readyz",
                "url_env": "WEB_URL",
            },
            {
                "name": "orders",
                "directory": ".",
                "command": ["orders-server", "{port}"],
                "env": {"ORDERS_URL": "http://elsewhere"},
                "ready": "/health",
                "url_env": "ORDERS_URL",
            },
        ],
    }
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(document), encoding="utf-8")
    return load_manifest(tmp_path)


PORTS = {
    "web": UnitPorts(service=5100, replicas=(5000,), internal=(5100,)),
    "orders": UnitPorts(service=6000, replicas=(6001, 6002), internal=(6101, 6102)),
}


def specs(
    tmp_path: Path, *, inherited: dict[str, str], overrides: dict[str, str] | None = None
) -> dict[str, ReplicaSpec]:
    built = build_replica_specs(
        manifest(tmp_path),
        PORTS,
        data_root=Path("/data"),
        python="/venv/bin/python",
        inherited_env=inherited,
        overrides=overrides or {},
        key_file=Path("/keys/unit-auth.key"),
    )
    return {spec.name: spec for spec in built}


def test_every_replica_gets_its_command_folder_port_and_data(tmp_path: Path) -> None:
    built = specs(tmp_path, inherited={})
    assert list(built) == ["web-1", "orders-1", "orders-2"]
    web = built["web-1"]
    assert web.argv == ("/venv/bin/python", "-m", "gunicorn", "--bind", "127.0.0.1:5000", "app:{app}")
    assert web.cwd == tmp_path.resolve() / "web"
    assert (web.port, web.internal_port, web.data_dir, web.ready_url) == (
        5000,
        5100,
        Path("/data/web"),
        "http://127.0.0.1:5000/readyz",
    )
    assert [built[n].argv for n in ("orders-1", "orders-2")] == [
        ("orders-server", "6001"),
        ("orders-server", "6002"),
    ]
    assert built["orders-2"].cwd == tmp_path.resolve()
    # replicas of one unit share its data folder, so a restarted or added replica sees the data
    assert built["orders-1"].data_dir == built["orders-2"].data_dir == Path("/data/orders")


def test_environment_layers_inherited_then_ours_then_manifest_then_overrides(tmp_path: Path) -> None:
    inherited = {
        "HOME": "/root",
        "PORT": "1",
        "SHARED": "inherited",
        "WEB_URL": "stale",
        "PYTHONUNBUFFERED": "0",
    }
    built = specs(tmp_path, inherited=inherited, overrides={"SHARED": "from-flag", "EXTRA": "{data}/x"})
    web = dict(built["web-1"].env)
    assert web["HOME"] == "/root"
    assert (web["PORT"], web["MONOSPLIT_INTERNAL_PORT"], web["PYTHONUNBUFFERED"]) == ("5000", "5100", "1")
    assert web["MONOSPLIT_UNIT_AUTH_KEY_FILE"] == "/keys/unit-auth.key"  # the run's key, as a file
    assert web["DATABASE_URL"] == "sqlite:////data/web/web.db"
    assert web["JSON"] == '{"a": 1}'  # braces that are no placeholder stay
    assert web["SHARED"] == "from-flag"
    assert web["EXTRA"] == "/data/web/x"
    # service discovery: every unit's service port (internal), in every process
    assert (web["WEB_URL"], web["ORDERS_URL"]) == ("http://127.0.0.1:5100", "http://127.0.0.1:6000")
    orders = dict(built["orders-2"].env)
    assert (orders["PORT"], orders["MONOSPLIT_INTERNAL_PORT"]) == ("6002", "6102")
    assert orders["ORDERS_URL"] == "http://elsewhere"  # the manifest said so explicitly


def test_placeholders() -> None:
    expanded = expand_placeholders(
        "{python} {port} {data} {other} {{port}} {internal_port}", python="py", port=8, data=Path("/d")
    )
    assert expanded == "py 8 /d {other} {8} {internal_port}"
    assert expand_placeholders("{internal_port}", python="", port=8, data=Path(), internal_port=9) == "9"


def test_a_unit_port_is_proxied_only_with_several_replicas() -> None:
    assert not PORTS["web"].proxied
    assert PORTS["orders"].proxied


def test_restart_backoff_doubles_to_ten_seconds_and_resets_after_thirty_seconds_up() -> None:
    backoff = RestartBackoff()
    assert [backoff.next_delay(uptime=1) for _ in range(7)] == [0.5, 1, 2, 4, 8, 10, 10]
    assert backoff.next_delay(uptime=30) == 0.5
    assert backoff.next_delay(uptime=29.9) == 1


class FakeBackends:
    """Ready ports by unit, changed by the test."""

    def __init__(self, ready: dict[str, list[int]]) -> None:
        self.ready = ready
        self.waits = 0

    def ready_ports(self, unit: str, *, internal: bool = False) -> list[int]:
        return self.ready.get(unit, [])

    async def wait_for_change(self, timeout: float) -> None:
        self.waits += 1
        await asyncio.sleep(min(timeout, 0.01))
        self.ready.setdefault("late", []).append(9000)  # a replica of "late" gets ready


async def first_ports(balancer: RoundRobin, unit: str, count: int) -> list[int]:
    ports: list[int] = []
    async for port in balancer.ports_to_try(unit):
        ports.append(port)
        if len(ports) == count:
            break
    return ports


def test_round_robin_starts_each_request_at_the_next_replica() -> None:
    async def scenario() -> list[list[int]]:
        balancer = RoundRobin(FakeBackends({"b": [1, 2, 3]}), unavailable_timeout=1)
        return [await first_ports(balancer, "b", 3) for _ in range(4)]

    assert asyncio.run(scenario()) == [[1, 2, 3], [2, 3, 1], [3, 1, 2], [1, 2, 3]]


def test_round_robin_waits_for_a_replica_to_get_ready() -> None:
    backends = FakeBackends({})

    async def scenario() -> list[int]:
        return await first_ports(RoundRobin(backends, unavailable_timeout=5), "late", 1)

    assert asyncio.run(scenario()) == [9000]
    assert backends.waits == 1


def test_round_robin_gives_up_after_the_unavailable_timeout() -> None:
    async def scenario() -> list[int]:
        return [
            port async for port in RoundRobin(FakeBackends({}), unavailable_timeout=0.05).ports_to_try("gone")
        ]

    assert asyncio.run(scenario()) == []


def test_hop_by_hop_headers_are_not_forwarded() -> None:
    headers = CIMultiDict(
        [
            ("Host", "shop"),
            ("Connection", "keep-alive, X-Secret-Hop"),
            ("Keep-Alive", "timeout=5"),
            ("Transfer-Encoding", "chunked"),
            ("X-Secret-Hop", "1"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
            ("Upgrade", "websocket"),
        ]
    )
    kept = strip_hop_by_hop(headers, also=frozenset({"host"}))
    assert list(kept.items()) == [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
