"""Django: models and their tables, string model references, urlpatterns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from analyzer.facts import Attr, CallOf, Expr, Items, Lit
from analyzer.frameworks.base import (
    Framework,
    Relation,
    Route,
    argument,
    join_paths,
    literal_str,
    path_matches,
)
from analyzer.values import Def, Ext, Values

if TYPE_CHECKING:
    from analyzer.resolve import CallSite, Resolver

_MODEL_BASES = ("django.db.models.Model", "django.db.models.base.Model")
_RELATION_FIELDS = ("ForeignKey", "OneToOneField", "ManyToManyField")
_VIEW_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


def _app_label(module: str) -> str:
    parts = module.split(".")
    if "models" in parts:
        index = parts.index("models")
        if index > 0:
            return parts[index - 1]
    return parts[-2] if len(parts) > 1 else parts[0]


class Django(Framework):
    name = "django"

    def _is_model(self, resolver: Resolver, cls: str) -> bool:
        return any(path_matches(p, *_MODEL_BASES) for p in resolver.external_bases(cls))

    def _meta(self, resolver: Resolver, cls: str, key: str) -> Expr | None:
        meta = f"{cls}.Meta"
        if resolver.definition(meta) is None:
            return None
        values = resolver.class_literal(meta, key)
        return values[-1] if values else None

    def _label_index(self, resolver: Resolver) -> dict[tuple[str, str], str]:
        """(app label, ModelName) → class id, for string references (memoised by the resolver)."""
        return resolver.memoised(("django labels",), lambda: self._build_label_index(resolver), {})

    def _build_label_index(self, resolver: Resolver) -> dict[tuple[str, str], str]:
        index: dict[tuple[str, str], str] = {}
        for cls, (module, definition) in sorted(resolver.definitions.items()):
            if definition.kind == "class" and self._is_model(resolver, cls):
                label = literal_str(self._meta(resolver, cls, "app_label")) or _app_label(module)
                index[(label, definition.name)] = cls
        return index

    def _model_by_reference(self, resolver: Resolver, reference: str, from_cls: str) -> str | None:
        index = self._label_index(resolver)
        if reference == "self":
            return from_cls
        if "." in reference:
            label, _, name = reference.rpartition(".")
            return index.get((label, name))
        owner = resolver.definition(from_cls)
        assert owner is not None
        module = owner[0]
        own = index.get((_app_label(module), reference))
        if own is not None:
            return own
        matches = [cls for (label, name), cls in index.items() if name == reference]
        return matches[0] if len(matches) == 1 else None

    def call_result(
        self, resolver: Resolver, path: str, call: CallOf, module: str, scope: str
    ) -> Values | None:
        if not path_matches(path, "apps.get_model"):
            return None
        strings = [literal_str(a) for a in call.args[:2]]
        if len(strings) == 2 and strings[0] and strings[1]:
            wanted = (strings[0], strings[1])
        elif strings and strings[0] and "." in strings[0]:
            label, _, name = strings[0].rpartition(".")
            wanted = (label, name)
        else:
            return None
        cuts = resolver.cut_count
        found = self._label_index(resolver).get(wanted)
        if found:
            return frozenset({Def(found)})
        # an index a cycle left incomplete may lack the model: unknown, not external
        return None if resolver.cut_count == cuts else frozenset()

    def models(self, resolver: Resolver) -> dict[str, str]:
        found: dict[str, str] = {}
        for cls, (module, definition) in sorted(resolver.definitions.items()):
            if definition.kind != "class" or not self._is_model(resolver, cls):
                continue
            if self._meta(resolver, cls, "abstract") == Lit(True):
                continue
            table = literal_str(self._meta(resolver, cls, "db_table"))
            if table is None:
                label = literal_str(self._meta(resolver, cls, "app_label")) or _app_label(module)
                table = f"{label}_{definition.name.lower()}"
            found[cls] = table
        return found

    def relations(self, resolver: Resolver, module: str, models: dict[str, str]) -> Iterable[Relation]:
        for call in resolver.modules[module].calls:
            source = f"{module}.{call.scope}" if call.scope else module
            if source not in models or not call.args:
                continue
            values = resolver.eval(module, call.scope, call.func)
            if not any(isinstance(v, Ext) and path_matches(v.path, *_RELATION_FIELDS) for v in values):
                continue
            reference = literal_str(call.args[0])
            if reference is not None:
                target = self._model_by_reference(resolver, reference, source)
                if target is not None:
                    yield Relation(source, target)
            else:
                for v in resolver.eval(module, call.scope, call.args[0]):
                    if isinstance(v, Def) and v.id in models:
                        yield Relation(source, v.id)

    # --- urlpatterns ------------------------------------------------------------------

    def routes(self, resolver: Resolver, sites: Sequence[CallSite]) -> Iterable[Route]:
        patterns: dict[str, list[tuple[str, list[str], str | None]]] = {}
        for module in sorted(resolver.modules):
            bound = resolver.scope_bindings(module).get("urlpatterns")
            if not bound:
                continue
            entries: list[tuple[str, list[str], str | None]] = []
            for expr in bound:
                if isinstance(expr, Items):
                    for item in expr.items:
                        entry = self._pattern(resolver, module, item)
                        if entry is not None:
                            entries.append(entry)
            patterns[module] = entries
        included = {inc for entries in patterns.values() for _, _, inc in entries if inc}
        roots = [m for m in patterns if m not in included] or list(patterns)
        routes: set[Route] = set()

        def walk(module: str, prefix: str, seen: tuple[str, ...]) -> None:
            for route, handlers, include in patterns.get(module, []):
                path = join_paths(prefix, route)
                if include is not None:
                    if include not in seen:
                        walk(include, path, (*seen, include))
                    continue
                for handler in handlers:
                    routes.add(Route("ANY", path, handler, self.name))

        for root in roots:
            walk(root, "", (root,))
        yield from sorted(routes)

    def _pattern(
        self, resolver: Resolver, module: str, item: Expr
    ) -> tuple[str, list[str], str | None] | None:
        if not isinstance(item, CallOf):
            return None
        funcs = resolver.eval(module, "", item.func)
        if not any(isinstance(v, Ext) and path_matches(v.path, "path", "re_path", "url") for v in funcs):
            return None
        route = literal_str(argument(item, 0, "route")) or ""
        view = argument(item, 1, "view")
        if view is None:
            return None
        if isinstance(view, CallOf):
            view_funcs = resolver.eval(module, "", view.func)
            if any(isinstance(v, Ext) and path_matches(v.path, "include") for v in view_funcs):
                target = view.args[0] if view.args else None
                if isinstance(target, Items) and target.items:
                    target = target.items[0]
                name = literal_str(target)
                if name is None and target is not None:
                    for v in resolver.eval(module, "", target):
                        if isinstance(v, Def) and v.id in resolver.modules:
                            name = v.id
                return (route, [], name) if name in resolver.modules else None
            if isinstance(view.func, Attr) and view.func.attr == "as_view":
                handlers: list[str] = []
                for v in resolver.eval(module, "", view.func.base):
                    if isinstance(v, Def) and resolver.kind(v.id) == "class":
                        handlers.append(v.id)
                return (route, handlers, None)
        handlers = [
            v.id
            for v in resolver.eval(module, "", view)
            if isinstance(v, Def) and resolver.kind(v.id) in ("function", "method", "class")
        ]
        return (route, handlers, None)
