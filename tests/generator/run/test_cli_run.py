"""``monosplit run`` at the command line: options and errors, before any process starts."""

from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.run.manifest import MANIFEST_NAME


def architecture(tmp_path: Path, *, make_folders: bool = True) -> Path:
    units = [
        {
            "name": name,
            "directory": name,
            "command": ["{python}", "-c", "pass"],
            "ready": "/readyz",
            "url_env": f"{name.upper()}_URL",
        }
        for name in ("web", "orders")
    ]
    document = {
        "format": "monosplit-run",
        "version": 1,
        "architecture": "two-tier",
        "default_unit": "web",
        "units": units,
    }
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(document), encoding="utf-8")
    if make_folders:
        for name in ("web", "orders"):
            (tmp_path / name).mkdir()
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["run", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_the_options() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    for option in ("--port", "--host", "--replicas", "--env", "--data-dir", "--keep-data", "--ready-timeout"):
        assert option in out
    assert "--unavailable-timeout" in out


def test_a_folder_without_a_manifest_is_one_error_line(tmp_path: Path) -> None:
    code, out, err = invoke(str(tmp_path))
    assert code == 2
    assert out == ""
    assert err == f"monosplit: error: {tmp_path}: no {MANIFEST_NAME} here (generate the architecture first)\n"


def test_a_malformed_manifest_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    code, _, err = invoke(str(tmp_path / MANIFEST_NAME))
    assert code == 2
    assert err.startswith(f"monosplit: error: {tmp_path / MANIFEST_NAME}: not valid JSON")
    assert err.count("\n") == 1


def test_replicas_of_an_unknown_unit_are_refused(tmp_path: Path) -> None:
    code, out, err = invoke(str(architecture(tmp_path)), "--replicas", "payments=2")
    assert code == 2
    assert out == ""
    assert err == (
        f"monosplit: error: --replicas payments=2: no unit 'payments' in "
        f"{(tmp_path / MANIFEST_NAME).resolve()} (units: web, orders)\n"
    )


@pytest.mark.parametrize("value", ["web", "web=", "web=0", "web=-1", "web=two", "=2"])
def test_replicas_must_be_unit_equals_a_positive_number(tmp_path: Path, value: str) -> None:
    code, _, err = invoke(str(architecture(tmp_path)), "--replicas", value)
    assert code == 2
    assert "is not UNIT=N" in err


@pytest.mark.parametrize("value", ["NOEQUALS", "=x", "1ABC=x", "A-B=x"])
def test_env_must_be_key_equals_value(tmp_path: Path, value: str) -> None:
    code, _, err = invoke(str(architecture(tmp_path)), "--env", value)
    assert code == 2
    assert "is not KEY=VALUE" in err


def test_a_missing_unit_folder_is_refused_before_anything_starts(tmp_path: Path) -> None:
    code, out, err = invoke(str(architecture(tmp_path, make_folders=False)))
    assert code == 2
    assert out == ""
    assert "unit 'web': directory" in err and "does not exist" in err


def test_a_taken_public_port_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = invoke(str(architecture(tmp_path)), "--port", str(port))
    assert code == 2
    assert out == ""
    assert err.startswith(f"monosplit: error: the gateway: cannot listen on 127.0.0.1:{port}: ")
    assert err.count("\n") == 1


def test_a_command_that_cannot_run_stops_what_started_and_fails(tmp_path: Path) -> None:
    root = architecture(tmp_path)
    document = json.loads((root / MANIFEST_NAME).read_text())
    document["units"][0]["command"] = ["{python}", "-c", "import time; time.sleep(60)"]
    document["units"][1]["command"] = ["./no-such-server", "{port}"]
    (root / MANIFEST_NAME).write_text(json.dumps(document))
    code, out, err = invoke(str(root), "--port", "0")
    assert code == 1
    started = re.search(r"web-1 started pid=(\d+)", out)
    assert started is not None
    with pytest.raises(ProcessLookupError):
        os.kill(int(started.group(1)), 0)
    assert out.rstrip().endswith("monosplit: stopped")
    assert err == (
        f"monosplit: error: orders-1: cannot start './no-such-server' in {root.resolve() / 'orders'}: "
        "No such file or directory\n"
    )
