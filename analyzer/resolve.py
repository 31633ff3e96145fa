"""Resolve names across modules: from per-file facts to what each name denotes.

The resolver is flow-insensitive: a name means the union of everything it is
ever bound to in its scope. Lookups follow Python's rules (local, enclosing
functions, module globals, builtins; class bodies are not enclosing scopes),
imports are followed lazily through other modules' namespaces, and classes
are searched in C3 method resolution order. Every question is memoised, and
a question that is already being answered further up the stack answers
"unknown" rather than recursing, so import cycles and self-referential
bindings terminate.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

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
    """Answers "what does this expression denote?" over the whole project."""

    def __init__(self, facts: Sequence[ModuleFacts], *, framework_hooks: Sequence[object] = ()) -> None:
        self.modules: dict[str, ModuleFacts] = {f.module: f for f in facts}
        self.namespaces: set[str] = set()
        for name in self.modules:
            parts = name.split(".")
            for i in range(1, len(parts)):
                prefix = ".".join(parts[:i])
                if prefix not in self.modules:
                    self.namespaces.add(prefix)
        self.top_level = {name.split(".")[0] for name in self.modules}
        self.definitions: dict[str, tuple[str, Definition]] = {}
        self.scope_kinds: dict[ScopeKey, str] = {}
        self.bindings: dict[ScopeKey, dict[str, list[Expr | ImportFact]]] = defaultdict(dict)
        self.star_imports: dict[str, list[ImportFact]] = defaultdict(list)
        self.attr_bindings: dict[str, dict[str, list[tuple[str, Expr]]]] = defaultdict(dict)
        self.returns: dict[str, list[Expr]] = defaultdict(list)
        for f in facts:
            self._index(f)
        self._hooks = framework_hooks
        self._memo: dict[object, Values] = {}
        self._busy: set[object] = set()
        self._mro: dict[str, tuple[str, ...]] = {}
        self._ext_bases: dict[str, tuple[str, ...]] = {}

    def _index(self, f: ModuleFacts) -> None:
        m = f.module
        self.scope_kinds[(m, "")] = "module"
        for d in f.definitions:
            self.definitions[node_id(m, d.qualname)] = (m, d)
            self.scope_kinds[(m, d.qualname)] = "class" if d.kind == "class" else "function"
            if d.returns is not None:
                self.returns[node_id(m, d.qualname)].append(d.returns)
        for b in f.bindings:
            self.bindings[(m, b.scope)].setdefault(b.name, []).append(b.value)
        for imp in f.imports:
            if imp.name == "*":
                if imp.scope == "":
                    self.star_imports[m].append(imp)
                continue
            self.bindings[(m, imp.scope)].setdefault(imp.bound, []).append(imp)
        for ab in f.attr_bindings:
            cls = node_id(m, ab.cls)
            self.attr_bindings[cls].setdefault(ab.attr, []).append((ab.scope, ab.value))
        for r in f.returns:
            self.returns[node_id(m, r.scope)].append(r.value)

    # --- helpers -------------------------------------------------------------

    def kind(self, node: str) -> str | None:
        """``module``, ``class``, ``function`` or ``method`` for a project node id."""
        if node in self.modules:
            return "module"
        entry = self.definitions.get(node)
        return entry[1].kind if entry else None

    def module_value(self, name: str) -> Values:
        if name in self.modules:
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

    def _memoised(self, key: object, compute: object) -> Values:
        found = self._memo.get(key)
        if found is not None:
            return found
        if key in self._busy:
            return EMPTY
        self._busy.add(key)
        try:
            result = compute()  # type: ignore[operator]
        finally:
            self._busy.discard(key)
        self._memo[key] = result
        return result

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
            return self._memoised(
                key,
                lambda: _union(self.member(v, expr.attr) for v in self.eval(module, scope, expr.base)),
            )
        if tp is CallOf:
            assert isinstance(expr, CallOf)
            call_key = ("call", module, scope, expr)
            return self._memoised(
                call_key,
                lambda: _union(
                    self.call_result(v, expr, module, scope) for v in self.eval(module, scope, expr.func)
                ),
            )
        if tp is Item:
            assert isinstance(expr, Item)
            return _union(
                v.items if isinstance(v, Coll) else EMPTY for v in self.eval(module, scope, expr.base)
            )
        if tp is Nth:
            assert isinstance(expr, Nth)
            return self._memoised(("nth", module, scope, expr), lambda: self._nth(module, scope, expr))
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
                    fmodule, definition = self.definitions[func.id]
                    for returned in self.returns.get(func.id, ()):
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
        return self._memoised(key, lambda: self._lookup(module, scope, name))

    def _binding(self, module: str, scope: str, name: str) -> tuple[str, list[Expr | ImportFact]] | None:
        """The scope that binds ``name`` as seen from ``scope``, and its bindings.

        Python's rule: the scope itself, then enclosing functions and the
        module; class bodies are not enclosing scopes for their methods.
        """
        current = scope
        first = True
        while True:
            if first or self.scope_kinds.get((module, current)) != "class":
                bound = self.bindings.get((module, current), {}).get(name)
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
        for imp in self.star_imports.get(module, ()):
            target = self.absolute_module(module, imp)
            if target is not None and target in self.modules and name in self.exported(target):
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
        return self._memoised(key, lambda: self._import_value(module, imp))

    def _import_value(self, module: str, imp: ImportFact) -> Values:
        target = self.absolute_module(module, imp)
        if target is None:
            return EMPTY
        if imp.name is None:
            # ``import a.b.c`` binds ``a``; ``import a.b.c as x`` binds ``a.b.c``
            top = target.split(".")[0]
            return self.module_value(top if imp.bound == top else target)
        return self.from_import(target, imp.name)

    def from_import(self, target: str, name: str) -> Values:
        if target in self.modules:
            found = self._module_member(target, name)
            if found:
                return found
            return self.module_value(f"{target}.{name}")
        if target in self.namespaces:
            return self.module_value(f"{target}.{name}")
        if target.split(".")[0] in self.top_level:
            return EMPTY
        return frozenset({Ext(f"{target}.{name}")})

    def module_defines(self, module: str, name: str) -> bool:
        """Whether ``from module import name`` finds something (whatever its value)."""
        if module in self.namespaces or module not in self.modules:
            return bool(self.module_value(f"{module}.{name}")) or (
                module not in self.namespaces and module.split(".")[0] not in self.top_level
            )
        if name in self.bindings.get((module, ""), {}) or f"{module}.{name}" in self.modules:
            return True
        if f"{module}.{name}" in self.namespaces:
            return True
        for imp in self.star_imports.get(module, ()):
            target = self.absolute_module(module, imp)
            if target is None:
                continue
            if target not in self.modules and target.split(".")[0] not in self.top_level:
                return True  # an external star import may provide it
            if target in self.modules and target != module and name in self.exported(target):
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
            if imp.name and target in self.modules and depth < 20:
                return self.defining_scope(target, "", imp.name, depth + 1)
            return None
        return (module, where)

    def exported(self, module: str) -> frozenset[str]:
        """Names ``from module import *`` brings in."""
        facts = self.modules[module]
        if facts.all_names is not None:
            return frozenset(facts.all_names)
        names = {n for n in self.bindings.get((module, ""), {}) if not n.startswith("_")}
        for imp in self.star_imports.get(module, ()):
            target = self.absolute_module(module, imp)
            if target in self.modules and target != module:
                names |= self.exported(target)
        return frozenset(names)

    def _module_member(self, module: str, name: str) -> Values:
        bound = self.bindings.get((module, ""), {}).get(name)
        if bound is not None:
            return _union(self._binding_value(module, "", b) for b in bound)
        for imp in self.star_imports.get(module, ()):
            target = self.absolute_module(module, imp)
            if target is None:
                continue
            if target in self.modules:
                if target != module and name in self.exported(target):
                    return self._module_member(target, name)
            elif target.split(".")[0] not in self.top_level and target not in self.namespaces:
                pass  # an external star import may define it; we cannot know
        return EMPTY

    def member(self, value: Value, attr: str) -> Values:
        key = ("member", value, attr)
        return self._memoised(key, lambda: self._member(value, attr))

    def _member(self, value: Value, attr: str) -> Values:
        if isinstance(value, Def):
            kind = self.kind(value.id)
            if kind == "module":
                found = self._module_member(value.id, attr)
                return found if found else self.module_value(f"{value.id}.{attr}")
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
        mro = self.mro(cls)
        if instance:
            for klass in mro:
                assigned = self.attr_bindings.get(klass, {}).get(attr)
                if assigned:
                    module = self.definitions[klass][0]
                    found = _union(self.eval(module, scope, value) for scope, value in assigned)
                    if found:
                        return found
                    break  # assigned from something unknown: a class-level annotation may tell
        for klass in mro:
            module, definition = self.definitions[klass]
            bound = self.bindings.get((module, definition.qualname), {}).get(attr)
            if bound is not None:
                values = _union(self._binding_value(module, definition.qualname, b) for b in bound)
                if instance:
                    values = self._through_properties(values)
                return values
        if self.external_bases(cls):
            return frozenset({Inherited(cls, attr, instance)})
        return EMPTY

    def _through_properties(self, values: Values) -> Values:
        result: set[Value] = set()
        for v in values:
            if isinstance(v, Def) and self._is_property(v.id):
                result |= self.function_returns(v.id)
            else:
                result.add(v)
        return frozenset(result)

    def _is_property(self, node: str) -> bool:
        entry = self.definitions.get(node)
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
        for klass in self.mro(cls)[1:]:
            kmodule, definition = self.definitions[klass]
            bound = self.bindings.get((kmodule, definition.qualname), {}).get(attr)
            if bound is not None:
                return _union(self._binding_value(kmodule, definition.qualname, b) for b in bound)
        if self.external_bases(cls):
            return frozenset({Inherited(cls, attr, True)})
        return EMPTY

    def enclosing_class(self, module: str, scope: str) -> str | None:
        """The class whose method ``scope`` is (or is nested in)."""
        current = scope
        while current:
            parent = current.rpartition(".")[0]
            if self.scope_kinds.get((module, parent)) == "class":
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

    def function_returns(self, func: str) -> Values:
        key = ("returns", func)

        def compute() -> Values:
            module = self.definitions[func][0]
            qualname = self.definitions[func][1].qualname
            return _union(self.eval(module, qualname, e) for e in self.returns.get(func, ()))

        return self._memoised(key, compute)

    # --- classes -----------------------------------------------------------------

    def bases(self, cls: str) -> tuple[list[str], list[str]]:
        """Project base classes (ids) and external base paths of ``cls``, in order."""
        module, definition = self.definitions[cls]
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
        found = self._mro.get(cls)
        if found is not None:
            return found
        self._mro[cls] = (cls,)  # guards inheritance cycles
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
        found = tuple(result)
        self._mro[cls] = found
        return found

    def external_bases(self, cls: str) -> tuple[str, ...]:
        """External base paths anywhere in ``cls``'s hierarchy."""
        found = self._ext_bases.get(cls)
        if found is not None:
            return found
        self._ext_bases[cls] = ()
        paths: list[str] = []
        for klass in self.mro(cls):
            for path in self.bases(klass)[1]:
                if path not in paths:
                    paths.append(path)
        found = tuple(paths)
        self._ext_bases[cls] = found
        return found

    def init_target(self, cls: str) -> str:
        """The ``__init__`` that runs when ``cls`` is called (or the class itself)."""
        for klass in self.mro(cls):
            module, definition = self.definitions[klass]
            init = node_id(module, f"{definition.qualname}.__init__")
            if init in self.definitions:
                return init
        return cls

    def class_literal(self, cls: str, name: str) -> list[Expr]:
        """What ``name`` is bound to directly in the body of ``cls`` (no inheritance)."""
        module, definition = self.definitions[cls]
        return [
            b
            for b in self.bindings.get((module, definition.qualname), {}).get(name, [])
            if not isinstance(b, ImportFact)
        ]

    # --- whole-program passes ------------------------------------------------------

    def call_sites(self) -> Iterator[CallSite]:
        for module in sorted(self.modules):
            for fact in self.modules[module].calls:
                yield CallSite(
                    module,
                    fact.scope,
                    node_id(module, fact.scope),
                    fact,
                    self.eval(module, fact.scope, fact.func),
                )

    def unresolved_imports(self) -> list[UnresolvedImport]:
        found: list[UnresolvedImport] = []
        for module in sorted(self.modules):
            facts = self.modules[module]
            for imp in facts.imports:
                target = self.absolute_module(module, imp)
                internal = imp.level > 0 or imp.module.split(".")[0] in self.top_level
                if not internal:
                    continue
                if target is None:
                    found.append(
                        UnresolvedImport(facts.path, imp.line, "." * imp.level + imp.module, imp.name)
                    )
                    continue
                if imp.name is None:
                    ok = bool(self.module_value(target))
                elif imp.name == "*":
                    ok = target in self.modules
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
            if sub in self.modules and not self._module_member(target, imp.name):
                return sub
        while target and target not in self.modules:
            if target in self.namespaces:
                return None
            target = target.rpartition(".")[0]
        return target or None


def _union(groups: Iterable[Values]) -> Values:
    result: set[Value] = set()
    for group in groups:
        result |= group
    return frozenset(result)
