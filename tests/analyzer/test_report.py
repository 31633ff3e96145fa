"""The plan report: HTML and Markdown from a plan document, with SVG pictures that really render."""

from __future__ import annotations

import copy
import importlib.resources
import json
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from typing import Any

import pytest

from analyzer.report import render_report
from analyzer.report.svg import PALETTE, SHARED_COLOUR

FIXTURE = Path(__file__).parent / "report_fixtures" / "plan.json"
SVG = "{http://www.w3.org/2000/svg}"
SVG_BLOCK = re.compile(r"<svg\b.*?</svg>", re.S)

NAMES = (
    "accounts", "analytics", "audit", "billing", "catalog", "checkout", "content", "delivery", "discounts",
    "gateway", "identity", "inventory", "invoicing", "ledger", "media", "messaging", "notifications",
    "orders", "payments", "pricing", "profiles", "ratings", "recommendations", "search", "shipping",
    "streaming", "subscriptions", "support", "tax", "warehouse",
)  # fmt: skip


def plan_fixture() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def generated_plan(services: int, units: int) -> dict[str, Any]:
    """A plan with ``services`` services and ``units`` symbols (a tenth of them shared), built by arithmetic."""
    names = (
        sorted(NAMES[:services]) if services <= len(NAMES) else [f"service-{i:03d}" for i in range(services)]
    )
    nodes: list[dict[str, Any]] = []
    for j in range(units):
        service = "shared" if j % 10 == 9 else names[(j * 7 + j // 3) % services]
        nodes.append(
            {"id": f"gen.{service}.mod{j % 13}.sym_{j:05d}", "service": service, "lines": 5 + j % 40}
        )
    edges: dict[tuple[str, str], int] = {}
    for j, node in enumerate(nodes):
        for other in ((j * 31 + 7) % units, (j + services) % units, (j * j + 3) % units):
            if other != j:
                key = (node["id"], nodes[other]["id"])
                edges[key] = edges.get(key, 0) + 1 + (j + other) % 3
    service_of = {n["id"]: n["service"] for n in nodes}
    calls: dict[str, dict[str, int]] = {n: {} for n in names}
    called_by: dict[str, dict[str, int]] = {n: {} for n in names}
    api: dict[str, set[str]] = {n: set() for n in names}
    for (source, target), weight in edges.items():
        a, b = service_of[source], service_of[target]
        if a != b and "shared" not in (a, b):
            calls[a][b] = calls[a].get(b, 0) + weight
            called_by[b][a] = called_by[b].get(a, 0) + weight
            api[b].add(target)
    return {
        "format": "monosplit-plan",
        "version": 1,
        "root": f"generated_{services}_{units}",
        "generator": "monosplit 0.1.0",
        "method": {
            "algorithm": "louvain+capabilities",
            "seed": 42,
            "resolution": 1.0,
            "target_services": None,
        },
        "services": [
            {
                "name": name,
                "symbols": sorted(n["id"] for n in nodes if n["service"] == name),
                "tables": [f"{name}_records"],
                "routes": [f"GET /api/{name}", f"POST /api/{name}"],
                "api": sorted(api[name]),
                "calls": dict(sorted(calls[name].items())),
                "called_by": dict(sorted(called_by[name].items())),
                "config": [f"{name.upper().replace('-', '_')}_URL"],
                "lines": sum(n["lines"] for n in nodes if n["service"] == name),
            }
            for name in names
        ],
        "shared": sorted(n["id"] for n in nodes if n["service"] == "shared"),
        "problems": [],
        "metrics": {
            "plans": {
                "plan": {"SM": 0.3, "ICP": 0.2, "IFN": 2.5, "NED": 0.1, "services": services},
                "monolith": {"SM": 0.0, "ICP": None, "IFN": 0.0, "NED": 1.0, "services": 1},
            },
            "labels": {"plan": "suggested plan", "monolith": "whole monolith"},
        },
        "verdict": {"recommendation": "microservices", "reasons": ["generated"]},
        "units": {
            "nodes": nodes,
            "edges": [{"source": s, "target": t, "weight": w} for (s, t), w in sorted(edges.items())],
        },
    }


def svg_blocks(html: str) -> list[ET.Element]:
    return [ET.fromstring(block) for block in SVG_BLOCK.findall(html)]


def svg_of(html: str, css_class: str) -> ET.Element:
    found = [svg for svg in svg_blocks(html) if css_class in (svg.get("class") or "").split()]
    assert len(found) == 1, f"expected one {css_class} picture, found {len(found)}"
    return found[0]


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    return plan_fixture()


@pytest.fixture(scope="module")
def html(plan: dict[str, Any]) -> str:
    return render_report(plan, fmt="html")


@pytest.fixture(scope="module")
def markdown(plan: dict[str, Any]) -> str:
    return render_report(plan, fmt="md")


# --------------------------------------------------------------------------- determinism, self-containment


def test_fixture_is_realistic(plan: dict[str, Any]) -> None:
    assert len(plan["services"]) == 7
    assert plan["shared"]
    assert len(plan["units"]["nodes"]) >= 150
    assert len({p["kind"] for p in plan["problems"]}) == 3
    assert len(plan["metrics"]["plans"]) == 3  # the plan and two baselines


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_output_is_byte_identical(plan: dict[str, Any], fmt: str) -> None:
    first = render_report(plan, fmt=fmt)
    again = render_report(copy.deepcopy(plan), fmt=fmt)
    reloaded = render_report(plan_fixture(), fmt=fmt)
    assert first == again == reloaded


def test_the_input_is_not_modified(plan: dict[str, Any]) -> None:
    before = copy.deepcopy(plan)
    render_report(plan, fmt="html")
    render_report(plan, fmt="md")
    assert plan == before


def test_every_svg_is_well_formed_xml(html: str) -> None:
    svgs = svg_blocks(html)
    assert [svg.get("class") for svg in svgs] == [
        "ms-svg service-map",
        "ms-svg metrics-chart",
        "ms-svg symbol-graph",
    ]
    for svg in svgs:
        assert svg.tag == f"{SVG}svg"
        assert svg.get("viewBox")
        assert svg.find(f"{SVG}title") is not None


def test_html_is_self_contained(html: str) -> None:
    links = re.findall(r"https?://[^\s\"'<>)]*", html)
    assert set(links) == {"http://www.w3.org/2000/svg"}
    lowered = html.lower()
    for forbidden in ("<script", "<link", "<iframe", "<img", "@import", "src=", "@font-face"):
        assert forbidden not in lowered, forbidden
    assert re.findall(r"url\(([^)]*)\)", html) and all(
        ref.startswith("#") for ref in re.findall(r"url\(([^)]*)\)", html)
    )
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html


def test_templates_ship_with_the_package() -> None:
    templates = importlib.resources.files("analyzer.report") / "templates"
    assert (templates / "report.html.j2").is_file()
    assert (templates / "report.md.j2").is_file()


# --------------------------------------------------------------------------- content


def test_html_shows_the_plan(plan: dict[str, Any], html: str) -> None:
    assert "<title>monosplit plan for sample_monolith</title>" in html
    assert "monosplit plan for <code>sample_monolith</code>" in html
    assert '<p class="recommendation">microservices</p>' in html
    for reason in plan["verdict"]["reasons"]:
        assert f"<li>{reason}</li>" in html
    for service in plan["services"]:
        assert f"</span>{service['name']}</a></th>" in html  # services table
        assert f"{service['name']} ({len(service['symbols'])})" in html  # symbol graph cluster label
        for table in service["tables"]:
            assert f"<code>{table}</code>" in html
    for label in plan["metrics"]["labels"].values():
        assert f">{label}</th>" in html
    for value in ("0.214", "0.183", "3.4", "0.35", "0.052", "0.62", "9.1", "240"):
        assert f">{value}<" in html
    for text in plan["metrics"]["definitions"].values():
        assert text in html
    assert "generated by monosplit 0.1.0" in html
    assert re.search(r"\d{4}-\d\d-\d\d", html) is None  # no dates, no timestamps


def test_services_table_has_routes_and_links(html: str) -> None:
    table = html[html.index('<section id="services">') : html.index('<section id="metrics">')]
    assert "<details><summary>13</summary>" in table  # catalog's routes, expandable
    assert "<code>GET /api/catalog/genres</code>" in table
    assert 'accounts <span class="weight">10</span>' in table  # orders calls accounts 10 times
    assert "recommendations</a>" in table


def test_best_metric_values_are_bold(html: str, markdown: str) -> None:
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(
            r'<tr>\n<th scope="row">([^<]+?)(?: <span class="note">.*?</span>)?</th>\n(.*?)</tr>', html, re.S
        )
    }
    assert "<strong>0.214</strong>" in rows["SM"]
    assert "<strong>0.183</strong>" in rows["ICP"]  # null for the monolith is not a candidate
    assert "<strong>0</strong>" in rows["IFN"]
    assert "<strong>" not in rows["services"]  # no better direction, nothing bold
    assert "| SM _(higher is better)_ | **0.214** | 0.052 | 0.01 |" in markdown
    assert "| ICP _(lower is better)_ | **0.183** | 0.62 | n/a |" in markdown
    assert "| services | 7 | 4 | 1 |" in markdown


def test_problems_are_grouped_by_kind(html: str, markdown: str) -> None:
    section = html[html.index('<section id="problems">') : html.index('<section id="symbol-graph">')]
    kinds = re.findall(r'<h3>([\w-]+) <span class="count">(\d+)</span></h3>', section)
    assert kinds == [("chatty-interface", "1"), ("cycle", "2"), ("shared-table", "2")]
    assert "table orders is written by billing and orders" in section
    assert "<code>streamshop.services.orders.cancel_order</code>" in section
    assert "### cycle (2)" in markdown
    assert "No problems found" not in html


def test_service_details(plan: dict[str, Any], html: str) -> None:
    details = html[html.index('<section id="service-details">') :]
    assert details.count('<details class="service-detail"') == 8  # seven services and the shared library
    for service in plan["services"]:
        for symbol in service["symbols"]:
            assert f"<code>{symbol}</code>" in details
        for key in service["config"]:
            assert f"<code>{key}</code>" in details
    assert "<code>SHIPPING_FLAT_FEE_CENTS</code>" in details
    assert '<span class="api-tag">API</span>' in details


def test_markdown_report(plan: dict[str, Any], markdown: str) -> None:
    assert markdown.startswith("# monosplit plan for `sample_monolith`\n")
    assert "## Recommendation: **microservices**" in markdown
    lines = markdown.splitlines()
    header = lines.index("| metric | suggested plan | one service per package | whole monolith |")
    assert lines[header + 1] == "|---|--:|--:|--:|"
    table = lines[header + 2 : header + 9]
    assert all(line.startswith("| ") and line.endswith(" |") for line in table)
    assert [line.split(" | ")[0] for line in table] == [
        "| SM _(higher is better)_",
        "| ICP _(lower is better)_",
        "| IFN _(lower is better)_",
        "| NED _(lower is better)_",
        "| cross-service calls _(lower is better)_",
        "| shared tables _(lower is better)_",
        "| services",
    ]
    for service in plan["services"]:
        assert f"| **{service['name']}** |" in markdown
        assert f"### {service['name']}\n" in markdown
    tags = {t.lower() for t in re.findall(r"</?([a-zA-Z][\w-]*)", _without_code_spans(markdown))}
    assert tags <= {"details", "summary"}
    assert "\n\n\n" not in markdown
    assert "generated by monosplit 0.1.0" in markdown
    assert "HTML report" in markdown  # the pictures are referred to, not embedded


def _without_code_spans(markdown: str) -> str:
    return re.sub(r"``.*?``|`[^`]*`", "", markdown)


# --------------------------------------------------------------------------- hand-edited documents


MINIMAL: dict[str, Any] = {
    "format": "monosplit-plan",
    "version": 1,
    "root": "tiny",
    "services": [{"name": "api"}],
}


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_minimal_document_renders(fmt: str) -> None:
    text = render_report(MINIMAL, fmt=fmt)
    assert "tiny" in text
    assert "api" in text
    assert "No problems found" in text
    assert "n/a" in text
    if fmt == "html":
        assert len(svg_blocks(text)) == 2  # no metrics, no chart


OPTIONAL_TOP = ["generator", "method", "shared", "problems", "metrics", "verdict", "units"]
OPTIONAL_SERVICE = ["symbols", "tables", "routes", "api", "calls", "called_by", "config", "lines"]


@pytest.mark.parametrize("key", OPTIONAL_TOP)
@pytest.mark.parametrize("fmt", ["html", "md"])
def test_missing_optional_keys_render(plan: dict[str, Any], key: str, fmt: str) -> None:
    document = copy.deepcopy(plan)
    del document[key]
    text = render_report(document, fmt=fmt)
    assert "billing" in text
    if fmt == "html":
        for svg in svg_blocks(text):
            assert svg.tag == f"{SVG}svg"


@pytest.mark.parametrize("key", OPTIONAL_SERVICE)
def test_missing_service_keys_render(plan: dict[str, Any], key: str) -> None:
    document = copy.deepcopy(plan)
    for service in document["services"]:
        del service[key]
    html = render_report(document, fmt="html")
    svg_blocks(html)
    assert render_report(document, fmt="md")


def test_missing_nested_metric_keys_render(plan: dict[str, Any]) -> None:
    document = copy.deepcopy(plan)
    for key in ("definitions", "better", "labels"):
        del document["metrics"][key]
    del document["units"]["edges"]
    del document["verdict"]["reasons"]
    del document["metrics"]["plans"]["packages"]["SM"]
    html = render_report(document, fmt="html")
    assert "<strong>0.214</strong>" in html  # the default direction for SM: higher is better
    assert "The plan document has no edges between symbols." in html
    assert "The plan document gives no reasons." in html
    assert render_report(document, fmt="md")


def test_nulls_show_as_not_available(plan: dict[str, Any]) -> None:
    document = copy.deepcopy(plan)
    document["services"][0]["lines"] = None
    document["services"][0]["calls"] = None
    document["metrics"]["plans"]["plan"] = dict.fromkeys(document["metrics"]["plans"]["plan"])
    document["verdict"] = {"recommendation": None, "reasons": None}
    document["method"]["seed"] = None
    document["root"] = None
    html = render_report(document, fmt="html")
    assert '<td class="num">n/a</td>' in html
    assert '<p class="recommendation">n/a</p>' in html
    md = render_report(document, fmt="md")
    assert "| SM _(higher is better)_ | n/a | **0.052** | 0.01 |" in md


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_odd_values_in_optional_places_render(fmt: str) -> None:
    """A hand-edited document with wrong types where optional data goes still renders what it can."""
    document: dict[str, Any] = {
        **MINIMAL,
        "services": [
            {"name": "api", "calls": ["db"], "lines": "many", "symbols": "api.main", "called_by": None},
            {"name": "db", "tables": None, "routes": [None, "GET /x"], "calls": {"api": "often", "ghost": 3}},
        ],
        "shared": None,
        "problems": ["oops", {"kind": None, "services": "api"}],
        "metrics": {"plans": {"plan": None, "other": {"SM": "high", "ICP": float("nan")}}, "labels": []},
        "verdict": "yes",
        "method": ["louvain"],
        "units": {
            "nodes": [{"id": "api.main"}, {"service": "api"}, "x"],
            "edges": [{"source": "api.main"}, 7],
        },
    }
    text = render_report(document, fmt=fmt)
    assert "api" in text and "GET /x" in text
    assert "(no message)" in text
    if fmt == "html":
        assert len(svg_blocks(text)) == 2
        assert "unassigned" in text  # a unit without a service


@pytest.mark.parametrize("key", ["format", "version", "root", "services"])
@pytest.mark.parametrize("fmt", ["html", "md"])
def test_missing_required_key_raises(plan: dict[str, Any], key: str, fmt: str) -> None:
    document = copy.deepcopy(plan)
    del document[key]
    with pytest.raises(ValueError, match=f"missing required key.*{key}"):
        render_report(document, fmt=fmt)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "monosplit-graph"}, "not a monosplit plan"),
        ({"version": 2}, "unsupported plan version 2"),
        ({"version": True}, "unsupported plan version"),
        ({"services": {"api": {}}}, "services must be a list"),
        ({"services": [{"symbols": []}]}, r"services\[0\] has no name"),
    ],
)
def test_invalid_documents_raise(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render_report({**MINIMAL, **change}, fmt="html")


def test_not_a_mapping_raises() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        render_report([MINIMAL], fmt="md")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["pdf", "HTML", "markdown", ""])
def test_unknown_format_raises(fmt: str) -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render_report(MINIMAL, fmt=fmt)


def test_names_are_escaped(plan: dict[str, Any]) -> None:
    document = copy.deepcopy(plan)
    evil = '<marquee>"pay|ments" & co</marquee>'
    old = document["services"][1]["name"]
    document["services"][1]["name"] = evil
    for service in document["services"]:
        service["calls"] = {evil if k == old else k: v for k, v in service["calls"].items()}
    for node in document["units"]["nodes"]:
        if node["service"] == old:
            node["service"] = evil
            node["id"] = node["id"] + "<'x'>"
    document["problems"][0]["message"] = "<script>alert(1)</script> * _not_ [markdown](x)"
    html = render_report(document, fmt="html")
    assert "<marquee>" not in html and "<script>" not in html
    assert "&lt;marquee&gt;&#34;pay|ments&#34; &amp; co&lt;/marquee&gt;" in html  # HTML text
    assert "&lt;marquee&gt;&quot;pay|ments&quot; &amp; co&lt;/marquee&gt;" in html  # SVG text
    for svg in svg_blocks(html):  # still well-formed
        assert svg.tag == f"{SVG}svg"
    md = render_report(document, fmt="md")
    assert "<marquee>" not in md and "<script>" not in md
    assert r'| **\<marquee\>"pay\|ments" & co\</marquee\>** |' in md
    assert r"\_not\_ \[markdown\](x)" in md


# --------------------------------------------------------------------------- pictures at scale


def _rects(svg: ET.Element) -> list[tuple[float, float, float, float]]:
    group = svg.find(f".//{SVG}g[@class='services']")
    assert group is not None
    return [
        (float(r.get("x", 0)), float(r.get("y", 0)), float(r.get("width", 0)), float(r.get("height", 0)))
        for r in group.iter(f"{SVG}rect")
    ]


def _inside(point: tuple[float, float], rect: tuple[float, float, float, float]) -> bool:
    x, y, w, h = rect
    return x <= point[0] <= x + w and y <= point[1] <= y + h


def _check_service_map(html: str, services: int) -> ET.Element:
    svg = svg_of(html, "service-map")
    rects = _rects(svg)
    assert len(rects) == services + 1  # and the shared library
    _, _, view_w, view_h = (float(v) for v in svg.get("viewBox", "").split())
    translate = svg.find(f"{SVG}g")
    assert translate is not None
    dx, dy = (float(v) for v in re.findall(r"-?[\d.]+", translate.get("transform", "")))
    for i, (x, y, w, h) in enumerate(rects):
        assert 0 <= x + dx and x + w + dx <= view_w and 0 <= y + dy and y + h + dy <= view_h, "box clipped"
        for other in rects[i + 1 :]:
            ox, oy, ow, oh = other
            assert x + w <= ox or ox + ow <= x or y + h <= oy or oy + oh <= y, "boxes overlap"
    arrows = svg.find(f".//{SVG}g[@class='arrows']")
    assert arrows is not None
    paths = list(arrows.iter(f"{SVG}path"))
    assert paths
    for path in paths:
        assert path.get("marker-end", "").startswith("url(#svcmap-arrow-")
        numbers = [float(v) for v in re.findall(r"-?[\d.]+", path.get("d", ""))]
        start, end = (numbers[0], numbers[1]), (numbers[4], numbers[5])
        for rect in rects:
            assert not _inside(start, rect) and not _inside(end, rect), "arrow starts or ends inside a box"
    markers = {m.get("id") for m in svg.iter(f"{SVG}marker")}
    assert {p.get("marker-end", "")[5:-1] for p in paths} <= markers
    return svg


def test_two_services() -> None:
    html = render_report(generated_plan(2, 60), fmt="html")
    svg = _check_service_map(html, 2)
    assert len(list(svg.find(f".//{SVG}g[@class='arrows']").iter(f"{SVG}path"))) == 2  # type: ignore[union-attr]
    assert len(list(svg_of(html, "symbol-graph").iter(f"{SVG}circle"))) == 60


def test_seven_services_map(html: str) -> None:
    svg = _check_service_map(html, 7)
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert "shared library" in labels
    assert "10" in labels  # orders → accounts


def test_twenty_five_services() -> None:
    document = generated_plan(25, 800)
    html = render_report(document, fmt="html")
    svg = _check_service_map(html, 25)
    weights = svg.find(f".//{SVG}g[@class='weights']")
    assert weights is not None and 0 < len(weights) <= 40
    assert "Labels are shown on the 40 heaviest" in html
    assert render_report(document, fmt="html") == html
    # 25 services cycle through the palette in name order
    names = sorted(s["name"] for s in document["services"])
    row = html[html.index('<section id="services">') :]
    for i, name in enumerate(names):
        assert f'background: {PALETTE[i % len(PALETTE)]}"></span>{name}</a>' in row


def test_three_thousand_units() -> None:
    document = generated_plan(12, 3000)
    html = render_report(document, fmt="html")
    graph = svg_of(html, "symbol-graph")
    circles = list(graph.iter(f"{SVG}circle"))
    assert len(circles) == 1500
    ids = {n["id"] for n in document["units"]["nodes"]}
    titles = [c.find(f"{SVG}title") for c in circles]
    assert all(t is not None and (t.text or "").split(" — ")[0] in ids for t in titles)
    assert "Showing the 1,500 most connected of 3,000 symbols." in html
    lines = list(graph.iter(f"{SVG}line"))
    assert 0 < len(lines) <= 4000 + 2  # edges, plus the two legend samples
    assert len(html) < 2_500_000


def test_metrics_chart(html: str) -> None:
    chart = svg_of(html, "metrics-chart")
    panels = chart.findall(f"{SVG}g[@class='panel']")
    assert len(panels) == 4
    texts = [" ".join(t.itertext()) for t in chart.iter(f"{SVG}text")]
    assert {"SM", "ICP", "IFN", "NED"} <= set(texts)
    assert "↑ higher is better" in texts and "↓ lower is better" in texts
    assert "n/a" in texts  # ICP of the whole monolith
    assert {"suggested plan", "one service per package", "whole monolith"} <= set(texts)


# --------------------------------------------------------------------------- a real browser


def decode_png(data: bytes) -> tuple[int, int, list[bytes], int]:
    """Width, height, rows and bytes per pixel of a non-interlaced 8-bit RGB or RGBA PNG (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, (depth, colour_type, interlace)
    bpp = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind_of_filter = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        if kind_of_filter == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind_of_filter == 2:  # Up
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif kind_of_filter == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind_of_filter == 4:  # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        else:
            assert kind_of_filter == 0, f"bad filter {kind_of_filter}"
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def test_png_decoder_round_trip() -> None:
    """The decoder itself, on a tiny RGB picture with every filter type."""
    width, bpp = 3, 3
    pixels = [bytes([10 * y + x, 200 - x, 7 * y]) for y in range(5) for x in range(width)]
    rows = [b"".join(pixels[y * width : (y + 1) * width]) for y in range(5)]
    raw = bytearray()
    prev = bytes(width * bpp)
    for filter_type, row in enumerate(rows):
        raw.append(filter_type)
        for i, value in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            paeth = (
                a
                if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c)
                else b
                if abs(p - b) <= abs(p - c)
                else c
            )
            predictor = [0, a, b, (a + b) >> 1, paeth][filter_type]
            raw.append((value - predictor) & 0xFF)
        prev = row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, 5, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(bytes(raw)))
        + chunk(b"IEND", b"")
    )
    assert decode_png(png) == (width, 5, rows, 3)


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    command = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1400,2400",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.mark.slow
def test_report_renders_in_a_headless_browser(plan: dict[str, Any], html: str, tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not on PATH (Debian: apt-get install chromium)")
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    url = page.as_uri()

    dom = _chromium("--dump-dom", url, profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 3
    for service in plan["services"]:
        assert service["name"] in dom.stdout
    assert "microservices" in dom.stdout

    shot = tmp_path / "report.png"
    result = _chromium(f"--screenshot={shot}", url, profile=tmp_path / "profile-shot")
    assert result.returncode == 0, result.stderr[-2000:]
    width, height, rows, bpp = decode_png(shot.read_bytes())
    assert (width, height) == (1400, 2400)
    colours = {row[i : i + 3] for row in rows for i in range(0, len(row), bpp)}
    assert len(colours) > 20, "the screenshot is (nearly) blank"

    def seen(colour: str) -> bool:
        r, g, b = _rgb(colour)
        return any(abs(c[0] - r) <= 3 and abs(c[1] - g) <= 3 and abs(c[2] - b) <= 3 for c in colours)

    names = sorted(s["name"] for s in plan["services"])
    service_colours = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    assert sum(seen(c) for c in service_colours) >= 3, "the service colours did not render"
    assert seen(SHARED_COLOUR)
