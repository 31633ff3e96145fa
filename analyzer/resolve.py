"""Resolve names across modules: from per-file facts to what each name denotes.

The resolver is flow-insensitive: a name means the union of everything it is
ever bound to in its scope. Lookups follow Python's rules (local, enclosing
functions, module globals, builtins; class bodies are not enclosing scopes),
imports are followed lazily through other modules' namespaces, and classes
are searched in C3 method resolution order.

Every question is memoised, and a question that is already being answered
further up the stack answers "unknown" (a *cut*), so import cycles and
self-referential bindings terminate. An answer that a cut touched depends on
where the question was asked from, so it is never memoised: only answers
computed without any cut are, and those are the same whichever order the
questions come in. That makes what one module's code resolves to a function
of that module's facts and the other modules' *interfaces* alone (see
:func:`analyzer.graph.module_interface`), which incremental analysis relies
on. Where an answer chooses between alternatives (a member found or a
submodule; instance attributes or the class body; the first class in the MRO
that binds a name), an answer a cut made incomplete chooses "unknown" rather
than the other branch, for the same reason.

Facts are indexed one module at a time, when a question first reaches that
module: given a loader, the resolver reads only the modules the questions it
is asked lead to.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from analyzer.facts import (
    DEF_MARKER,
    Attr,
    CallFact,
    CallOf,
    Definition,
    Expr,
    ImportFact,
    InstanceOf,
    Item,
    Items,
    ModuleFacts,
    Name,
    Nth,
    Super,
)
from analyzer.values import (
    EMPTY,
    Coll,
    Def,
    Ext,
    ExtInst,
    Inherited,
    Inst,
    Namespace,
    Value,
    Values,
)

_BUILTINS = frozenset(dir(builtins))
_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "cached_classproperty"})

ScopeKey = tuple[str, str]  # (module, scope qualname)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CallSite:
    """One call with what its callee may be."""

    module: str
    scope: str
    caller: str
    fact: CallFact
    values: Values


@dataclass(frozen=True, slots=True)
class UnresolvedImport:
    file: str
    line: int
    module: str
    name: str | None

    def __str__(self) -> str:
        what = f"{self.name} from {self.module}" if self.name else self.module
        return f"{self.file}:{self.line}: cannot resolve import of {what}"


def node_id(module: str, qualname: str) -> str:
    return f"{module}.{qualname}" if qualname else module


class Resolver:
    """Answers "what does this expression denote?" over the whole project.

    ``Resolver(facts)`` holds every module's facts; :meth:`Resolver.lazy`
    reads a module's facts through a loader when a question first reaches it.
    """

    def __init__(self, facts: Sequence[ModuleFacts], *, framework_hooks: Sequence[object] = ()) -> None:
        by_name = {f.module: f for f in facts}
        self._setup(list(by_name), by_name.__getitem__, None, framework_hooks)
        self.modules: Mapping[str, ModuleFacts] = by_name
        for f in facts:
            self._index(f)

    @classmethod
    def lazy(
        cls,
        names: Sequence[str],
        load: Callable[[str], ModuleFacts],
        owners: Mapping[str, str],
        *,
        framework_hooks: Sequence[object] = (),
    ) -> Resolver:
        """A resolver over the modules ``names`` that reads facts only when needed.

        ``load`` returns one module's facts; ``owners`` maps the id of every
        class, function and method of the program to the module defining it
        (one module per id). Whole-program passes (:attr:`definitions`,
        iterating :attr:`modules`) still work: they load every module.
        """
        resolver = cls.__new__(cls)
        resolver._setup(names, load, owners, framework_hooks)
        resolver.modules = _ModulesOnDemand(resolver)
        return resolver

    def _setup(
        self,
        names: Sequence[str],
        load: Callable[[str], ModuleFacts],
        owners: Mapping[str, str] | None,
        hooks: Sequence[object],
    ) -> None:
        self._order = tuple(names)
        self._names = frozenset(names)
        self._load = load
        self._owners = owners
        self.namespaces: set[str] = set()
        for name in self._order:
            parts = name.split(".")
            for i in range(1, len(parts)):
                prefix = ".".join(parts[:i])
                if prefix not in self._names:
                    self.namespaces.add(prefix)
        self.top_level = {name.split(".")[0] for name in self._order}
        self._facts: dict[str, ModuleFacts] = {}
        self._definitions: dict[str, tuple[str, Definition]] = {}
        self._scope_kinds: dict[ScopeKey, str] = {}
        self._bindings: dict[ScopeKey, dict[str, list[Expr | ImportFact]]] = defaultdict(dict)
        self._star_imports: dict[str, list[ImportFact]] = defaultdict(list)
        self._attr_bindings: dict[str, dict[str, list[tuple[str, Expr]]]] = defaultdict(dict)
        self._returns: dict[str, list[Expr]] = defaultdict(list)
        self._hooks = hooks
        self._memo: dict[object, Any] = {}
        # the questions being answered: key → depth on the stack, and per depth
        # the shallowest depth a cut under it reached (depth + 1: none)
        self._active: dict[object, int] = {}
        self._reached: list[int] = []
        self._cuts = 0

    def _index(self, f: ModuleFacts) -> None:
        m = f.module
        self._facts[m] = f
        self._scope_kinds[(m, "")] = "module"
        for d in f.definitions:
            self._definitions[node_id(m, d.qualname)] = (m, d)
            self._scope_kinds[(m, d.qualname)] = "class" if d.kind == "class" else "function"
            if d.returns is not None:
                self._returns[node_id(m, d.qualname)].append(d.returns)
        for b in f.bindings:
            self._bindings[(m, b.scope)].setdefault(b.name, []).append(b.value)
        for imp in f.imports:
            if imp.name == "*":
                if imp.scope == "":
                    self._star_imports[m].append(imp)
                continue
            self._bindings[(m, imp.scope)].setdefault(imp.bound, []).append(imp)
        for ab in f.attr_bindings:
            cls = node_id(m, ab.cls)
            self._attr_bindings[cls].setdefault(ab.attr, []).append((ab.scope, ab.value))
        for r in f.returns:
            self._returns[node_id(m, r.scope)].append(r.value)

    # --- reading facts on demand -------------------------------------------------

    def _need(self, module: str) -> None:
        if module not in self._facts and module in self._names:
            self._index(self._load(module))

    def _need_node(self, node: str) -> None:
        if self._owners is not None:
            owner = self._owners.get(node)
            if owner is not None:
                self._need(owner)

    def _def(self, node: str) -> tuple[str, Definition] | None:
        if self._owners is not None:
            self._need_node(node)
        return self._definitions.get(node)

    def definition(self, node: str) -> tuple[str, Definition] | None:
        """The module defining class, function or method ``node``, and its definition."""
        return self._def(node)

    @property
    def definitions(self) -> Mapping[str, tuple[str, Definition]]:
        """Every definition of the program by node id (reads every module)."""
        for module in self._order:
            self._need(module)
        return self._definitions

    def scope_bindings(self, module: str, scope: str = "") -> Mapping[str, list[Expr | ImportFact]]:
        """What each name is bound to in one scope of ``module``."""
        self._need(module)
        return self._bindings.get((module, scope), {})

    # --- helpers -------------------------------------------------------------

    def kind(self, node: str) -> str | None:
        """``module``, ``class``, ``function`` or ``method`` for a project node id."""
        if node in self._names:
            return "module"
        entry = self._def(node)
        return entry[1].kind if entry else None

    def module_value(self, name: str) -> Values:
        if name in self._names:
            return frozenset({Def(name)})
        if name in self.namespaces:
            return frozenset({Namespace(name)})
        if name.split(".")[0] in self.top_level:
            return EMPTY  # a project module that does not exist
        return frozenset({Ext(name)})

    def absolute_module(self, module: str, imp: ImportFact) -> str | None:
        """The absolute module an import names, or None for a relative import past the top."""
        if imp.level == 0:
            return imp.module
        facts = self.modules[module]
        package = module if facts.is_package else module.rpartition(".")[0]
        parts = package.split(".") if package else []
        up = imp.level - 1
        if up > len(parts):
            return None
        base = parts[: len(parts) - up] if up else parts
        if imp.module:
            base = [*base, imp.module]
        return ".".join(base) if base else None

    # --- the core questions ----------------------------------------------------

    def memoised(self, key: object, compute: Callable[[], T], cut: T) -> T:
        """``compute()``, remembered under ``key`` when no cut touched it.

        A question asked again while it is being answered gets ``cut``: an
        answer that is complete as far as it goes. Whatever a cut touched is
        recomputed when asked again, so no remembered answer depends on the
        order in which questions came.
        """
        found = self._memo.get(key)
        if found is not None:
            return found
        reached = self._reached
        depth = self._active.get(key)
        if depth is not None:
            self._cuts += 1
            if depth < reached[-1]:
                reached[-1] = depth
            return cut
        depth = len(reached)
        self._active[key] = depth
        reached.append(depth + 1)
        try:
            result = compute()
        finally:
            del self._active[key]
            shallowest = reached.pop()
        if shallowest > depth:
            self._memo[key] = result
        elif reached and shallowest < reached[-1]:
            reached[-1] = shallowest
        return result

    @property
    def cut_count(self) -> int:
        """How many cuts so far: unchanged across a computation means its answer is complete."""
        return self._cuts

    def eval(self, module: str, scope: str, expr: Expr) -> Values:
        """Everything ``expr``, written in ``scope`` of ``module``, may denote."""
        tp = type(expr)
        if tp is Name:
            assert isinstance(expr, Name)
            if expr.id.startswith(DEF_MARKER):
                return frozenset({Def(node_id(module, expr.id[len(DEF_MARKER) :]))})
            return self.lookup(module, scope, expr.id)
        if tp is Attr:
            assert isinstance(expr, Attr)
            if isinstance(expr.base, Super):
                return self._super_member(module, scope, expr.attr)
            key = ("attr", module, scope, expr)
            return self.memoised(
                key,
                lambda: _union(self.member(v, expr.attr) for v in self.eval(module, scope, expr.base)),
                EMPTY,
            )
        if tp is CallOf:
            assert isinstance(expr, CallOf)
            call_key = ("call", module, scope, expr)
            return self.memoised(
                call_key,
                lambda: _union(
                    self.call_result(v, expr, module, scope) for v in self.eval(module, scope, expr.func)
                ),
                EMPTY,
            )
        if tp is Item:
            assert isinstance(expr, Item)
            return _union(
                v.items if isinstance(v, Coll) else EMPTY for v in self.eval(module, scope, expr.base)
            )
        if tp is Nth:
            assert isinstance(expr, Nth)
            return self.memoised(("nth", module, scope, expr), lambda: self._nth(module, scope, expr), EMPTY)
        if tp is Items:
            assert isinstance(expr, Items)
            items = _union(self.eval(module, scope, e) for e in expr.items)
            return frozenset({Coll(items)})
        if tp is InstanceOf:
            assert isinstance(expr, InstanceOf)
            result: set[Value] = set()
            for v in self.eval(module, scope, expr.cls):
                if isinstance(v, Def) and self.kind(v.id) == "class":
                    result.add(Inst(v.id))
                elif isinstance(v, Ext):
                    result.add(ExtInst(v.path))
            return frozenset(result)
        return EMPTY

    def _nth(self, module: str, scope: str, expr: Nth) -> Values:
        """Element ``expr.index`` of an unpacked value: a literal tuple, or a function's returned one."""
        base = expr.base
        if isinstance(base, Items):
            return self.eval(module, scope, base.items[expr.index]) if expr.index < len(base.items) else EMPTY
        if isinstance(base, CallOf):
            result: set[Value] = set()
            for func in self.eval(module, scope, base.func):
                if isinstance(func, Def) and self.kind(func.id) in ("function", "method"):
                    entry = self._def(func.id)
                    assert entry is not None
                    fmodule, definition = entry
                    for returned in self._returns.get(func.id, ()):
                        if isinstance(returned, Items) and expr.index < len(returned.items):
                            result |= self.eval(fmodule, definition.qualname, returned.items[expr.index])
            return frozenset(result)
        if isinstance(base, Name):
            # a, b = pair, where pair = (f, g) somewhere in scope
            found = self._binding(module, scope, base.id)
            if found is not None:
                where, bound = found
                return _union(
                    self.eval(module, where, Nth(b, expr.index))
                    for b in bound
                    if not isinstance(b, ImportFact)
                )
        return EMPTY

    def lookup(self, module: str, scope: str, name: str) -> Values:
        key = ("name", module, scope, name)
        return self.memoised(key, lambda: self._lookup(module, scope, name), EMPTY)

    def _binding(self, module: str, scope: str, name: str) -> tuple[str, list[Expr | ImportFact]] | None:
        """The scope that binds ``name`` as seen from ``scope``, and its bindings.

        Python's rule: the scope itself, then enclosing functions and the
        module; class bodies are not enclosing scopes for their methods.
        """
        self._need(module)
        current = scope
        first = True
        while True:
            if first or self._scope_kinds.get((module, current)) != "class":
                bound = self._bindings.get((module, current), {}).get(name)
                if bound is not None:
                    return current, bound
            if not current:
                return None
            first = False
            current = current.rpartition(".")[0]

    def _lookup(self, module: str, scope: str, name: str) -> Values:
        found = self._binding(module, scope, name)
        if found is not None:
            where, bound = found
            return _union(self._binding_value(module, where, b) for b in bound)
        for imp in self._star_imports.get(module, ()):
            target = self.absolute_module(module, imp)
            if target is not None and target in self._names and name in self.exported(target):
                return self.member(Def(target), name)
        if name in _BUILTINS:
            return frozenset({Ext(f"builtins.{name}")})
        return EMPTY

    def _binding_value(self, module: str, scope: str, binding: Expr | ImportFact) -> Values:
        if isinstance(binding, ImportFact):
            return self.import_value(module, binding)
        return self.eval(module, scope, binding)

    def import_value(self, module: str, imp: ImportFact) -> Values:
        key = ("import", module, imp)
        return self.memoised(key, lambda: self._import_value(module, imp), EMPTY)

    def _import_value(self, module: str, imp: ImportFact) -> Values:
        target = self.absolute_module(module, imp)
        if target is None:
            return EMPTY
        if imp.name is None:
            # ``import a.b.c`` binds ``a``; ``import a.b.c as x`` binds ``a.b.c``
            top = target.split(".")[0]
            return self.module_value(top if imp.bound == top else target)
        # ``from . import x`` in a package's __init__ binds x, but cannot be what provides it
        return self.from_import(target, imp.name, skip=imp if target == module else None)

    def from_import(self, target: str, name: str, *, skip: ImportFact | None = None) -> Values:
        if target in self._names:
            cuts = self._cuts
            found = self._module_member(target, name, skip=skip)
            if found:
                return found
            if self._cuts != cuts:
                return EMPTY  # unknown, not known to be missing: do not guess a submodule
            return self.module_value(f"{target}.{name}")
        if target in self.namespaces:
            return self.module_value(f"{target}.{name}")
        if target.split(".")[0] in self.top_level:
            return EMPTY
        return frozenset({Ext(f"{target}.{name}")})

    def module_defines(self, module: str, name: str) -> bool:
        """Whether ``from module import name`` finds something (whatever its value)."""
        if module in self.namespaces or module not in self._names:
            return bool(self.module_value(f"{module}.{name}")) or (
                module not in self.namespaces and module.split(".")[0] not in self.top_level
            )
        if name in self.scope_bindings(module) or f"{module}.{name}" in self._names:
            return True
        if f"{module}.{name}" in self.namespaces:
            return True
        for imp in self._star_imports.get(module, ()):
            target = self.absolute_module(module, imp)
            if target is None:
                continue
            if target not in self._names and target.split(".")[0] not in self.top_level:
                return True  # an external star import may provide it
            if target in self._names and target != module and name in self.exported(target):
                return True
        return False

    def defining_scope(self, module: str, scope: str, name: str, depth: int = 0) -> tuple[str, str] | None:
        """Where ``name``, read in ``scope``, is bound: (module, scope), following ``from x import name``."""
        found = self._binding(module, scope, name)
        if found is None:
            return None
        where, bound = found
        if where == "" and all(isinstance(b, ImportFact) for b in bound):
            imp = bound[0]
            assert isinstance(imp, ImportFact)
            target = self.absolute_module(module, imp)
            if imp.name and target in self._names and depth < 20:
                return self.defining_scope(target, "", imp.name, depth + 1)
            return None
        return (module, where)

    def exported(self, module: str) -> frozenset[str]:
        """Names ``from module import *`` brings in."""
        facts = self.modules[module]
        if facts.all_names is not None:
            return frozenset(facts.all_names)
        names = {n for n in self._bindings.get((module, ""), {}) if not n.startswith("_")}
        for imp in self._star_imports.get(module, ()):
            target = self.absolute_module(module, imp)
            if target in self._names and target != module:
                assert target is not None
                names |= self.exported(target)
        return frozenset(names)

    def _module_member(self, module: str, name: str, *, skip: ImportFact | None = None) -> Values:
        bound = self.scope_bindings(module).get(name)
        if bound is not None:
            return _union(self._binding_value(module, "", b) for b in bound if b != skip)
        for imp in self._star_imports.get(module, ()):
            target = self.absolute_module(module, imp)
            if target is None:
                continue
            if target in self._names:
                if target != module and name in self.exported(target):
                    return self._module_member(target, name)
            elif target.split(".")[0] not in self.top_level and target not in self.namespaces:
                pass  # an external star import may define it; we cannot know
        return EMPTY

    def member(self, value: Value, attr: str) -> Values:
        key = ("member", value, attr)
        return self.memoised(key, lambda: self._member(value, attr), EMPTY)

    def _member(self, value: Value, attr: str) -> Values:
        if isinstance(value, Def):
            kind = self.kind(value.id)
            if kind == "module":
                cuts = self._cuts
                found = self._module_member(value.id, attr)
                if found or self._cuts != cuts:
                    return found
                return self.module_value(f"{value.id}.{attr}")
            if kind == "class":
                return self.class_member(value.id, attr, instance=False)
            return EMPTY
        if isinstance(value, Inst):
            return self.class_member(value.cls, attr, instance=True)
        if isinstance(value, Ext):
            return frozenset({Ext(f"{value.path}.{attr}")})
        if isinstance(value, ExtInst):
            return frozenset({Ext(f"{value.path}.{attr}")})
        if isinstance(value, Inherited):
            return frozenset({Inherited(value.cls, f"{value.path}.{attr}", value.instance)})
        if isinstance(value, Namespace):
            return self.module_value(f"{value.name}.{attr}")
        return EMPTY

    def class_member(self, cls: str, attr: str, *, instance: bool) -> Values:
        cuts = self._cuts
        mro = self.mro(cls)
        if self._cuts != cuts:
            return EMPTY  # an incomplete MRO could name the wrong class first
        if instance:
            for klass in mro:
                assigned = self._attr_bindings.get(klass, {}).get(attr)
                if assigned:
                    module = self._definition_of(klass)[0]
                    found = _union(self.eval(module, scope, value) for scope, value in assigned)
                    if found:
                        return found
                    if self._cuts != cuts:
                        return EMPTY  # unknown, not known to be unset: do not guess from the class body
                    break  # assigned from something unknown: a class-level annotation may tell
        for klass in mro:
            module, definition = self._definition_of(klass)
            bound = self._bindings.get((module, definition.qualname), {}).get(attr)
            if bound is not None:
                values = _union(self._binding_value(module, definition.qualname, b) for b in bound)
                if instance:
                    values = self._through_properties(values)
                return values
        if self.external_bases(cls):
            return frozenset({Inherited(cls, attr, instance)})
        return EMPTY

    def _definition_of(self, node: str) -> tuple[str, Definition]:
        entry = self._def(node)
        assert entry is not None, node
        return entry

    def _through_properties(self, values: Values) -> Values:
        result: set[Value] = set()
        for v in values:
            if isinstance(v, Def) and self._is_property(v.id):
                result |= self.function_returns(v.id)
            else:
                result.add(v)
        return frozenset(result)

    def _is_property(self, node: str) -> bool:
        entry = self._def(node)
        if entry is None:
            return False
        for decorator in entry[1].decorators:
            last = decorator.attr if isinstance(decorator, Attr) else getattr(decorator, "id", None)
            if last in _PROPERTY_DECORATORS:
                return True
        return False

    def _super_member(self, module: str, scope: str, attr: str) -> Values:
        cls = self.enclosing_class(module, scope)
        if cls is None:
            return EMPTY
        cuts = self._cuts
        mro = self.mro(cls)
        if self._cuts != cuts:
            return EMPTY  # an incomplete MRO could name the wrong class first
        for klass in mro[1:]:
            kmodule, definition = self._definition_of(klass)
            bound = self._bindings.get((kmodule, definition.qualname), {}).get(attr)
            if bound is not None:
                return _union(self._binding_value(kmodule, definition.qualname, b) for b in bound)
        if self.external_bases(cls):
            return frozenset({Inherited(cls, attr, True)})
        return EMPTY

    def enclosing_class(self, module: str, scope: str) -> str | None:
        """The class whose method ``scope`` is (or is nested in)."""
        self._need(module)
        current = scope
        while current:
            parent = current.rpartition(".")[0]
            if self._scope_kinds.get((module, parent)) == "class":
                return node_id(module, parent)
            current = parent
        return None

    def call_result(self, value: Value, call: CallOf, module: str, scope: str) -> Values:
        if isinstance(value, Def):
            kind = self.kind(value.id)
            if kind == "class":
                return frozenset({Inst(value.id)})
            if kind in ("function", "method"):
                return self.function_returns(value.id)
            return EMPTY
        if isinstance(value, Inst):
            target = self.class_member(value.cls, "__call__", instance=False)
            return _union(self.function_returns(v.id) for v in target if isinstance(v, Def))
        if isinstance(value, Ext):
            for hook in self._hooks:
                found = hook.call_result(self, value.path, call, module, scope)  # type: ignore[attr-defined]
                if found is not None:
                    return found
            return frozenset({ExtInst(value.path, call, module, scope)})
        if isinstance(value, Inherited):
            return frozenset({Inherited(value.cls, f"{value.path}()", value.instance)})
        return EMPTY

    def returned_parameters(self, func: str) -> frozenset[str]:
        """The parameters of function ``func`` it returns as they are (``return obj``)."""
        found = self._def(func)
        if found is None:
            return frozenset()
        params = {p.name for p in found[1].params}

        def names(expr: Expr) -> Iterator[str]:
            if isinstance(expr, Name):
                yield expr.id
            elif isinstance(expr, Item) and expr.key is None and isinstance(expr.base, Items):
                for item in expr.base.items:  # ``a if test else b``: either
                    yield from names(item)

        return frozenset(n for e in self._returns.get(func, ()) for n in names(e) if n in params)

    def function_returns(self, func: str) -> Values:
        key = ("returns", func)

        def compute() -> Values:
            module, definition = self._definition_of(func)
            return _union(self.eval(module, definition.qualname, e) for e in self._returns.get(func, ()))

        return self.memoised(key, compute, EMPTY)

    # --- classes -----------------------------------------------------------------

    def bases(self, cls: str) -> tuple[list[str], list[str]]:
        """Project base classes (ids) and external base paths of ``cls``, in order."""
        module, definition = self._definition_of(cls)
        project: list[str] = []
        external: list[str] = []
        for base in definition.bases:
            for v in sorted(self.eval(module, definition.scope, base), key=repr):
                if isinstance(v, Def) and self.kind(v.id) == "class" and v.id != cls:
                    project.append(v.id)
                elif isinstance(v, Ext):
                    external.append(v.path)
                elif isinstance(v, ExtInst):
                    external.append(f"{v.path}()")
                elif isinstance(v, Inherited):
                    external.append(f"{v.cls}.{v.path}")
        return project, external

    def mro(self, cls: str) -> tuple[str, ...]:
        """C3 linearisation over project classes (depth-first if C3 fails)."""
        # an inheritance cycle sees the class alone
        return self.memoised(("mro", cls), lambda: self._mro(cls), (cls,))

    def _mro(self, cls: str) -> tuple[str, ...]:
        project, _ = self.bases(cls)
        sequences = [list(self.mro(b)) for b in project] + [list(project)]
        result = [cls]
        while True:
            sequences = [s for s in sequences if s]
            if not sequences:
                break
            for seq in sequences:
                head = seq[0]
                if not any(head in s[1:] for s in sequences):
                    break
            else:
                # inconsistent hierarchy: fall back to depth-first, first seen wins
                for seq in sequences:
                    for k in seq:
                        if k not in result:
                            result.append(k)
                break
            result.append(head)
            for s in sequences:
                if s and s[0] == head:
                    del s[0]
        return tuple(result)

    def external_bases(self, cls: str) -> tuple[str, ...]:
        """External base paths anywhere in ``cls``'s hierarchy."""
        return self.memoised(("external bases", cls), lambda: self._external_bases(cls), ())

    def _external_bases(self, cls: str) -> tuple[str, ...]:
        paths: list[str] = []
        for klass in self.mro(cls):
            for path in self.bases(klass)[1]:
                if path not in paths:
                    paths.append(path)
        return tuple(paths)

    def init_target(self, cls: str) -> str:
        """The ``__init__`` that runs when ``cls`` is called (or the class itself)."""
        for klass in self.mro(cls):
            module, definition = self._definition_of(klass)
            init = node_id(module, f"{definition.qualname}.__init__")
            if self._def(init) is not None:
                return init
        return cls

    def class_literal(self, cls: str, name: str) -> list[Expr]:
        """What ``name`` is bound to directly in the body of ``cls`` (no inheritance)."""
        module, definition = self._definition_of(cls)
        return [
            b
            for b in self._bindings.get((module, definition.qualname), {}).get(name, [])
            if not isinstance(b, ImportFact)
        ]

    # --- one module's code -----------------------------------------------------------

    def call_sites(self, module: str) -> Iterator[CallSite]:
        """The call sites of ``module``, in order, with what each callee may be."""
        for fact in self.modules[module].calls:
            yield CallSite(
                module,
                fact.scope,
                node_id(module, fact.scope),
                fact,
                self.eval(module, fact.scope, fact.func),
            )

    def unresolved_imports(self, module: str) -> list[UnresolvedImport]:
        """The project imports of ``module`` that name nothing."""
        found: list[UnresolvedImport] = []
        facts = self.modules[module]
        for imp in facts.imports:
            target = self.absolute_module(module, imp)
            internal = imp.level > 0 or imp.module.split(".")[0] in self.top_level
            if not internal:
                continue
            if target is None:
                found.append(UnresolvedImport(facts.path, imp.line, "." * imp.level + imp.module, imp.name))
                continue
            if imp.name is None:
                ok = bool(self.module_value(target))
            elif imp.name == "*":
                ok = target in self._names
            else:
                ok = self.module_defines(target, imp.name)
            if not ok:
                shown = "." * imp.level + imp.module
                found.append(UnresolvedImport(facts.path, imp.line, shown, imp.name))
        return found

    def imported_module(self, module: str, imp: ImportFact) -> str | None:
        """The project module an import statement depends on, if any."""
        target = self.absolute_module(module, imp)
        if target is None:
            return None
        if imp.name not in (None, "*"):
            sub = f"{target}.{imp.name}"
            if sub in self._names and not self._module_member(target, imp.name):
                return sub
        while target and target not in self._names:
            if target in self.namespaces:
                return None
            target = target.rpartition(".")[0]
        return target or None


class _ModulesOnDemand(Mapping[str, ModuleFacts]):
    """A lazy resolver's modules: every name is known, facts are read when asked for."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver

    def __getitem__(self, name: str) -> ModuleFacts:
        self._resolver._need(name)
        return self._resolver._facts[name]

    def __contains__(self, name: object) -> bool:
        return name in self._resolver._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._resolver._order)

    def __len__(self) -> int:
        return len(self._resolver._order)


def _union(groups: Iterable[Values]) -> Values:
    result: set[Value] = set()
    for group in groups:
        result |= group
    return frozenset(result)
