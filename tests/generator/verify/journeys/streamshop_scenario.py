"""The sample's own HTTP scenario as a journey: every request it sends is recorded as a step.

An existing HTTP test script becomes a journey by pointing it at ``client.base_url``.
Run by hand: ``monosplit verify OUT --env STREAMSHOP_ENV=development --journey THIS_FILE``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.verify import JourneyClient

SCENARIO = Path(__file__).resolve().parents[4] / "sample_monolith" / "scenario.py"


def journey(client: JourneyClient) -> None:
    spec = importlib.util.spec_from_file_location("streamshop_scenario_for_verify", SCENARIO)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    module.run_scenario(client.base_url, echo=lambda line: None)
