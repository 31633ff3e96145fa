"""Rendering a diff: terminal text, Markdown, HTML and the versioned JSON, with and without measurements."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from generator.diff import FORMATS, DiffError, render
from generator.diff.compare import compare
from generator.diff.latency import latency_stats
from generator.diff.model import Diff, Machine, Measurement, RouteLatency
from tests.generator.diff.fixtures import side

SVG_BLOCK = re.compile(r"<svg\b.*?</svg>", re.S)


def measured(diff: Diff) -> Diff:
    a, b = latency_stats([10.0, 12.0, 30.0]), latency_stats([20.0, 24.0, 90.0])
    measurement = Measurement(
        scenario="app/scenario.py",
        requests=3,
        warmup=1,
        machine=Machine(2, "Test CPU", (0.5, 0.25, 0.125), "3.11.7", "Linux test"),
        a_runs=1,
        b_runs=1,
        a_seconds=0.1,
        b_seconds=0.2,
        a=a,
        b=b,
        routes=(RouteLatency("GET /buy/<int:item_id>", a, b),),
    )
    return replace(diff, measured=measurement)


@pytest.fixture
def split() -> Diff:
    web, shop = ("app.web.handler", "app.web.helper"), ("app.shop.buy", "app.shop.Item", "app.stock.reserve")
    return compare(
        side({"app": (*web, *shop)}, ("app.util.fmt",), label="A <one>"),
        side({"web": web, "shop": shop}, ("app.util.fmt",), label="B & two"),
    )


def test_every_format_renders_and_the_same_diff_gives_the_same_bytes(split: Diff) -> None:
    for fmt in FORMATS:
        assert render(split, fmt) == render(split, fmt)
    with pytest.raises(DiffError, match="unknown format 'yaml'"):
        render(split, "yaml")


def test_json_is_versioned_and_carries_the_measurement(split: Diff) -> None:
    document = json.loads(render(measured(split), "json"))
    assert (document["format"], document["version"]) == ("monosplit-diff", 1)
    assert document["a"]["label"] == "A <one>"
    # three fifths of "app" is the shop now: the same unit, renamed; only the web part moved
    assert document["units"][0]["status"] == "renamed"
    assert [m["symbol"] for m in document["moves"]] == ["app.web.handler", "app.web.helper"]
    result = document["measured"]
    assert result["a"]["count"] == 3 and result["a"]["p50"] == 12.0
    assert result["ratio"]["p50"] == 2.0
    # throughput back to back: 3 requests in 52 ms against 3 in 134 ms
    assert result["ratio"]["throughput"] == pytest.approx(52 / 134, abs=1e-4)
    assert result["machine"] == {
        "cores": 2, "cpu": "Test CPU", "load_average": [0.5, 0.25, 0.125], "python": "3.11.7", "platform": "Linux test",
    }  # fmt: skip
    assert result["routes"][0]["route"] == "GET /buy/<int:item_id>"


def test_text_and_markdown_show_the_measurement_side_by_side(split: Diff) -> None:
    text = render(measured(split), "text")
    assert "Measured latency and throughput" in text
    assert re.search(r"overall +3/3 +12\.0 +24\.0 +2\.00x", text), text
    assert "2 cores (Test CPU), load average 0.50 0.25 0.12" in text.replace("\n", " ")
    markdown = render(measured(split), "markdown")
    assert "| GET /buy/\\<int:item\\_id\\> | 3/3 | 12.0 | 24.0 | 2.00x |" in markdown


def test_html_is_one_escaped_page_with_maps_and_charts(split: Diff) -> None:
    html = render(measured(split), "html")
    assert "A &lt;one&gt;" in html and "B &amp; two" in html and "<one>" not in html
    pictures = SVG_BLOCK.findall(html)
    assert len(pictures) == 4  # two service maps, the metrics chart and the latency chart
    for picture in pictures:
        ET.fromstring(picture)  # well-formed
    assert "<link" not in html and "<script" not in html
    assert render(split, "html").count("<svg") == 3  # no latency chart without a measurement
