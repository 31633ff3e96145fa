"""Patching the last result after an edit gives exactly what a full analysis gives.

Each test copies a real tree, analyses it with a cache, then applies edits
one after another. After each edit the cached analysis (which patches the
last result when the edited modules' interfaces are unchanged) must equal an
analysis of the same tree with ``--no-cache``: graph (nodes, attributes,
edges and their attributes, in order), problems, unresolved imports, call
statistics and summary. Each edit also states which way it must have gone,
so a patch that silently fell back to a full run would not pass unnoticed.
"""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path

import click
import pytest

from analyzer import Analysis, analyze, load_options
from analyzer.facts import Definition, ImportFact, ModuleFacts
from analyzer.frameworks import default_frameworks
from analyzer.graph import build_parts
from analyzer.resolve import Resolver
from tests.conftest import WriteTree

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_monolith"
CLICK = Path(click.__file__).resolve().parent

Edit = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    name: str
    edit: Edit
    patched: bool  # True: only the edited module is resolved again; False: the whole program


def _comparable(analysis: Analysis) -> Analysis:
    """The analysis without how this run got it (parsed, reused, from cache, resolved)."""
    return replace(analysis, parsed=0, reused=0, from_cache=False, resolved=0, _graph=[])


def _function(tree: ast.Module, qualname: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    scope: list[ast.stmt] = tree.body
    node: ast.AST | None = None
    for part in qualname.split("."):
        node = next(
            (
                n
                for n in scope
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == part
            ),
            None,
        )
        assert node is not None, f"{qualname}: no {part}"
        scope = node.body  # type: ignore[attr-defined]
    assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)), qualname
    return node


def insert_statement(rel: str, qualname: str, statement: str) -> Edit:
    """Insert ``statement`` as the first statement of a function (after its docstring)."""

    def edit(root: Path) -> None:
        path = root / rel
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        first = _function(ast.parse("".join(lines)), qualname).body[0]
        docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
        at = (first.end_lineno or first.lineno) if docstring else first.lineno - 1
        lines.insert(at, " " * first.col_offset + statement + "\n")
        path.write_text("".join(lines), encoding="utf-8")

    return edit


def remove_call(rel: str, qualname: str, call: str) -> Edit:
    """Replace the statement that is the call ``call(...)`` in a function with ``pass``."""

    def edit(root: Path) -> None:
        path = root / rel
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        func = _function(ast.parse("".join(lines)), qualname)
        found = [
            s
            for s in ast.walk(func)
            if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and ast.unparse(s.value.func) == call
        ]
        assert found, f"{qualname}: no call to {call}"
        statement = found[0]
        end = statement.end_lineno or statement.lineno
        lines[statement.lineno - 1 : end] = [" " * statement.col_offset + "pass\n"]
        path.write_text("".join(lines), encoding="utf-8")

    return edit


def replace_text(rel: str, pattern: str, replacement: str) -> Edit:
    def edit(root: Path) -> None:
        path = root / rel
        text, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), flags=re.MULTILINE)
        assert count, f"{rel}: {pattern!r} not found"
        path.write_text(text, encoding="utf-8")

    return edit


def comments_and_blank_lines(rel: str) -> Edit:
    """Comments and blank lines at the top, between statements and at the end: only line numbers change."""

    def edit(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        statements = ast.parse(text).body
        middle = statements[len(statements) // 2]
        first_line = min([middle.lineno, *(d.lineno for d in getattr(middle, "decorator_list", []))])
        lines = text.splitlines(keepends=True)
        lines.insert(first_line - 1, "\n# a comment between statements\n\n")
        path.write_text("# edited\n\n" + "".join(lines) + "\n# trailing comment\n", encoding="utf-8")

    return edit


def append(rel: str, text: str) -> Edit:
    def edit(root: Path) -> None:
        path = root / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return edit


CHECKOUT = "streamshop/services/checkout.py"

SAMPLE_CASES = [
    Case("body: a new statement", insert_statement(CHECKOUT, "get_or_create_cart", "len(())"), patched=True),
    Case(
        "body: a call to another module's function",
        insert_statement(CHECKOUT, "get_or_create_cart", "account.get_user(session, user_id)"),
        patched=True,
    ),
    Case("body: a call removed", remove_call(CHECKOUT, "get_or_create_cart", "session.flush"), patched=True),
    Case(
        "body: a local variable nothing returns",
        insert_statement(CHECKOUT, "get_or_create_cart", "shown = format_cents(0)"),
        patched=True,
    ),
    Case(
        "interface: a local variable the function returns",
        insert_statement(CHECKOUT, "get_or_create_cart", "cart = Cart(user_id=0)"),
        patched=False,
    ),
    Case(
        # ``x.add(y)`` puts y in x, for the resolver a binding of x: conservatively, an interface change
        "interface: an item added to a local collection removed",
        remove_call(CHECKOUT, "get_or_create_cart", "session.add"),
        patched=False,
    ),
    Case("comments and blank lines", comments_and_blank_lines(CHECKOUT), patched=True),
    Case(
        # only code naming it can see it: no other module's source does
        "interface: a new function no other module names",
        append(CHECKOUT, "\n\ndef _new_helper(session):\n    return get_or_create_cart(session, 1)\n"),
        patched=True,
    ),
    Case(
        "body: another module starts calling the new function",
        insert_statement("streamshop/blueprints/cart.py", "get_cart", "checkout._new_helper(get_session())"),
        patched=True,
    ),
    Case(
        "interface: a new function whose name other modules use",
        append(CHECKOUT, "\n\ndef get_user(session):\n    return None\n"),
        patched=False,
    ),
    Case(
        "interface: a new decorated function (it could be a route)",
        append(CHECKOUT, "\n\n@staticmethod\ndef _decorated_helper():\n    return 1\n"),
        patched=False,
    ),
    Case(
        "interface: a new class (it could be a model)",
        append(CHECKOUT, "\n\nclass _NewThing:\n    pass\n"),
        patched=False,
    ),
    Case(
        "interface: an import renamed",
        lambda root: (
            replace_text(
                CHECKOUT,
                r"^from \.catalog import get_product, ",
                "from .catalog import get_product as fetch, ",
            )(root),
            replace_text(CHECKOUT, r"\bget_product\(", "fetch(")(root),
        ),
        patched=False,
    ),
]

CLICK_CASES = [
    Case(
        "body: a new statement in a method",
        insert_statement("core.py", "Context.get_usage", "len(())"),
        patched=True,
    ),
    Case(
        "body: a call to another module's function",
        insert_statement("core.py", "Context.exit", "make_str(code)"),
        patched=True,
    ),
    Case("body: a call removed", remove_call("core.py", "Context.exit", "self.close"), patched=True),
    Case(
        "body: a local variable nothing returns",
        insert_statement("core.py", "Context.get_usage", "width = len(self.info_name or '')"),
        patched=True,
    ),
    Case(
        "interface: a local variable the function returns",
        insert_statement("utils.py", "make_str", "value = repr(value)"),
        patched=False,
    ),
    Case("comments and blank lines", comments_and_blank_lines("core.py"), patched=True),
    Case(
        "body: two modules edited at once",
        lambda root: (
            insert_statement("utils.py", "make_str", "len(())")(root),
            insert_statement("termui.py", "style", "len(())")(root),
        ),
        patched=True,
    ),
    Case(
        "interface: a new function no other module names",
        append("utils.py", "\n\ndef brand_new() -> str:\n    return make_str(1)\n"),
        patched=True,
    ),
    Case(
        "interface: an import renamed",
        lambda root: (
            replace_text("core.py", r"^from \.utils import echo$", "from .utils import echo as say")(root),
            replace_text("core.py", r"\becho\(", "say(")(root),
        ),
        patched=False,
    ),
]


def _check_edits(source: Path, cases: list[Case], tmp_path: Path) -> None:
    tree = tmp_path / source.name
    shutil.copytree(source, tree, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "instance"))
    cached = load_options(tree, cache_dir=tmp_path / "cache")
    analyze(tree, cached)
    for case in cases:
        case.edit(tree)
        patched = analyze(tree, cached)
        full = analyze(tree, load_options(tree, use_cache=False))
        assert _comparable(patched) == _comparable(full), case.name
        assert patched.parsed >= 1, case.name
        if case.patched:
            assert 0 < patched.resolved <= 2, f"{case.name}: expected a patch, resolved {patched.resolved}"
        else:
            assert patched.resolved == full.resolved, f"{case.name}: expected a full run"
        assert analyze(tree, cached).from_cache, case.name  # and the patched result was cached


def test_edits_to_the_sample_monolith(tmp_path: Path) -> None:
    _check_edits(SAMPLE, SAMPLE_CASES, tmp_path)


def test_edits_to_click(tmp_path: Path) -> None:
    _check_edits(CLICK, CLICK_CASES, tmp_path)


def test_the_interface_covers_every_field_of_definitions_and_imports() -> None:
    """A new field of these facts must be placed: in the interface, or not (with a reason)."""
    assert [f.name for f in fields(Definition)] == [
        "qualname", "kind", "line", "end_line", "decorators", "bases", "params", "returns", "is_async",
    ]  # fmt: skip
    assert [f.name for f in fields(ImportFact)] == [
        "scope", "module", "name", "bound", "level", "line", "type_checking", "conditional",
    ]  # fmt: skip
    assert [f.name for f in fields(ModuleFacts)] == [
        "module", "path", "is_package", "lines", "definitions", "imports", "bindings", "attr_bindings",
        "calls", "returns", "references", "subscripts", "sql", "stores", "loads",
        "value_loads",  # not interface: the functions a module's own code names as values are its edges
        "attribute_loads",  # not interface: which columns a module's own code reads is local
        "globals", "all_names",
        "names",  # not interface: what other modules' sources name decides whether a new function matters
    ]  # fmt: skip


@pytest.mark.parametrize("source", [SAMPLE, CLICK], ids=["sample", "click"])
def test_resolution_does_not_depend_on_the_order_of_questions(source: Path) -> None:
    """What the graph says is the same whichever modules' code was resolved first.

    Patching relies on it: a module resolved alone must get the answers it gets in a full run.
    """
    from analyzer.discovery import discover, read_source
    from analyzer.scan import Job, extract_job

    options = load_options(source, use_cache=False)
    facts = []
    for found in discover(source, options).files:
        data = read_source(found, options.max_file_bytes)
        assert isinstance(data, bytes)
        result = extract_job(Job(data, found.module, found.rel, found.is_package))
        if isinstance(result, ModuleFacts):
            facts.append(result)

    def graph(order: list[str]) -> object:
        frameworks = default_frameworks()
        resolver = Resolver(facts, framework_hooks=frameworks)
        for module in order:  # ask these modules' questions first
            list(resolver.call_sites(module))
        return build_parts(resolver, frameworks=frameworks)

    modules = sorted({f.module for f in facts})
    expected = graph([])
    assert graph(modules[::-1]) == expected
    assert graph(modules[len(modules) // 2 :] + modules[: len(modules) // 2]) == expected


HELPER_ROUTES = {
    "board/__init__.py": "",
    "board/helpers.py": """
        def register_view(bp, routes, view_func):
            for route in routes:
                bp.add_url_rule(route, view_func=view_func)
    """,
    "board/views.py": """
        from flask import Blueprint
        from flask.views import MethodView
        from board.helpers import register_view

        bp = Blueprint("board", __name__)

        class Index(MethodView):
            def get(self):
                return ""

        def load(app):
            register_view(bp, ["/"], Index.as_view("index"))
            app.register_blueprint(bp)
    """,
}

HELPER_CASES = [
    Case(
        "body: a new statement in a view",
        insert_statement("board/views.py", "Index.get", "len(())"),
        patched=True,
    ),
    Case(
        # the helper's call is part of the interface: the routes pass sees the new rule
        "interface: a rule added through the helper",
        insert_statement("board/views.py", "load", 'register_view(bp, ["/index"], Index.as_view("home"))'),
        patched=False,
    ),
    Case(
        "interface: a rule added through the helper under another name",
        lambda root: (
            replace_text(
                "board/views.py",
                r"^from board.helpers import register_view$",
                "from board.helpers import register_view, register_view as add",
            )(root),
            insert_statement("board/views.py", "load", 'add(bp, ["/start"], Index.as_view("start"))')(root),
        ),
        patched=False,
    ),
    Case(
        "interface: a rule removed from the helper's call",
        replace_text("board/views.py", r'\["/index"\]', "[]"),
        patched=False,
    ),
]


def test_edits_to_routes_added_through_a_helper(tmp_path: Path, write_tree: WriteTree) -> None:
    source = write_tree(HELPER_ROUTES)
    work = tmp_path / "edited"
    _check_edits(source, HELPER_CASES, work)
    tree = work / source.name
    graph = analyze(tree, load_options(tree, use_cache=False)).graph
    assert {n for n, d in graph.nodes(data=True) if d.get("kind") == "route"} == {
        "route:GET /",
        "route:GET /start",
    }
