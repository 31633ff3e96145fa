"""The capability manifest (capabilities.json / README) must match the code."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "streamshop"


def _top_level_symbols() -> set[str]:
    symbols: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                symbols.add(f"{module}.{node.name}")
    return symbols


def _manifest() -> dict:
    return json.loads((ROOT / "capabilities.json").read_text(encoding="utf-8"))


def test_every_symbol_is_listed_exactly_once() -> None:
    manifest = _manifest()
    listed = [name for names in manifest["capabilities"].values() for name in names]
    listed += manifest["shared"]
    duplicates = sorted({name for name in listed if listed.count(name) > 1})
    assert duplicates == []
    code = _top_level_symbols()
    assert sorted(code - set(listed)) == [], "symbols missing from capabilities.json"
    assert sorted(set(listed) - code) == [], "capabilities.json lists symbols that do not exist"


def test_capabilities_are_the_documented_seven() -> None:
    assert set(_manifest()["capabilities"]) == {
        "accounts",
        "catalog",
        "orders",
        "payments",
        "streaming",
        "recommendations",
        "notifications",
    }


def test_readme_lists_the_same_symbols() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Capabilities", 1)[1]
    in_readme = set(re.findall(r"`(streamshop\.[A-Za-z0-9_.]+)`", section))
    manifest = _manifest()
    listed = {name for names in manifest["capabilities"].values() for name in names}
    assert in_readme == listed | set(manifest["shared"])


def test_suggestion_differences_name_listed_symbols_with_a_reason() -> None:
    manifest = _manifest()
    listed = {name for names in manifest["capabilities"].values() for name in names}
    listed |= set(manifest["shared"])
    seen: list[str] = []
    for difference in manifest["suggestion_differences"]:
        assert difference["why"].strip()
        assert difference["symbols"]
        seen += difference["symbols"]
    assert sorted(set(seen) - listed) == []
    assert len(seen) == len(set(seen)), "a symbol is listed under two differences"
