"""Attacks on the generated architectures, from the public port and from inside, over real HTTP.

For each of the three architectures of the sample and of bookclub (real
``monosplit run``, real processes on loopback; see ``conftest.py``):

* every internal endpoint answers 404 through the gateway and on every unit's
  public port, and the public ``/openapi.json`` describes no internal path;
* on the internal port, a request without a valid signature is 401, and one
  signed by a unit the plan does not let in (or for a function its caller
  does not call) is 403;
* a forged transaction header changes nothing: the unit holds no write lock
  for it, and the app's own scenario still passes right after;
* oversized bodies are 413, deeply nested ones 400, an integer id out of the
  database's range 404, and no error answer carries a traceback;
* a replica answer never carries a secret column.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from generator.runtime.secret_columns import is_secret_column

from .conftest import System, announce, send, signed

pytestmark = pytest.mark.slow

INTERNAL_PATHS = [
    ("POST", "/_monosplit/call/{export}"),
    ("POST", "/_monosplit/row"),
    ("GET", "/_monosplit/replica/{table}"),
    ("POST", "/_monosplit/rows/{table}"),
    ("POST", "/_monosplit/transaction/0123456789abcdef/commit"),
    ("POST", "/_monosplit/transaction/0123456789abcdef/abort"),
    ("GET", "/metrics"),
    ("GET", "/_monosplit/"),
]
INTRUDER = "intruder"


def _paths(system: System) -> list[tuple[str, str]]:
    exports = [e for unit in system.units.values() for e in unit.exports] or ["app.anything"]
    tables = [t for unit in system.units.values() for t in unit.tables] or ["users"]
    return [(method, path.format(export=exports[0], table=tables[0])) for method, path in INTERNAL_PATHS] + [
        ("GET", f"/_monosplit/replica/{table}") for table in tables
    ]


def test_every_internal_endpoint_is_404_from_the_public_port(system: System) -> None:
    for method, path in _paths(system):
        body = b'{"class": "x", "op": "set", "field": "is_admin", "pk": [1], "value": true}'
        answer = send(
            method,
            system.gateway + path,
            body if method == "POST" else None,
            {"Content-Type": "application/json"},
        )
        assert answer.status == 404, (method, path, answer.status, answer.text[:200])
        for unit in system.units.values():
            assert send(method, unit.public + path, body if method == "POST" else None).status == 404, (
                unit.name,
                method,
                path,
            )
    document = send("GET", system.gateway + "/openapi.json")
    if document.status == 200:
        assert "/_monosplit/" not in document.text and '"/metrics"' not in document.text


def test_internal_requests_without_a_valid_signature_are_401(system: System) -> None:
    for unit in system.units.values():
        path = f"/_monosplit/call/{unit.exports[0] if unit.exports else 'app.anything'}"
        body: dict[str, object] = {"args": [], "kwargs": {}}
        assert send("POST", unit.internal + path, json.dumps(body).encode()).status == 401
        # claiming to be a caller is not enough
        assert (
            send(
                "POST",
                unit.internal + path,
                json.dumps(body).encode(),
                {"X-Monosplit-Caller": next(iter(unit.callers), "web")},
            ).status
            == 401
        )
        # another deployment's key
        caller = next(iter(unit.callers), "web")
        assert signed("f" * 64, "POST", unit, path, body, caller=caller).status == 401
        assert signed("f" * 64, "GET", unit, "/_monosplit/replica/users", caller=caller).status == 401


def test_a_unit_the_plan_does_not_allow_is_403(system: System) -> None:
    for unit in system.units.values():
        for export in unit.exports[:3] or ["app.anything"]:
            answer = signed(
                system.key,
                "POST",
                unit,
                f"/_monosplit/call/{export}",
                {"args": [], "kwargs": {}},
                caller=INTRUDER,
            )
            assert answer.status == 403, answer.text
        for table in unit.tables[:3]:
            assert (
                signed(system.key, "GET", unit, f"/_monosplit/replica/{table}", caller=INTRUDER).status == 403
            )
        row = {"class": "x.User", "op": "set", "field": "is_admin", "pk": [1], "value": True}
        assert signed(system.key, "POST", unit, "/_monosplit/row", row, caller=INTRUDER).status == 403
        assert (
            signed(system.key, "POST", unit, "/_monosplit/transaction/abc/commit", {}, caller=INTRUDER).status
            == 403
        )
        # a real caller, for what it does not call: a function nobody exports, a module by name
        for caller, grant in unit.callers.items():
            answer = signed(
                system.key,
                "POST",
                unit,
                "/_monosplit/call/os.system",
                {"args": ["true"], "kwargs": {}},
                caller=caller,
            )
            assert answer.status == 403
            answer = signed(
                system.key,
                "POST",
                unit,
                "/_monosplit/row",
                {"class": "this.s", "op": "set", "field": "x", "pk": [1]},
                caller=caller,
            )
            assert answer.status == 403
            for table in unit.tables:
                if table not in grant.get("replicas", ()):
                    assert (
                        signed(system.key, "GET", unit, f"/_monosplit/replica/{table}", caller=caller).status
                        == 403
                    )
    assert "Beautiful is better than ugly" not in system.run.output()


def test_an_allowed_caller_gets_through_and_replicas_carry_only_the_secrets_its_code_reads(
    system: System,
) -> None:
    for unit in system.units.values():
        for caller, grant in unit.callers.items():
            granted = set(grant.get("secret_columns", ()))
            for table in grant.get("replicas", ()):
                answer = signed(system.key, "GET", unit, f"/_monosplit/replica/{table}", caller=caller)
                assert answer.status == 200, answer.text[:300]
                secrets = {f"{table}.{c}" for c in answer.json()["columns"] if is_secret_column(c)}
                assert secrets <= granted
            for export in grant.get("calls", ())[:2]:
                answer = signed(
                    system.key,
                    "POST",
                    unit,
                    f"/_monosplit/call/{export}",
                    {"args": [], "kwargs": {"__no_such_argument__": 1}},
                    caller=caller,
                )
                # through the door: the function's own signature refuses the arguments
                assert answer.status == 400, answer.text[:300]
                for leak in ("Traceback", 'File "', "/tmp/", "SELECT "):
                    assert leak not in answer.text
                assert answer.json()["error"]["request_id"]


def test_forged_transaction_headers_change_nothing(system: System) -> None:
    forged = {"X-Monosplit-Transaction": "forged-transaction-0001", "Content-Type": "application/json"}
    for _unit, method, rule in system.routes:
        if "<" in rule or "{" in rule:
            continue
        send(method, system.gateway + rule, b"{}" if method != "GET" else None, forged)
    for unit in system.units.values():
        for export in unit.exports[:3]:
            send("POST", unit.internal + f"/_monosplit/call/{export}", b'{"args": [], "kwargs": {}}', forged)
    started = time.monotonic()
    system.scenario(system.gateway)  # writes everywhere: no unit holds a lock for the forged transaction
    assert time.monotonic() - started < 60


def test_oversized_and_deeply_nested_bodies(system: System) -> None:
    target = next(
        ((m, r) for _, m, r in system.routes if m == "POST" and "<" not in r and "{" not in r), None
    )
    rule = target[1] if target else "/"
    big = 11 * 1024 * 1024
    assert announce(system.gateway, "POST", rule, big, {"Content-Type": "application/json"}) == 413
    bomb = b"[" * 50_000 + b"]" * 50_000
    answer = send("POST", system.gateway + rule, bomb, {"Content-Type": "application/json"})
    assert answer.status == 400, answer.text[:300]
    for unit in system.units.values():
        caller = next(iter(unit.callers), "web")
        export = unit.exports[0] if unit.exports else "app.anything"
        nested = b'{"args": [' + b"[" * 5_000 + b"]" * 5_000 + b'], "kwargs": {}}'
        assert (
            signed(system.key, "POST", unit, f"/_monosplit/call/{export}", nested, caller=caller).status
            == 400
        )
        # refused before the body is read (and so before a signature could be checked)
        assert announce(unit.internal, "POST", f"/_monosplit/call/{export}", big) == 413


def test_an_integer_id_out_of_range_is_404(system: System) -> None:
    checked = 0
    for _, method, rule in system.routes:
        if method != "GET" or not re.fullmatch(r"[^<{]*<int:\w+>[^<{]*", rule):
            continue
        path = re.sub(r"<int:\w+>", "9" * 30, rule)
        answer = send("GET", system.gateway + path)
        assert answer.status == 404, (rule, answer.status, answer.text[:200])
        checked += 1
    assert checked or system.app != "sample", "the sample has integer ids in its routes"
