"""Extract the facts of one Python file with libcst.

One parse, one cheap codegen pass for line numbers, one walk. The walk does
not use ``CSTVisitor``: libcst's generic visitor dispatches on every node,
whitespace included, and costs more than the parse itself. Instead a walker
descends only through the fields that can hold code and handles the handful
of node types that carry facts.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState

from analyzer.facts import (
    DEF_MARKER,
    OPAQUE,
    Attr,
    AttrBinding,
    Binding,
    CallFact,
    CallOf,
    Definition,
    DefinitionKind,
    Expr,
    ImportFact,
    InstanceOf,
    Item,
    Items,
    Lit,
    ModuleFacts,
    Name,
    Nth,
    Opaque,
    Param,
    ReferenceFact,
    ReturnFact,
    SqlFact,
    StoreFact,
    SubscriptFact,
    Super,
)
from analyzer.sql import tables_in_sql

__all__ = ["ExtractionError", "extract_facts"]


class ExtractionError(Exception):
    """The file cannot be parsed; ``line`` is 0 when unknown."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


# --- line numbers --------------------------------------------------------------

_TRACKED = (cst.FunctionDef, cst.ClassDef, cst.Import, cst.ImportFrom)
_NULL = nullcontext()


class _Span:
    __slots__ = ("key", "start", "state")

    def __init__(self, state: _LineState, key: int) -> None:
        self.state = state
        self.key = key
        self.start = 0

    def __enter__(self) -> None:
        self.start = len(self.state.tokens)

    def __exit__(self, *exc: object) -> None:
        self.state.spans[self.key] = (self.start, len(self.state.tokens))


class _LineState(CodegenState):
    """A codegen state that remembers the token span of a few node types."""

    spans: dict[int, tuple[int, int]]

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> AbstractContextManager[None]:
        if isinstance(node, _TRACKED):
            return _Span(self, id(node))
        return _NULL


def _line_spans(module: cst.Module) -> dict[int, tuple[int, int]]:
    """Map ``id(node)`` of tracked nodes to their 1-based (first, last) line."""
    state = _LineState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.spans = {}
    module._codegen(state)
    tokens = state.tokens
    marks = sorted({i for span in state.spans.values() for i in span})
    line_at: dict[int, int] = {}
    line, pos = 1, 0
    for mark in marks:
        while pos < mark:
            line += tokens[pos].count("\n")
            pos += 1
        line_at[mark] = line
    result: dict[int, tuple[int, int]] = {}
    for key, (start, end) in state.spans.items():
        first = line_at[start]
        # the span ends after the statement's own newline token
        last = line_at[end] - 1 if end > start and tokens[end - 1].endswith("\n") else line_at[end]
        result[key] = (first, max(first, last))
    return result


class _LinesMismatch(Exception):
    """The fast line source disagrees with the tree; use the exact one."""


class _AstLines:
    """Line spans from the standard library's parser, which is several times
    faster than libcst's codegen. It only knows the running interpreter's
    grammar, so newer syntax falls back to :func:`_line_spans`; the spans are
    consumed in source order and checked against the libcst node they are
    for, so a disagreement can never attach a wrong line.
    """

    def __init__(self, data: bytes) -> None:
        tree = ast.parse(data)
        self.spans: list[tuple[str, int, int]] = []
        self._collect(tree.body)
        self.position = 0

    def _collect(self, body: list[ast.stmt]) -> None:
        for node in body:
            tp = type(node)
            if tp is ast.FunctionDef or tp is ast.AsyncFunctionDef or tp is ast.ClassDef:
                self.spans.append((node.name, node.lineno, node.end_lineno or node.lineno))  # type: ignore[attr-defined]
                self._collect(node.body)  # type: ignore[attr-defined]
            elif tp is ast.Import or tp is ast.ImportFrom:
                self.spans.append(("", node.lineno, node.end_lineno or node.lineno))
            else:
                for field in ("body", "handlers", "orelse", "finalbody", "cases"):
                    block = getattr(node, field, None)
                    if block:
                        for item in block:
                            if isinstance(item, (ast.ExceptHandler, ast.match_case)):
                                self._collect(item.body)
                            else:
                                self._collect([item])

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        if self.position >= len(self.spans):
            raise _LinesMismatch
        name, first, last = self.spans[self.position]
        self.position += 1
        expected = node.name.value if isinstance(node, (cst.FunctionDef, cst.ClassDef)) else ""
        if name != expected:
            raise _LinesMismatch
        return first, last


class _CodegenLines:
    """Exact line spans for any syntax libcst parses (slower: a full codegen pass)."""

    def __init__(self, module: cst.Module) -> None:
        self.spans = _line_spans(module)

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        return self.spans.get(id(node), (0, 0))


# --- expressions -----------------------------------------------------------------

_SKIP_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "leading_lines",
        "header",
        "footer",
        "lines_after_decorators",
        "newline",
        "indent",
        "trailing_whitespace",
        "empty_lines",
        "colon",
        "equal",
        "dot",
        "star",
        "operator",
        "default_indent",
        "default_newline",
        "encoding",
        "has_trailing_newline",
        "lbrace",
        "rbrace",
        "lbracket",
        "rbracket",
        "first_line",
        "asynchronous",
        "arrow",
        "star_tok",
    }
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _code_fields(tp: type) -> tuple[str, ...]:
    fields = _FIELDS.get(tp)
    if fields is None:
        fields = tuple(
            f.name
            for f in dataclasses.fields(tp)
            if f.name not in _SKIP_FIELDS and not f.name.startswith("whitespace")
        )
        _FIELDS[tp] = fields
    return fields


def _literal(node: cst.BaseExpression) -> Lit | None:
    if isinstance(node, cst.SimpleString):
        try:
            value: object = node.evaluated_value
        except Exception:  # noqa: BLE001 - odd escapes; not a literal we can use
            return None
        return Lit(value) if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001
            return None
        return Lit(value) if isinstance(value, str) else None
    if isinstance(node, cst.Integer):
        try:
            return Lit(int(node.value.replace("_", ""), 0))
        except ValueError:
            return None
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return Lit({"True": True, "False": False, "None": None}[node.value])
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = _literal(node.expression)
        if inner is not None and isinstance(inner.value, int):
            return Lit(-inner.value)
    return None


def _annotation_expr(node: cst.BaseExpression) -> Expr | _ClassRef | None:
    """The class an annotation names: ``Foo``, ``Optional[Foo]``, ``Foo | None``, ``"Foo"``."""
    if isinstance(node, (cst.Name, cst.Attribute)):
        expr = _dotted(node)
        return expr
    if isinstance(node, cst.SimpleString):
        lit = _literal(node)
        if lit is not None and isinstance(lit.value, str):
            text = lit.value.strip()
            parts = text.split(".")
            if all(p.isidentifier() for p in parts):
                result: Expr = Name(parts[0])
                for part in parts[1:]:
                    result = Attr(result, part)
                return result
        return None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        left = _annotation_expr(node.left)
        right = _annotation_expr(node.right)
        if isinstance(left, _ClassRef) or isinstance(right, _ClassRef):
            return None
        if left is not None and (right is None or right == Lit(None) or right == Name("None")):
            return left
        if right is not None and left in (None, Name("None")):
            return right
        return None
    if isinstance(node, cst.Subscript):
        head = _dotted(node.value)
        if head is not None and _last_name(head) in ("Optional", "Annotated", "Type", "type"):
            first = node.slice[0].slice if node.slice else None
            if isinstance(first, cst.Index):
                inner = _annotation_expr(first.value)
                if inner is None or isinstance(inner, _ClassRef):
                    return None
                # Type[Foo] is the class itself, not an instance of it
                return inner if _last_name(head) in ("Optional", "Annotated") else _ClassRef(inner)
        return None
    return None


def _mapped_attribute(node: cst.AnnAssign) -> Expr | None:
    """``x: Mapped[int]`` with no value (in a class body, SQLAlchemy maps it as a column): an
    instance of ``Mapped`` itself, so the ORM plugin can tell the attribute is a column."""
    annotation = node.annotation.annotation
    if node.value is None and isinstance(annotation, cst.Subscript):
        head = _dotted(annotation.value)
        if head is not None and _last_name(head) == "Mapped":
            return InstanceOf(head)
    return None


class _ClassRef:
    """Marker wrapper: an annotation that denotes the class itself (``type[Foo]``)."""

    __slots__ = ("expr",)

    def __init__(self, expr: Expr) -> None:
        self.expr = expr


def _last_name(expr: Expr) -> str | None:
    if isinstance(expr, Name):
        return expr.id
    if isinstance(expr, Attr):
        return expr.attr
    return None


def _dotted(node: cst.BaseExpression) -> Expr | None:
    if isinstance(node, cst.Name):
        return Name(node.value)
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else Attr(base, node.attr.value)
    return None


def _instance_of(annotation: cst.BaseExpression | None) -> Expr | None:
    if annotation is None:
        return None
    expr = _annotation_expr(annotation)
    if expr is None:
        return None
    if isinstance(expr, _ClassRef):
        return expr.expr
    return InstanceOf(expr)


def _is_type_checking_test(node: cst.BaseExpression) -> bool:
    expr = _dotted(node)
    return expr is not None and _last_name(expr) == "TYPE_CHECKING"


def _relative_module(node: cst.ImportFrom) -> tuple[str, int]:
    level = len(node.relative)
    if node.module is None:
        return "", level
    expr = _dotted(node.module)
    return (_expr_dotted_name(expr) if expr is not None else ""), level


def _expr_dotted_name(expr: Expr) -> str:
    if isinstance(expr, Name):
        return expr.id
    if isinstance(expr, Attr):
        return f"{_expr_dotted_name(expr.base)}.{expr.attr}"
    return ""


# --- the walker ------------------------------------------------------------------


class _Scope:
    __slots__ = ("cls", "global_names", "kind", "qualname", "self_name")

    def __init__(self, qualname: str, kind: str, cls: str | None, self_name: str | None) -> None:
        self.qualname = qualname
        self.kind = kind  # "module", "class", "function"
        self.cls = cls  # qualname of the class whose method this is
        self.self_name = self_name  # first parameter of a method ("self"/"cls")
        self.global_names: set[str] = set()


class _Walker:
    def __init__(self, lines: _AstLines | _CodegenLines) -> None:
        self.lines = lines
        self.definitions: list[Definition] = []
        self.imports: list[ImportFact] = []
        self.bindings: list[Binding] = []
        self.attr_bindings: list[AttrBinding] = []
        self.calls: list[CallFact] = []
        self.returns: list[ReturnFact] = []
        self.references: dict[ReferenceFact, None] = {}
        self.subscripts: dict[SubscriptFact, None] = {}
        self.sql: list[SqlFact] = []
        self.stores: list[StoreFact] = []
        self._names: dict[str, Name] = {}
        self._attrs: dict[tuple[int, str], Attr] = {}
        # lower-case names read inside functions and classes, to find module-level state
        self.loads: dict[tuple[str, str], None] = {}
        self.value_loads: dict[tuple[str, str], None] = {}
        self.attribute_loads: dict[ReferenceFact, None] = {}
        self.globals: list[tuple[str, str]] = []
        self.all_names: tuple[str, ...] | None = None
        self.scope = _Scope("", "module", None, None)
        self.type_checking = 0
        self.conditional = 0
        # Names that stand for something else while walking a lambda or a
        # comprehension: their parameters and loop variables, which are local
        # to it and must not be confused with the enclosing scope's names.
        self.overlay: dict[str, Expr] = {}
        self._stmt: dict[type, Callable[[Any], None]] = {
            cst.FunctionDef: self._function,
            cst.ClassDef: self._class,
            cst.Import: self._import,
            cst.ImportFrom: self._import_from,
            cst.Assign: self._assign,
            cst.AnnAssign: self._ann_assign,
            cst.AugAssign: self._aug_assign,
            cst.Return: self._return,
            cst.For: self._for,
            cst.With: self._with,
            cst.If: self._if,
            cst.Try: self._try,
            cst.TryStar: self._try,
            cst.Global: self._global,
            cst.Expr: self._expr_stmt,
        }

    # statements ----------------------------------------------------------------

    def body(self, statements: Sequence[cst.CSTNode]) -> None:
        for stmt in statements:
            self.statement(stmt)

    def statement(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                self.statement(small)
            return
        handler = self._stmt.get(type(node))
        if handler is not None:
            handler(node)
        else:
            self.generic(node)

    def block(self, node: cst.BaseSuite) -> None:
        if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            self.body(node.body)

    def generic(self, node: cst.CSTNode) -> None:
        """Walk every code-bearing child: statements as statements, the rest as expressions."""
        for name in _code_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                self._child(value)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        self._child(item)

    def _child(self, node: cst.CSTNode) -> None:
        if isinstance(node, (cst.BaseStatement, cst.BaseSmallStatement)):
            self.statement(node)
        elif isinstance(node, cst.BaseSuite):
            self.block(node)
        elif isinstance(node, cst.BaseExpression):
            self.expr(node)
        else:
            self.generic(node)

    def _line(self, node: cst.CSTNode) -> int:
        return self.lines.span(node)[0]

    def _function(self, node: cst.FunctionDef) -> None:
        outer = self.scope
        qualname = f"{outer.qualname}.{node.name.value}" if outer.qualname else node.name.value
        decorators = tuple(self.expr(d.decorator) for d in node.decorators)
        params = self._params(node.params)
        returns = _instance_of(node.returns.annotation) if node.returns else None
        is_method = outer.kind == "class"
        kind: DefinitionKind = "method" if is_method else "function"
        decorator_names = {_last_name(d) for d in decorators}
        first, last = self.lines.span(node)
        self.definitions.append(
            Definition(
                qualname=qualname,
                kind=kind,
                line=first,
                end_line=last,
                decorators=decorators,
                params=params,
                returns=returns,
                is_async=node.asynchronous is not None,
            )
        )
        self._apply_decorators(decorators, Name(node.name.value))
        if not self._is_overload(decorator_names):
            self._bind(node.name.value, _def_ref(qualname))
        self_name = None
        if is_method and params and "staticmethod" not in decorator_names:
            self_name = params[0].name
        self.scope = _Scope(qualname, "function", outer.qualname if is_method else None, self_name)
        if is_method and self_name is not None:
            # "self" is an instance of the class, "cls" the class itself
            cls_expr = _def_ref(outer.qualname)
            value: Expr = cls_expr if "classmethod" in decorator_names else InstanceOf(cls_expr)
            self.bindings.append(Binding(qualname, self_name, value))
        for param in params:
            if param.name != self_name:
                # every parameter is a local name, annotated or not
                self.bindings.append(Binding(qualname, param.name, param.annotation or OPAQUE))
        self.block(node.body)
        self.scope = outer

    @staticmethod
    def _is_overload(decorator_names: set[str | None]) -> bool:
        return "overload" in decorator_names

    def _params(self, params: cst.Parameters) -> tuple[Param, ...]:
        result: list[Param] = []

        def add(param: cst.Param, kind: str) -> None:
            if param.default is not None:
                self.expr(param.default)
            annotation = None
            if param.annotation is not None:
                annotation = _instance_of(param.annotation.annotation)
            elif kind == "star" or kind == "double_star":
                annotation = None
            result.append(Param(param.name.value, annotation, kind))

        for p in (*params.posonly_params, *params.params):
            add(p, "positional")
        if isinstance(params.star_arg, cst.Param):
            add(params.star_arg, "star")
        for p in params.kwonly_params:
            add(p, "keyword")
        if params.star_kwarg is not None:
            add(params.star_kwarg, "double_star")
        return tuple(result)

    def _apply_decorators(self, decorators: tuple[Expr, ...], target: Expr) -> None:
        # Applying a decorator calls it with the decorated object.
        for decorator in reversed(decorators):
            if not isinstance(decorator, Opaque):
                self.calls.append(CallFact(self.scope.qualname, decorator, (target,)))

    def _class(self, node: cst.ClassDef) -> None:
        outer = self.scope
        qualname = f"{outer.qualname}.{node.name.value}" if outer.qualname else node.name.value
        decorators = tuple(self.expr(d.decorator) for d in node.decorators)
        bases = tuple(self.expr(arg.value) for arg in node.bases if arg.keyword is None and arg.star == "")
        for arg in node.keywords:
            self.expr(arg.value)
        first, last = self.lines.span(node)
        self.definitions.append(
            Definition(
                qualname=qualname,
                kind="class",
                line=first,
                end_line=last,
                decorators=decorators,
                bases=bases,
            )
        )
        self._apply_decorators(decorators, Name(node.name.value))
        self._bind(node.name.value, _def_ref(qualname))
        self.scope = _Scope(qualname, "class", None, None)
        self.block(node.body)
        self.scope = outer

    def _import(self, node: cst.Import) -> None:
        line = self._line(node)
        for alias in node.names:
            expr = _dotted(alias.name)
            if expr is None:
                continue
            module = _expr_dotted_name(expr)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            else:
                bound = module.split(".")[0]
            self.imports.append(
                ImportFact(
                    self.scope.qualname,
                    module,
                    None,
                    bound,
                    0,
                    line,
                    self.type_checking > 0,
                    self.conditional > 0,
                )
            )

    def _import_from(self, node: cst.ImportFrom) -> None:
        line = self._line(node)
        module, level = _relative_module(node)
        if isinstance(node.names, cst.ImportStar):
            names: list[tuple[str, str]] = [("*", "*")]
        else:
            names = []
            for alias in node.names:
                if not isinstance(alias.name, cst.Name):
                    continue
                name = alias.name.value
                bound = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    bound = alias.asname.name.value
                names.append((name, bound))
        for name, bound in names:
            self.imports.append(
                ImportFact(
                    self.scope.qualname,
                    module,
                    name,
                    bound,
                    level,
                    line,
                    self.type_checking > 0,
                    self.conditional > 0,
                )
            )

    def _bind(self, name: str, value: Expr) -> None:
        scope = "" if name in self.scope.global_names else self.scope.qualname
        self.bindings.append(Binding(scope, name, value))

    def _target(self, target: cst.BaseExpression, value: Expr, value_node: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, value)
            if target.value == "__all__" and self.scope.kind == "module":
                self.all_names = _string_items(value_node)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = [e.value for e in target.elements]
            if (
                isinstance(value_node, (cst.Tuple, cst.List))
                and len(value_node.elements) == len(elements)
                and isinstance(value, Items)
            ):
                for element, item, item_node in zip(elements, value.items, value_node.elements, strict=True):
                    self._target(element, item, item_node.value)
            else:
                starred = any(isinstance(e, cst.StarredElement) for e in elements)
                for index, element in enumerate(elements):
                    if isinstance(element, cst.StarredElement):
                        self._target(element.value, OPAQUE, None)
                    else:
                        # a, b = make_pair(): the n-th element of what it returns
                        unpacked = OPAQUE if starred or isinstance(value, Opaque) else Nth(value, index)
                        self._target(element, unpacked, None)
        elif isinstance(target, cst.Attribute):
            base = target.value
            scope = self.scope
            if isinstance(base, cst.Name) and scope.self_name == base.value and scope.cls is not None:
                self.attr_bindings.append(AttrBinding(scope.cls, target.attr.value, value, scope.qualname))
            else:
                store = self._expr_quiet(base)
                if not isinstance(store, Opaque):
                    self.stores.append(StoreFact(scope.qualname, store, target.attr.value))
        elif isinstance(target, cst.Subscript):
            self.expr(target)
        elif isinstance(target, cst.StarredElement):
            self._target(target.value, OPAQUE, None)

    def _assign(self, node: cst.Assign) -> None:
        value = self.expr(node.value)
        for target in node.targets:
            self._target(target.target, value, node.value)

    def _ann_assign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            value = self.expr(node.value)
        else:
            value = _instance_of(node.annotation.annotation) or _mapped_attribute(node) or OPAQUE
        self._target(node.target, value, node.value)

    def _aug_assign(self, node: cst.AugAssign) -> None:
        value = self.expr(node.value)
        if isinstance(node.target, cst.Name):
            # ``x += [...]`` adds to what x may hold (``urlpatterns += [...]``)
            self._bind(node.target.value, value)
        else:
            self.expr(node.target)

    def _return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.returns.append(ReturnFact(self.scope.qualname, self.expr(node.value)))

    def _for(self, node: cst.For) -> None:
        iterable = self.expr(node.iter)
        self._target(node.target, Item(iterable), None)
        self.block(node.body)
        if node.orelse is not None:
            self.block(node.orelse.body)

    def _with(self, node: cst.With) -> None:
        for item in node.items:
            value = self.expr(item.item)
            if item.asname is not None:
                # Most context managers return themselves from __enter__.
                self._target(item.asname.name, value, None)
        self.block(node.body)

    def _if(self, node: cst.If) -> None:
        self.expr(node.test)
        type_checking = _is_type_checking_test(node.test)
        self.conditional += 1
        self.type_checking += type_checking
        self.block(node.body)
        self.type_checking -= type_checking
        orelse = node.orelse
        if isinstance(orelse, cst.If):
            self._if(orelse)
        elif orelse is not None:
            self.block(orelse.body)
        self.conditional -= 1

    def _try(self, node: cst.Try | cst.TryStar) -> None:
        self.conditional += 1
        self.block(node.body)
        for handler in node.handlers:
            if handler.type is not None:
                self.expr(handler.type)
            if handler.name is not None:
                # ``except ValidationError as err``: err is an instance of that class
                caught = _dotted(handler.type) if handler.type is not None else None
                self._target(handler.name.name, InstanceOf(caught) if caught else OPAQUE, None)
            self.block(handler.body)
        if node.orelse is not None:
            self.block(node.orelse.body)
        if node.finalbody is not None:
            self.block(node.finalbody.body)
        self.conditional -= 1

    def _global(self, node: cst.Global) -> None:
        for item in node.names:
            self.scope.global_names.add(item.name.value)
            self.globals.append((self.scope.qualname, item.name.value))

    def _expr_stmt(self, node: cst.Expr) -> None:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
            return  # a docstring or bare string: prose, not SQL
        self.expr(node.value)

    # expressions -----------------------------------------------------------------

    def expr(self, node: cst.BaseExpression) -> Expr:
        """Record the calls, references and SQL inside ``node``; return what it denotes."""
        tp = type(node)
        if tp is cst.Name:
            name = node.value  # type: ignore[attr-defined]
            if name in self.overlay:
                return self.overlay[name]
            if name[:1].isupper() and name not in ("True", "False", "None"):
                self.references[ReferenceFact(self.scope.qualname, self._name(name))] = None
            elif name[:1].islower() or name[:1] == "_":
                if self.scope.qualname:
                    self.loads[(self.scope.qualname, name)] = None
                # module level too: a dispatch table (``DECAY_FUNCTIONS = {"linear": linear}``)
                self.value_loads[(self.scope.qualname, name)] = None
            lit = _literal(node)
            return lit if lit is not None else self._name(name)
        if tp is cst.Attribute:
            assert isinstance(node, cst.Attribute)
            base = self._expr_quiet(node.value)
            result = self._attr(base, node.attr.value)
            if not isinstance(base, Opaque) and (node.attr.value.isupper() or _root_is_upper(base)):
                self.references[ReferenceFact(self.scope.qualname, result)] = None
            elif isinstance(base, Name) and isinstance(result, Attr) and node.attr.value[:1].islower():
                self.attribute_loads[ReferenceFact(self.scope.qualname, result)] = None
            return result
        if tp is cst.Call:
            return self._call(node)  # type: ignore[arg-type]
        if tp is cst.SimpleString or tp is cst.ConcatenatedString:
            lit = _literal(node)
            if lit is not None and isinstance(lit.value, str):
                self._maybe_sql(lit.value, node)
                return lit
            return OPAQUE
        if tp is cst.FormattedString:
            assert isinstance(node, cst.FormattedString)
            text = "".join(
                part.value if isinstance(part, cst.FormattedStringText) else " x " for part in node.parts
            )
            self._maybe_sql(text, node)
            self.generic(node)
            return OPAQUE
        if tp is cst.Subscript:
            assert isinstance(node, cst.Subscript)
            base = self.expr(node.value)
            key_lit = None
            for element in node.slice:
                if isinstance(element.slice, cst.Index):
                    value = self.expr(element.slice.value)
                    if isinstance(value, Lit) and isinstance(value.value, str):
                        key_lit = value.value
                else:
                    self.generic(element.slice)
            if key_lit is not None and not isinstance(base, Opaque):
                self.subscripts[SubscriptFact(self.scope.qualname, base, key_lit)] = None
            return Item(base, key_lit)
        if tp is cst.Dict:
            assert isinstance(node, cst.Dict)
            values: list[Expr] = []
            for entry in node.elements:
                if isinstance(entry, cst.DictElement):
                    self.expr(entry.key)
                    values.append(self.expr(entry.value))
                else:
                    self.expr(entry.value)
            return Items(tuple(values))
        if tp is cst.List or tp is cst.Tuple or tp is cst.Set:
            items: list[Expr] = []
            for element in node.elements:  # type: ignore[attr-defined]
                value = self.expr(element.value)
                items.append(OPAQUE if isinstance(element, cst.StarredElement) else value)
            return Items(tuple(items))
        if tp is cst.Await:
            return self.expr(node.expression)  # type: ignore[attr-defined]
        if tp is cst.IfExp:
            assert isinstance(node, cst.IfExp)
            self.expr(node.test)
            body = self.expr(node.body)
            orelse = self.expr(node.orelse)
            # either branch: an element of the two-item collection stands for "one of them"
            return body if body == orelse else Item(Items((body, orelse)))
        if tp is cst.Lambda:
            assert isinstance(node, cst.Lambda)
            saved = dict(self.overlay)
            for param in _lambda_params(node.params):
                self.overlay[param] = OPAQUE
            self.expr(node.body)
            self.overlay = saved
            return OPAQUE
        if tp is cst.NamedExpr:
            assert isinstance(node, cst.NamedExpr)
            value = self.expr(node.value)
            if isinstance(node.target, cst.Name):
                self._bind(node.target.value, value)
            return value
        if tp in (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp):
            self._comprehension(node)
            return OPAQUE
        lit = _literal(node)
        if lit is not None:
            return lit
        self.generic(node)
        return OPAQUE

    def _name(self, name: str) -> Name:
        # One object per distinct name and attribute chain: pickle then stores
        # each once, which halves the objects the cache and workers move.
        found = self._names.get(name)
        if found is None:
            found = self._names[name] = Name(name)
        return found

    def _attr(self, base: Expr, attr: str) -> Attr:
        key = (id(base), attr)
        found = self._attrs.get(key)
        if found is None or found.base is not base:
            found = self._attrs[key] = Attr(base, attr)
        return found

    def _expr_quiet(self, node: cst.BaseExpression) -> Expr:
        """Like expr() but a plain name here is part of a longer reference."""
        if type(node) is cst.Name:
            name = node.value
            if name in self.overlay:
                return self.overlay[name]
            if self.scope.qualname and (name[:1].islower() or name[:1] == "_"):
                self.loads[(self.scope.qualname, name)] = None
            return self._name(name)
        if type(node) is cst.Attribute:
            assert isinstance(node, cst.Attribute)
            return self._attr(self._expr_quiet(node.value), node.attr.value)
        return self.expr(node)

    def _comprehension(self, node: Any) -> None:
        saved = dict(self.overlay)
        for_in = node.for_in
        while for_in is not None:
            iterable = self.expr(for_in.iter)
            target = for_in.target
            if isinstance(target, cst.Name):
                self.overlay[target.value] = Item(iterable)
            else:
                for name in _target_names(target):
                    self.overlay[name] = OPAQUE
            for cond in for_in.ifs:
                self.expr(cond.test)
            for_in = for_in.inner_for_in
        if isinstance(node, cst.DictComp):
            self.expr(node.key)
            self.expr(node.value)
        else:
            self.expr(node.elt)
        self.overlay = saved

    def _call(self, node: cst.Call) -> Expr:
        func_node = node.func
        if isinstance(func_node, cst.Name) and func_node.value == "super" and not node.args:
            return Super()
        if isinstance(func_node, (cst.Name, cst.Attribute)):
            func = self._expr_quiet(func_node)
            self._walk_attr_base(func_node)
            base = func.base if isinstance(func, Attr) else None
            if (
                isinstance(base, Attr)
                and isinstance(base.base, Name)
                and base.base.id != self.scope.self_name
                and not base.attr[:1].isupper()  # upper-case attributes are recorded already
            ):
                # ``cache._registry.get(k)`` reads ``cache._registry`` (not ``self.repo``: an attribute)
                self.references[ReferenceFact(self.scope.qualname, base)] = None
        else:
            func = self.expr(func_node)
        args: list[Expr] = []
        kwargs: list[tuple[str, Expr]] = []
        for arg in node.args:
            value = self.expr(arg.value)
            if arg.keyword is not None:
                kwargs.append((arg.keyword.value, value))
            elif arg.star:
                args.append(OPAQUE)
            else:
                args.append(value)
        call = CallOf(func, tuple(args), tuple(kwargs))
        self.calls.append(CallFact(self.scope.qualname, func, call.args, call.kwargs))
        if isinstance(func, Attr) and isinstance(func.base, Name) and args:
            self._grow_collection(func.base.id, func.attr, args)
        return call

    def _grow_collection(self, name: str, method: str, args: list[Expr]) -> None:
        """``items.append(x)`` makes ``x`` one of what ``items`` holds (for ``for i in items: i()``)."""
        if method in ("append", "add", "appendleft"):
            element = args[0]
        elif method == "insert" and len(args) > 1:
            element = args[1]
        elif method == "extend":
            element = Item(args[0])
        else:
            return
        if name in self.overlay or name == self.scope.self_name:
            return
        self._bind(name, Items((element,)))

    def _walk_attr_base(self, node: cst.BaseExpression) -> None:
        # Only a capitalised root (a class) or upper-case attribute is a reference worth keeping.
        while isinstance(node, cst.Attribute):
            node = node.value
        if isinstance(node, cst.Name) and node.value[:1].isupper():
            self.references[ReferenceFact(self.scope.qualname, Name(node.value))] = None

    def _maybe_sql(self, text: str, node: cst.CSTNode) -> None:
        if len(text) < 10:
            return
        reads, writes = tables_in_sql(text)
        if reads or writes:
            self.sql.append(SqlFact(self.scope.qualname, reads, writes))


def _lambda_params(params: cst.Parameters) -> list[str]:
    names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
    if isinstance(params.star_arg, cst.Param):
        names.append(params.star_arg.name.value)
    if params.star_kwarg is not None:
        names.append(params.star_kwarg.name.value)
    return names


def _target_names(node: cst.BaseExpression) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [name for e in node.elements for name in _target_names(e.value)]
    if isinstance(node, cst.StarredElement):
        return _target_names(node.value)
    return []


def _def_ref(qualname: str) -> Name:
    return Name(DEF_MARKER + qualname)


def _root_is_upper(expr: Expr) -> bool:
    while isinstance(expr, Attr):
        expr = expr.base
    return isinstance(expr, Name) and expr.id[:1].isupper()


def _string_items(node: cst.BaseExpression | None) -> tuple[str, ...] | None:
    if not isinstance(node, (cst.List, cst.Tuple)):
        return None
    names: list[str] = []
    for element in node.elements:
        lit = _literal(element.value)
        if lit is None or not isinstance(lit.value, str):
            return None
        names.append(lit.value)
    return tuple(names)


def _count_lines(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def parse_module(data: bytes) -> cst.Module:
    """Parse ``data`` with libcst, raising :class:`ExtractionError` with a line number."""
    if b"\x00" in data:
        raise ExtractionError("file contains NUL bytes; not Python source")
    try:
        return cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        # CPython's own parser places and words syntax errors better
        # ("Missing parentheses in call to 'print'" for Python 2 code).
        try:
            compile(data, "<monosplit>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except SyntaxError as cpython:
            if cpython.lineno:
                raise ExtractionError(f"syntax error: {cpython.msg}", cpython.lineno) from None
        except (ValueError, RecursionError, MemoryError):
            pass
        message = str(exc.message).splitlines()[0] if exc.message else "invalid syntax"
        raise ExtractionError(f"syntax error: {message}", exc.raw_line) from None
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        raise ExtractionError(f"cannot decode: {exc}") from None
    except RecursionError:
        raise ExtractionError("too deeply nested to parse") from None
    except Exception as exc:  # noqa: BLE001 - the native parser raises plain exceptions too
        raise ExtractionError(f"cannot parse: {type(exc).__name__}: {exc}".splitlines()[0]) from None


def extract_facts(data: bytes, *, module: str, path: str, is_package: bool) -> ModuleFacts:
    """Parse one file and return its facts. Raises :class:`ExtractionError`."""
    tree = parse_module(data)
    try:
        try:
            walker = _Walker(_AstLines(data))
            walker.body(tree.body)
        except (SyntaxError, ValueError, MemoryError, _LinesMismatch):
            walker = _Walker(_CodegenLines(tree))
            walker.body(tree.body)
    except RecursionError:
        raise ExtractionError("too deeply nested to analyse") from None
    lines = _count_lines(data)
    return ModuleFacts(
        module=module,
        path=path,
        is_package=is_package,
        lines=lines,
        definitions=tuple(walker.definitions),
        imports=tuple(walker.imports),
        bindings=tuple(walker.bindings),
        attr_bindings=tuple(walker.attr_bindings),
        calls=tuple(walker.calls),
        returns=tuple(walker.returns),
        references=tuple(walker.references),
        subscripts=tuple(walker.subscripts),
        sql=tuple(walker.sql),
        stores=tuple(walker.stores),
        loads=tuple(walker.loads),
        value_loads=tuple(walker.value_loads),
        attribute_loads=tuple(walker.attribute_loads),
        globals=tuple(walker.globals),
        all_names=walker.all_names,
        names=frozenset(token.decode("ascii") for token in set(_IDENTIFIER.findall(data))),
    )


_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
