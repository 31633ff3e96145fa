"""``monosplit diff`` on the sample's generated architectures, statically, in a browser, and measured.

The sample is generated once for the module with the real ``monosplit migrate``;
the measured test starts both architectures with the real ``monosplit run``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.diff import diff, render
from generator.diff.model import Diff
from generator.diff.svg import MOVED_COLOUR
from tests.analyzer.test_report import decode_png
from tests.generator.live import migrate

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "sample_monolith"

pytestmark = pytest.mark.slow  # migrate, kubectl, chromium and monosplit run are all processes


@pytest.fixture(scope="module")
def streamshop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("streamshop")
    migrate(SAMPLE, out, "--no-cache")
    return out


@pytest.fixture(scope="module")
def split(streamshop: Path) -> Diff:
    """The monolith against the microservices, compared once for the module (kubectl runs take seconds)."""
    return diff(streamshop / "monolith", streamshop / "microservices")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["diff", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def as_json(*args: str) -> dict[str, Any]:
    code, out, err = invoke(*args, "--format", "json")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def test_monolith_against_microservices(streamshop: Path, split: Diff) -> None:
    monolith, microservices = streamshop / "monolith", streamshop / "microservices"
    document = json.loads(render(split, "json"))
    units = json.loads((microservices / "monosplit-units.json").read_text(encoding="utf-8"))
    names = sorted(u["name"] for u in units["units"])
    # the monolith is split: every symbol moves, to a service or to the shared library
    assert [(u["a"], u["b"], u["status"]) for u in document["units"]] == [
        ("monolith", None, "removed"),
        *((None, name, "added") for name in names),
    ]
    every = {s for u in units["units"] for s in u["symbols"]} | set(units["shared"])
    assert {m["symbol"] for m in document["moves"]} == every
    assert {m["from"] for m in document["moves"]} == {"monolith"}
    # in-process calls became network calls, and checkout crosses several services
    a, b = document["coupling"]["a"]["metrics"], document["coupling"]["b"]["metrics"]
    assert (a["network_calls"], a["ICP"], a["services"]) == (0, 0.0, 1)
    assert b["network_calls"] > 20 and b["services"] == len(names)
    assert len(document["coupling"]["became_network"]) == b["network_calls"]
    routes = {r["route"]: r for r in document["routes"]}
    assert all(r["a"]["hops"] == 0 and r["a"]["units"] == ["monolith"] for r in routes.values())
    checkout = routes["POST /api/orders"]["b"]
    assert checkout["hops"] >= 3 and checkout["depth"] >= 1 and len(checkout["units"]) >= 3
    assert routes["GET /api/catalog/titles"]["b"] == {
        "entry": "catalog", "hops": 0, "depth": 0, "units": ["catalog"], "cyclic": False,
    }  # fmt: skip
    # the footprint: as generated (Dockerfiles and Kubernetes overlays when the generator wrote them)
    footprint = document["footprint"]
    assert (footprint["a"]["deployables"], footprint["b"]["deployables"]) == (1, len(names))
    assert (
        footprint["a"]["lines"]["monolith"] == sum(footprint["b"]["lines"].values()) + units["shared_lines"]
    )
    for side, folder in (("a", monolith), ("b", microservices)):
        k8s = footprint[side]["kubernetes"]
        if not (folder / "k8s").is_dir():
            assert k8s is None
        elif shutil.which("kubectl"):
            assert set(k8s) == {"dev", "prod"}
            assert all(
                o["error"] is None and o["objects"] > 0 and o["cpu_millicores"] > 0 for o in k8s.values()
            )
    # and the terminal table says the same
    out = render(split, "text")
    assert f"{len(every)} of {len(every)} top-level symbols changed unit" in out.replace("\n", " ")


def test_two_tier_against_microservices_moves_every_unit_s_symbols(streamshop: Path) -> None:
    result = diff(streamshop / "two-tier", streamshop / "microservices")
    document = json.loads(render(result, "json"))
    markdown = render(result, "markdown")
    assert "## Measured" not in markdown  # measured only when asked
    moved = len(document["moves"])
    assert moved > 150  # no unit of one matches a unit of the other: every placed symbol moves
    assert f"<summary>Every moved symbol ({moved})</summary>" in markdown
    removed = {u["a"] for u in document["units"] if u["status"] == "removed"}
    assert removed == {"client", "server"}
    assert {m["from"] for m in document["moves"]} <= {"client", "server"}
    assert document["coupling"]["a"]["metrics"]["api_operations"] > 0  # the server's internal API


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    command = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--window-size=1400,1000", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_the_html_diff_renders_in_a_headless_browser(split: Diff, tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not on PATH (Debian: apt-get install chromium)")
    page = tmp_path / "diff.html"
    html = render(split, "html")
    page.write_text(html, encoding="utf-8")
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched
    dom = _chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 3  # two service maps and the metrics chart
    for name in ("catalog", "orders", "shared library", "moved in", "POST /api/orders"):
        assert name in dom.stdout
    shot = tmp_path / "diff.png"
    result = _chromium(f"--screenshot={shot}", page.as_uri(), profile=tmp_path / "profile-shot")
    assert result.returncode == 0, result.stderr[-2000:]
    width, height, rows, bpp = decode_png(shot.read_bytes())
    assert (width, height) == (1400, 1000)
    colours = {row[i : i + 3] for row in rows for i in range(0, len(row), bpp)}
    assert len(colours) > 20, "the screenshot is (nearly) blank"
    red, green, blue = (int(MOVED_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    assert any(abs(c[0] - red) <= 3 and abs(c[1] - green) <= 3 and abs(c[2] - blue) <= 3 for c in colours), (
        "the moved symbols are not highlighted on the first screen"
    )


def test_measured_monolith_against_microservices(
    streamshop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the default scenario is sample_monolith/scenario.py
    monkeypatch.setenv("STREAMSHOP_ENV", "development")  # passed on to the units
    out = tmp_path / "measured.json"
    code, _, err = invoke(
        str(streamshop / "monolith"), str(streamshop / "microservices"),
        "--measure", "--requests", "80", "--warmup", "0", "-o", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert "measuring" in err
    document = json.loads(out.read_text(encoding="utf-8"))
    measured = document["measured"]
    assert measured["scenario"] == "sample_monolith/scenario.py"
    assert measured["requests"] == 80
    for side in ("a", "b"):
        stats = measured[side]
        assert 80 <= stats["count"] <= 130, stats  # whole scenario runs, bounded
        assert 0 < stats["p50"] <= stats["p95"] <= stats["p99"]
        assert stats["throughput"] > 0 and stats["runs"] >= 1
    assert measured["ratio"]["p50"] == pytest.approx(measured["b"]["p50"] / measured["a"]["p50"], rel=1e-3)
    assert measured["machine"]["cores"] >= 1 and measured["machine"]["python"]
    routes = {r["route"]: r for r in measured["routes"]}
    assert "(no route)" not in " ".join(routes)
    product = routes["GET /api/catalog/products/<int:product_id>"]
    assert product["a"]["count"] == product["b"]["count"] > 0
    assert routes["POST /api/orders"]["ratio"]["p50"] is not None
    # the same document carries the static comparison
    assert document["moves"] and document["routes"]
