"""Carve one module down to the top-level symbols a service keeps.

Everything else about the module stays as written — formatting, comments,
docstring — but definitions the service does not own are removed, and so
are the module-level statements and imports that only they needed. A kept
symbol that uses a removed one is reported as ``unresolved``: that is a
call into another service, for the next transform to route over HTTP.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True, slots=True)
class CarveResult:
    code: str
    kept: tuple[str, ...]
    removed: tuple[str, ...]
    #: names kept code uses that only removed definitions provided
    unresolved: tuple[str, ...]
    #: ``from X import name`` that stayed: (X with its leading dots, name)
    imported: tuple[tuple[str, str], ...] = ()


class _Names(cst.CSTVisitor):
    """Every name a statement mentions, and the names it binds at module level."""

    def __init__(self) -> None:
        self.uses: set[str] = set()
        self.binds: set[str] = set()
        self._depth = 0  # inside a def/class/lambda/comprehension, bindings are not module-level

    def visit_Name(self, node: cst.Name) -> None:
        self.uses.add(node.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._depth == 0:
            self.binds.add(node.name.value)
        self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self._depth == 0:
            self.binds.add(node.name.value)
        self._depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._depth += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._depth -= 1

    def _targets(self, node: cst.BaseExpression) -> None:
        if self._depth:
            return
        if isinstance(node, cst.Name):
            self.binds.add(node.value)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._targets(element.value)
        elif isinstance(node, cst.StarredElement):
            self._targets(node.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._targets(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._targets(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._targets(node.name.name)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if self._depth:
            return
        if node.asname is not None and isinstance(node.asname.name, cst.Name):
            self.binds.add(node.asname.name.value)
        else:
            name = node.name
            while isinstance(name, cst.Attribute):
                name = name.value  # type: ignore[assignment]
            if isinstance(name, cst.Name):
                self.binds.add(name.value)


def _names(node: cst.CSTNode) -> _Names:
    visitor = _Names()
    node.visit(visitor)
    return visitor


# A unit generator carves the same parsed module once per unit: the names each
# statement uses and binds are worked out once per module (keyed by identity,
# holding the module so the key stays valid).
_NAMES_CACHE: dict[int, tuple[cst.Module, list[_Names]]] = {}
_NAMES_CACHE_SIZE = 4096


def _statement_names(module: cst.Module) -> list[_Names]:
    hit = _NAMES_CACHE.get(id(module))
    if hit is not None and hit[0] is module:
        return hit[1]
    info = [_names(s) for s in module.body]
    if len(_NAMES_CACHE) >= _NAMES_CACHE_SIZE:
        _NAMES_CACHE.clear()
    _NAMES_CACHE[id(module)] = (module, info)
    return info


def _alias_binding(alias: cst.ImportAlias) -> str | None:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    name: cst.BaseExpression = alias.name
    while isinstance(name, cst.Attribute):
        name = name.value
    return name.value if isinstance(name, cst.Name) else None


def _aliased_name(statement: cst.CSTNode) -> str | None:
    """``B`` of a module-level ``A = B`` that only gives ``B`` another name."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
            and isinstance(small.value, cst.Name)
        ):
            return small.value.value
    return None


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _import_statement(statement: cst.CSTNode) -> cst.Import | cst.ImportFrom | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            return small
    return None


def _filter_import(
    statement: cst.SimpleStatementLine,
    node: cst.Import | cst.ImportFrom,
    needed: set[str],
    modules: Collection[str] = (),
    package: str = "",
) -> cst.SimpleStatementLine | None:
    if isinstance(node, cst.ImportFrom):
        if isinstance(node.module, cst.Name) and node.module.value == "__future__":
            return statement
        if isinstance(node.names, cst.ImportStar):
            return statement
    names = node.names
    assert not isinstance(names, cst.ImportStar)
    kept = [
        alias
        for alias in names
        if _alias_binding(alias) in needed or _imported_module(node, alias, package) in modules
    ]
    if not kept:
        return None
    if len(kept) == len(names):
        return statement
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    if isinstance(node, cst.ImportFrom):
        # a parenthesised list keeps its parentheses only when it still spans lines
        new_node: cst.Import | cst.ImportFrom = node.with_changes(names=kept)
        if node.lpar is not None and len(kept) == 1:
            new_node = node.with_changes(names=kept, lpar=None, rpar=None)
    else:
        new_node = node.with_changes(names=kept)
    return statement.with_changes(body=[new_node])


def _imported_module(node: cst.Import | cst.ImportFrom, alias: cst.ImportAlias, package: str) -> str:
    """The dotted name an import alias would name if it were a module (``from . import views``)."""
    if isinstance(node, cst.Import):
        return _dotted(alias.name)
    base = _dotted(node.module) if node.module is not None else ""
    if node.relative:
        parts = package.split(".") if package else []
        parts = parts[: len(parts) - (len(node.relative) - 1)] if len(node.relative) > 1 else parts
        base = ".".join([*parts, base] if base else parts)
    return f"{base}.{_dotted(alias.name)}" if base else _dotted(alias.name)


def _filter_all(statement: cst.BaseStatement, remaining: set[str]) -> cst.BaseStatement:
    """``__all__ = [...]`` lists only the names still defined."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return statement
    small = statement.body[0]
    if not (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and small.targets[0].target.value == "__all__"
        and isinstance(small.value, (cst.List, cst.Tuple))
    ):
        return statement
    elements = [
        e
        for e in small.value.elements
        if not isinstance(e.value, cst.SimpleString) or e.value.evaluated_value in remaining
    ]
    if elements:
        elements[-1] = elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return statement.with_changes(
        body=[small.with_changes(value=small.value.with_changes(elements=elements))]
    )


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return node.value if isinstance(node, cst.Name) else ""


# Printing is most of a carve's cost, and a unit generator prints the same
# statements of a module once per unit: each statement's text is kept, by identity.
_TEXT_CACHE: dict[int, tuple[cst.CSTNode, str]] = {}
_TEXT_CACHE_SIZE = 200_000


def _text(module: cst.Module, node: cst.CSTNode) -> str:
    hit = _TEXT_CACHE.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    text = module.code_for_node(node)
    if len(_TEXT_CACHE) >= _TEXT_CACHE_SIZE:
        _TEXT_CACHE.clear()
    _TEXT_CACHE[id(node)] = (node, text)
    return text


def _code(module: cst.Module, body: list[cst.BaseStatement]) -> str:
    """``module.with_changes(body=body).code``, printing each statement once per process."""
    head = module.code_for_node(module.with_changes(body=[], footer=[])) if module.header else ""
    tail = module.code_for_node(module.with_changes(body=[], header=[])) if module.footer else ""
    return head + "".join(_text(module, statement) for statement in body) + tail


def _stub_statements(code: str, replaced: cst.CSTNode) -> list[cst.BaseStatement]:
    """A stub's statements, its leading comment kept and spaced as the definition it replaces was."""
    stub = cst.parse_module(code)
    body: list[cst.BaseStatement] = list(stub.body)
    if body:
        spacing = [line for line in getattr(replaced, "leading_lines", ()) if line.comment is None]
        lines = [*(spacing or [cst.EmptyLine()]), *(line for line in stub.header if line.comment is not None)]
        first = body[0]
        assert isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
        body[0] = first.with_changes(leading_lines=[*lines, *first.leading_lines])
    return body


def carve_module(
    source: str | cst.Module,
    keep: Collection[str],
    *,
    stubs: Mapping[str, str] | None = None,
    keep_orphans: bool = False,
    keep_imports: bool = False,
    modules: Collection[str] = (),
    package: str = "",
    reexported: Collection[str] = (),
) -> CarveResult:
    """Keep the top-level definitions named in ``keep`` and what they need.

    ``stubs`` maps a removed definition's name to code put where it stood
    (a client for the service that now owns it); a stubbed name stays bound,
    so the code that uses it is kept. With ``keep_orphans`` module-level
    statements no kept code here needs stay unless they use a removed
    definition: other modules may import what they bind. With ``keep_imports``
    every import stays (a package's ``__init__`` imports to register or re-export).
    An import of one of ``modules`` stays whether used or not: importing a module
    can register routes or models, and every module exists in every unit
    (``package`` is the package relative imports start from). An import binding one
    of ``reexported`` stays too: other modules import that name from this one.

    >>> result = carve_module("import os\\ndef a():\\n    return os.sep\\ndef b():\\n    return 1\\n", {"a"})
    >>> print(result.code, end="")
    import os
    def a():
        return os.sep
    >>> result.removed
    ('b',)
    """
    module = cst.parse_module(source) if isinstance(source, str) else source
    stubs = stubs or {}
    statements = list(module.body)
    info = _statement_names(module)
    defs = {
        s.name.value: i for i, s in enumerate(statements) if isinstance(s, (cst.FunctionDef, cst.ClassDef))
    }
    dropped_defs = {name for name in defs if name not in keep}
    stubbed = {name: i for name, i in defs.items() if name in dropped_defs and name in stubs}
    stub_nodes = {i: _stub_statements(stubs[name], statements[i]) for name, i in stubbed.items()}
    dropped_defs -= set(stubbed)
    keep_index: set[int] = {i for name, i in defs.items() if name in keep}
    for i, statement in enumerate(statements):
        if i == 0 and _is_docstring(statement):
            keep_index.add(i)
    imports = {i for i, s in enumerate(statements) if _import_statement(s) is not None}

    # what a statement cannot use any more: removed definitions, and (when orphans
    # stay) whatever module-level statements built from them. A stub stands in for
    # calls from kept code; code that ran at import against the original does not stay.
    unavailable = set(dropped_defs) | (set(stubbed) if keep_orphans else set())
    # ``TplCanDeletePost = TplCanEditPost``: another name for a stub is the stub, and other
    # modules may import it by that name
    stub_names = set(stubbed)
    uses_of = [
        info[i].uses - stub_names if _aliased_name(statement) in stub_names else info[i].uses
        for i, statement in enumerate(statements)
    ]
    while keep_orphans:
        grown = False
        for i, statement in enumerate(statements):
            if i in imports or isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                continue
            if uses_of[i] & unavailable and not info[i].binds <= unavailable:
                unavailable |= info[i].binds
                grown = True
        if not grown:
            break
    needed: set[str] = set()
    for i in keep_index:
        needed |= info[i].uses
    changed = True
    while changed:
        changed = False
        for i, statement in enumerate(statements):
            if i in keep_index or i in imports or isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                continue
            binds, uses = info[i].binds, uses_of[i]
            # module-level code that binds what kept code needs, or that runs on its own
            # (a bare call, a main guard) without touching what was removed
            wanted = (
                bool(binds & needed)
                or binds == {"__all__"}
                or ((not binds or keep_orphans) and not (uses & unavailable))
            )
            if wanted and not (binds and binds <= dropped_defs):
                keep_index.add(i)
                if binds != {"__all__"}:  # __all__ names symbols; it is filtered, not followed
                    needed |= uses
                changed = True
    remaining = {name for name in defs if name in keep} | set(stubbed)
    for i in keep_index:
        remaining |= info[i].binds
    imported_names = needed | set(reexported)
    body: list[cst.BaseStatement] = []
    for i, statement in enumerate(statements):
        node = _import_statement(statement)
        if node is not None:
            assert isinstance(statement, cst.SimpleStatementLine)
            filtered = (
                statement
                if keep_imports
                else _filter_import(statement, node, imported_names, modules, package)
            )
            if filtered is not None:
                body.append(filtered)
        elif i in stub_nodes:
            body.extend(stub_nodes[i])
        elif i in keep_index:
            body.append(_filter_all(statement, remaining))
    unresolved = sorted((needed & dropped_defs) - remaining)
    imported: list[tuple[str, str]] = []
    for kept_statement in body:
        node = _import_statement(kept_statement)
        if isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
            source = "." * len(node.relative) + (_dotted(node.module) if node.module is not None else "")
            imported.extend(
                (source, alias.name.value) for alias in node.names if isinstance(alias.name, cst.Name)
            )
    return CarveResult(
        code=_code(module, body),
        kept=tuple(sorted(name for name in defs if name in keep)),
        removed=tuple(sorted(dropped_defs | set(stubbed))),
        unresolved=tuple(unresolved),
        imported=tuple(imported),
    )


def top_level_names(source: str) -> list[str]:
    """Names of the top-level classes and functions of ``source``, in order."""
    module = cst.parse_module(source)
    return [s.name.value for s in module.body if isinstance(s, (cst.FunctionDef, cst.ClassDef))]
