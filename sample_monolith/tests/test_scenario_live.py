"""Run scenario.py over real HTTP against the app served on a loopback port."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import scenario
from flask import Flask
from werkzeug.serving import make_server


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_scenario_passes_twice_against_the_same_database(live_server: str) -> None:
    first = scenario.run_scenario(live_server)
    second = scenario.run_scenario(live_server)
    assert len(first) == len(second) >= 40
    assert {step.name for step in first} >= {
        "checkout",
        "recommendations",
        "checkout with declined card",
    }


def test_scenario_reports_failures(live_server: str) -> None:
    with pytest.raises(scenario.ScenarioError, match="cannot reach server"):
        scenario.run_scenario("http://127.0.0.1:9")
