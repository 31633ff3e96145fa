"""output/ is what the README's main job produces, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "output"


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("graph.json", ["analyze", "sample_monolith", "-o", "{out}/graph.json"]),
        (
            "plan.json",
            ["suggest", "sample_monolith", "-o", "{out}/plan.json", "--report", "{out}/report.html"],
        ),
        (
            "report.html",
            ["suggest", "sample_monolith", "-o", "{out}/plan.json", "--report", "{out}/report.html"],
        ),
    ],
)
def test_output_is_reproduced(
    name: str, command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, [part.format(out=tmp_path) for part in command])
    assert result.exit_code == 0, result.output
    regenerated = (tmp_path / name).read_bytes()
    committed = (OUTPUT / name).read_bytes()
    assert regenerated == committed, (
        f"output/{name} is stale: refresh it with the README's first command (see output/README.md)"
    )
