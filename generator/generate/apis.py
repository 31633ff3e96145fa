"""The API a unit offers other units: its exported functions, their clients, their OpenAPI document."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import libcst as cst

from generator.codemods.names import called_name
from generator.generate.codebase import Codebase, Parameter

#: parameters the callee supplies itself (a database session never travels)
_CONTEXT_TYPES = ("Session", "scoped_session", "Request")
_SCALARS = {"int": "integer", "float": "number", "str": "string", "bool": "boolean", "bytes": "string"}
_ARRAYS = ("list", "tuple", "set", "frozenset", "Sequence", "Iterable", "Collection", "List", "Tuple", "Set")
_OBJECTS = ("dict", "Mapping", "Dict", "MutableMapping")


@dataclass(frozen=True, slots=True)
class Export:
    """A function of this unit that another unit calls."""

    symbol: str
    module: str
    name: str
    idempotent: bool
    signature: str

    @property
    def alias(self) -> str:
        return "_" + re.sub(r"\W", "_", self.symbol)


def writes_anything(codebase: Codebase, symbol: str, owner: dict[str, str]) -> bool:
    """Whether ``symbol`` or anything it calls inside its own unit writes a table."""
    home = owner.get(symbol)
    pending, seen = [symbol], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if codebase.table_access.get(current, (frozenset(), frozenset()))[1]:
            return True
        pending.extend(d for d in codebase.dependencies.get(current, ()) if owner.get(d) in (home, "shared"))
    return False


def signature(codebase: Codebase, symbol: str) -> str:
    parts = []
    for p in codebase.parameters(symbol):
        prefix = {"var_positional": "*", "var_keyword": "**"}.get(p.kind, "")
        text = prefix + p.name + (f": {p.annotation}" if p.annotation else "")
        parts.append(text if p.required or prefix else text + " = ...")
    returns = codebase.returns(symbol)
    return f"{codebase.symbols[symbol].name}({', '.join(parts)})" + (f" -> {returns}" if returns else "")


def unencodable(codebase: Codebase, caller: str, callee: str) -> frozenset[str]:
    """What calls from ``caller`` to ``callee`` hand over that no service boundary can carry.

    The runtime's codec (``generator/runtime/codec.py``) carries plain data, the
    project's models (as rows or records) and value types, exceptions, a SQLAlchemy
    session and the request (as the callee's context). A Blueprint, the app, an
    engine, a column, a function, a class, a plain object or a context local of this
    request (``g``, the cookie session, ``current_user``) has no wire form: a remote
    call handed one fails (``UnencodableValue``) however the callee is written.
    """
    passed = (codebase.passes(caller, callee) or "").split("; ")
    return frozenset(d for d in passed if d and not _travels(codebase, d))


def _travels(codebase: Codebase, description: str) -> bool:
    """Whether an argument as the analyzer describes it (``analyzer.graph._describe_value``) has a wire form."""
    if description.endswith(" instance"):
        cls = description.removesuffix(" instance")
        top = codebase.top_level(cls) or cls
        return top in codebase.model_tables or top in codebase.value_types
    if description.endswith(" object"):
        path = description.removesuffix(" object")
        last = path.rsplit(".", 1)[-1]
        session = path.split(".", 1)[0] in ("sqlalchemy", "flask_sqlalchemy") and last.endswith(
            ("Session", "scoped_session")
        )
        return session or last.endswith(("Error", "Exception"))
    if description.endswith(" context local"):
        # the request travels as the callee's own request context; the app, ``g``, the cookie
        # session and the user (an anonymous one is no row) stand for this unit's request only
        return description.removesuffix(" context local").rsplit(".", 1)[-1] == "request"
    return False  # "function f", "method C.m", "class C": code is not data


def returns_code(codebase: Codebase, symbol: str) -> bool:
    """Whether function ``symbol`` returns a function it defines or a lambda: a decorator, a closure factory.

    Its result has no wire form, so it runs where it is used; that holds however it is
    reached (a class-based view's ``decorators`` list is applied by Flask, out of sight).
    """
    returned = _returned(codebase, symbol)
    return returned is not None and (returned.lambdas or bool(returned.names & returned.defined))


def returns_service_object(codebase: Codebase, symbol: str) -> str | None:
    """The plain class of the project whose new instance function ``symbol`` returns, if it does.

    ``return PluginAuthenticationManager(current_app.pluggy, db.session)``: an object
    of behaviour, neither a row of a model nor a value type, so nothing the codec can
    carry back; the factory runs where its object is used, like the class itself, even
    one that reads tables (FlaskBB's ``registration_service_factory`` reads its settings):
    a remote call of it could only fail, while here its reads go to replicas.
    """
    returned = _returned(codebase, symbol)
    if returned is None:
        return None
    for used in sorted(codebase.dependencies.get(symbol, ())):
        info = codebase.symbols[used]
        plain = used not in codebase.model_tables and used not in codebase.value_types
        if info.kind == "class" and plain and info.name in returned.constructed:
            return used
    return None


def _returned(codebase: Codebase, symbol: str) -> _ReturnedCode | None:
    """What function ``symbol``'s body returns (None when it is not a function)."""
    definition = codebase.definition(symbol)
    if not isinstance(definition, cst.FunctionDef):
        return None
    returned = _ReturnedCode()
    definition.body.visit(returned)
    return returned


class _ReturnedCode(cst.CSTVisitor):
    """The names a function body returns and the functions it defines, not looking into those."""

    def __init__(self) -> None:
        self.defined: set[str] = set()
        self.names: set[str] = set()
        #: the names called in what it returns (``return Manager(...)``)
        self.constructed: set[str] = set()
        self.lambdas = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.defined.add(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        if isinstance(node.value, cst.Name):
            self.names.add(node.value.value)
        elif isinstance(node.value, cst.Lambda):
            self.lambdas = True
        elif (name := called_name(node.value)) is not None:
            self.constructed.add(name)


def is_context(parameter: Parameter) -> bool:
    annotation = (parameter.annotation or "").strip("\"'")
    return annotation.split(".")[-1].split("[")[0] in _CONTEXT_TYPES


def json_schema(annotation: str | None) -> dict[str, Any]:
    """A JSON schema for a Python annotation, as far as its text tells."""
    if not annotation:
        return {}
    text = annotation.strip().strip("\"'")
    options = [part.strip() for part in _split_top_level(text, "|")]
    if len(options) > 1:
        nullable = "None" in options
        rest = [o for o in options if o != "None"]
        schema = json_schema(rest[0]) if len(rest) == 1 else {"anyOf": [json_schema(o) for o in rest]}
        return {**schema, "nullable": True} if nullable else schema
    head, _, inner = text.partition("[")
    head = head.split(".")[-1]
    if head == "Optional":
        return {**json_schema(inner[:-1]), "nullable": True}
    if head in _SCALARS:
        return {"type": _SCALARS[head]}
    if head in _ARRAYS:
        item = json_schema(_split_top_level(inner[:-1], ",")[0]) if inner else {}
        return {"type": "array", "items": item} if item else {"type": "array"}
    if head in _OBJECTS:
        return {"type": "object"}
    if head == "None":
        return {"nullable": True}
    return {"description": f"a {text}: encoded by monosplit_runtime.codec"}


def _split_top_level(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside brackets: ``dict[str, int] | None`` at ``|``."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == separator and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _openapi_rule(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """``/items/<int:item_id>`` → ``/items/{item_id}`` and its path parameters."""
    params: list[dict[str, Any]] = []

    def replace(match: re.Match[str]) -> str:
        converter, name = (match.group(1) or "string"), match.group(2)
        schema = {"int": {"type": "integer"}, "float": {"type": "number"}}.get(converter, {"type": "string"})
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", replace, rule), params


def openapi_document(
    codebase: Codebase,
    unit: str,
    summary: str,
    exports: list[Export],
    routes: list[tuple[str, str, str]],
    *,
    internal: bool = False,
) -> str:
    """OpenAPI 3.1 for a unit's port: the public routes and probes, or (``internal``) the internal API.

    The public port serves the first as ``/openapi.json``, the internal port
    the second: what other units may call is no business of the public.
    """
    paths: dict[str, dict[str, Any]] = {}
    for method, rule, handler in sorted(routes):
        path, params = _openapi_rule(rule)
        operation: dict[str, Any] = {
            "operationId": handler,
            "summary": f"public route handled by {handler}",
            "responses": {"default": {"description": "as the application answers"}},
        }
        if params:
            operation["parameters"] = params
        paths.setdefault(path, {})[method.lower()] = operation
    for export in exports:
        parameters = [p for p in codebase.parameters(export.symbol) if not is_context(p)]
        positional = [p for p in parameters if p.kind == "positional"]
        properties = {
            p.name: json_schema(p.annotation) for p in parameters if p.kind in ("positional", "keyword")
        }
        request = {
            "type": "object",
            "properties": {
                "args": {
                    "type": "array",
                    "description": "positional arguments, in order: "
                    + (", ".join(p.name for p in positional) or "none"),
                },
                "kwargs": {
                    "type": "object",
                    "properties": properties,
                    "additionalProperties": any(p.kind == "var_keyword" for p in parameters),
                },
            },
            "additionalProperties": False,
        }
        paths[f"/_monosplit/call/{export.symbol}"] = {
            "post": {
                "operationId": export.symbol,
                "summary": export.signature,
                "description": (
                    "Internal API: reads only, safe to retry."
                    if export.idempotent
                    else "Internal API: changes data; not retried after it may have run."
                )
                + " A database session parameter is supplied by this service, never sent.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
                "responses": {
                    "200": {
                        "description": "the result",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"result": json_schema(codebase.returns(export.symbol))},
                                }
                            }
                        },
                    },
                    "400": {"description": "arguments do not match the signature"},
                    "401": {"description": "not signed by a unit of this deployment"},
                    "403": {"description": "the calling unit does not call this function in the plan"},
                    "404": {"description": "no such function is exported"},
                    "default": {"description": "the exception the function raised, encoded"},
                },
            }
        }
    probes = [("/healthz", "liveness"), ("/readyz", "readiness")]
    if internal:
        probes.append(("/metrics", "Prometheus metrics"))
    for probe, text in probes:
        paths.setdefault(probe, {"get": {"summary": text, "responses": {"200": {"description": "ok"}}}})
    title = f"{unit} service" + (
        " (internal API: signed requests of the units that call it)" if internal else ""
    )
    document = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1.0.0", "description": summary},
        "paths": dict(sorted(paths.items())),
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
