"""Routes declared with decorators on an application or router object.

Flask (``@app.route``, ``@bp.get``) and FastAPI (``@app.get``,
``@router.post``) share the shape: an object created by calling the
framework's application or router class, a decorator method per HTTP verb
or a generic one with ``methods=[...]``, prefixes given where the router is
created and where it is mounted. Subclasses describe their framework's names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from analyzer.facts import Attr, CallOf, Expr, Item, Lit
from analyzer.frameworks.base import (
    Framework,
    Route,
    argument,
    join_paths,
    literal_str,
    literal_strs,
    path_matches,
)
from analyzer.frameworks.forwarding import Placed, call_of, calls_through_helpers, follow, static_strings
from analyzer.values import Def, ExtInst, Inherited

if TYPE_CHECKING:
    from analyzer.resolve import CallSite, Resolver

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")


@dataclass(frozen=True, slots=True)
class Prefix:
    """A router's path prefix; ``unknown`` names what it comes from when that is not statically known.

    An unknown prefix is written ``{KEY}`` in the path (a configuration key, or
    the prefix keyword for any other expression): recorded, not guessed.
    """

    path: str
    unknown: str = ""


def _expr(placed: Placed | None) -> Expr | None:
    return placed.expr if placed is not None else None


class DecoratedRoutes(Framework):
    #: classes whose instances route (matched by suffix of the import path)
    router_classes: ClassVar[tuple[str, ...]] = ()
    #: decorator methods taking ``methods=[...]`` (default GET)
    generic_decorators: ClassVar[tuple[str, ...]] = ()
    #: keyword of the router constructor that sets its prefix
    prefix_keyword: ClassVar[str] = ""
    #: method of an app that mounts a router, and its prefix keyword
    mount_method: ClassVar[str] = ""
    #: method adding a rule without a decorator: (name, path position, view keyword)
    rule_method: ClassVar[tuple[str, int, str] | None] = None
    #: keyword naming a route's endpoint, on route decorators and the rule method
    endpoint_keyword: ClassVar[str] = "name"

    def endpoint(self, router: ExtInst, explicit: str | None, view_name: str) -> str:
        """The name the framework builds this route's URL from: the explicit one or the view's own."""
        return explicit or view_name

    def _is_router(self, value: object) -> bool:
        return isinstance(value, ExtInst) and path_matches(value.path, *self.router_classes)

    def settings(self, resolver: Resolver, sites: Sequence[CallSite]) -> Mapping[str, str | None]:
        """Configuration defaults the code sets statically: key → literal string (None: set, not literal)."""
        return {}

    def _prefix(
        self, resolver: Resolver, placed: Placed | None, settings: Mapping[str, str | None]
    ) -> Prefix:
        """The prefix an argument gives: a literal, a name bound to one, a configuration default, or unknown."""
        if placed is None:
            return Prefix("")
        strings = static_strings(resolver, placed)
        if strings is not None and len(strings) == 1:
            return Prefix(strings[0])
        key = self.setting_key(follow(resolver, placed).expr)
        if key is not None:
            value = settings.get(key)
            return Prefix(value) if value is not None else Prefix("{" + key + "}", key)
        return Prefix("{" + self.prefix_keyword + "}", self.prefix_keyword)

    def setting_key(self, expr: Expr) -> str | None:
        """The configuration key ``expr`` reads, if it reads one (``app.config["PREFIX"]``)."""
        return None

    def _constructor_prefix(
        self, resolver: Resolver, router: ExtInst, settings: Mapping[str, str | None] | None = None
    ) -> Prefix:
        if router.call is None:
            return Prefix("")
        given = argument(router.call, -1, self.prefix_keyword)
        return self._prefix(
            resolver,
            Placed(given, router.module, router.scope) if given is not None else None,
            settings or {},
        )

    def routes(self, resolver: Resolver, sites: Sequence[CallSite]) -> Iterable[Route]:
        settings = self.settings(resolver, sites)
        mounts: dict[ExtInst, list[Prefix]] = {}
        for site in sites:
            func = site.fact.func
            if not (isinstance(func, Attr) and func.attr == self.mount_method and site.fact.args):
                continue
            mounted = CallOf(site.fact.func, site.fact.args, site.fact.kwargs)
            given = argument(mounted, -1, self.prefix_keyword)
            prefix = (
                self._prefix(resolver, Placed(given, site.module, site.scope), settings)
                if given is not None
                else None
            )
            for v in resolver.eval(site.module, site.scope, site.fact.args[0]):
                if self._is_router(v):
                    assert isinstance(v, ExtInst)
                    own = self._constructor_prefix(resolver, v, settings)
                    mounts.setdefault(v, []).append(
                        Prefix(join_paths(prefix.path, own.path), prefix.unknown or own.unknown)
                        if prefix is not None and own.path
                        else (prefix if prefix is not None and prefix.path else own)
                    )
        routes: set[Route] = set()
        for handler, (module, definition) in sorted(resolver.definitions.items()):
            if definition.kind == "class":
                continue
            # the decorator nearest the function registers its rule first
            for rank, decorator in enumerate(reversed(definition.decorators)):
                if not (isinstance(decorator, CallOf) and isinstance(decorator.func, Attr)):
                    continue
                verb = decorator.func.attr
                if verb not in _VERBS and verb not in self.generic_decorators:
                    continue
                path = literal_str(argument(decorator, 0, "path")) or literal_str(
                    argument(decorator, 0, "rule")
                )
                if path is None:
                    continue
                if verb in _VERBS:
                    methods: tuple[str, ...] = (verb.upper(),)
                else:
                    methods = literal_strs(argument(decorator, -1, "methods")) or ("GET",)
                explicit = literal_str(argument(decorator, -1, self.endpoint_keyword))
                for router in resolver.eval(module, definition.scope, decorator.func.base):
                    if not self._is_router(router):
                        continue
                    assert isinstance(router, ExtInst)
                    endpoint = self.endpoint(router, explicit, handler.rsplit(".", 1)[-1])
                    for prefix in mounts.get(router) or [
                        self._constructor_prefix(resolver, router, settings)
                    ]:
                        for method in methods:
                            routes.add(
                                Route(
                                    method.upper(),
                                    join_paths(prefix.path, path),
                                    handler,
                                    self.name,
                                    endpoint,
                                    rank,
                                    prefix.unknown,
                                )
                            )
        if self.rule_method is not None:
            routes |= set(self._rule_routes(resolver, sites, mounts, settings))
        yield from sorted(routes)

    def _rule_routes(
        self,
        resolver: Resolver,
        sites: Sequence[CallSite],
        mounts: dict[ExtInst, list[Prefix]],
        settings: Mapping[str, str | None],
    ) -> Iterable[Route]:
        assert self.rule_method is not None
        _, position, view_keyword = self.rule_method
        for rule in calls_through_helpers(resolver, sites, self.rule_method[0]):
            paths = rule.strings(resolver, position, "rule")
            view = rule.argument(2, view_keyword)
            if not paths or view is None:
                continue
            explicit_methods = literal_strs(_expr(rule.argument(-1, "methods")))
            explicit = literal_str(_expr(rule.argument(1, self.endpoint_keyword)))
            views = self.views(resolver, view, explicit_methods)
            for router in resolver.eval(rule.base.module, rule.base.scope, rule.base.expr):
                if not self._is_router(router):
                    continue
                assert isinstance(router, ExtInst)
                for prefix in mounts.get(router) or [self._constructor_prefix(resolver, router, settings)]:
                    for rank, path in enumerate(paths):
                        for method, handler, view_name in views:
                            yield Route(
                                method.upper(),
                                join_paths(prefix.path, path),
                                handler,
                                self.name,
                                self.endpoint(router, explicit, view_name),
                                rank,
                                prefix.unknown,
                            )

    def views(
        self, resolver: Resolver, view: Placed, methods: tuple[str, ...] | None
    ) -> list[tuple[str, str, str]]:
        """(method, handler, view name) of the view a rule is added with: functions of the project."""
        return [
            (method, v.id, v.id.rsplit(".", 1)[-1])
            for v in resolver.eval(view.module, view.scope, view.expr)
            if isinstance(v, Def) and resolver.kind(v.id) in ("function", "method")
            for method in methods or ("GET",)
        ]


class Flask(DecoratedRoutes):
    name = "flask"
    interface_calls = frozenset({"register_blueprint", "add_url_rule", "from_object"})
    router_classes = ("flask.Flask", "flask.Blueprint", "flask.app.Flask", "flask.blueprints.Blueprint")
    generic_decorators = ("route",)
    prefix_keyword = "url_prefix"
    mount_method = "register_blueprint"
    rule_method = ("add_url_rule", 0, "view_func")
    endpoint_keyword = "endpoint"

    def endpoint(self, router: ExtInst, explicit: str | None, view_name: str) -> str:
        # a blueprint's endpoints are qualified by its name: url_for("main.index")
        own = explicit or view_name
        if path_matches(router.path, "flask.Blueprint", "flask.blueprints.Blueprint") and router.call:
            blueprint = literal_str(argument(router.call, 0, "name"))
            return f"{blueprint}.{own}" if blueprint else ""
        return own

    def setting_key(self, expr: Expr) -> str | None:
        # app.config["KEY"], current_app.config.get("KEY"): read by the shape, as the app
        # is often a parameter (``def load_blueprints(app)``) nothing annotates
        if isinstance(expr, Item) and isinstance(expr.base, Attr) and expr.base.attr == "config":
            return expr.key
        if (
            isinstance(expr, CallOf)
            and isinstance(expr.func, Attr)
            and expr.func.attr == "get"
            and isinstance(expr.func.base, Attr)
            and expr.func.base.attr == "config"
        ):
            return literal_str(argument(expr, 0, "key"))
        return None

    def settings(self, resolver: Resolver, sites: Sequence[CallSite]) -> Mapping[str, str | None]:
        """The defaults ``app.config.from_object(...)`` loads from project classes or modules.

        ``from_object("pkg.configs.Default")`` or ``from_object(Default)``; the
        upper-case names bound in the class (through its bases) or module. A key
        two sources give different values has no one default (None).
        """
        found: dict[str, str | None] = {}
        for site in sites:
            func = site.fact.func
            if not (
                isinstance(func, Attr)
                and func.attr == "from_object"
                and isinstance(func.base, Attr)
                and func.base.attr == "config"
                and site.fact.args
            ):
                continue
            for source, scopes in self._config_sources(
                resolver, Placed(site.fact.args[0], site.module, site.scope)
            ):
                for key, value in self._config_values(resolver, source, scopes).items():
                    if key in found and found[key] != value:
                        found[key] = None
                    else:
                        found[key] = value
        return found

    def _config_sources(self, resolver: Resolver, placed: Placed) -> list[tuple[str, list[tuple[str, str]]]]:
        """(source id, its scopes as (module, scope) in lookup order) of a ``from_object`` argument."""
        ids: list[str] = []
        expr = placed.expr
        if isinstance(expr, Lit) and isinstance(expr.value, str):
            ids.append(expr.value.replace(":", "."))
        else:
            ids.extend(
                v.id
                for v in sorted(resolver.eval(placed.module, placed.scope, expr), key=repr)
                if isinstance(v, Def)
            )
        sources = []
        for node in ids:
            kind = resolver.kind(node)
            if kind == "module":
                sources.append((node, [(node, "")]))
            elif kind == "class":
                scopes = []
                for klass in resolver.mro(node):
                    found = resolver.definition(klass)
                    if found is not None:
                        scopes.append((found[0], found[1].qualname))
                sources.append((node, scopes))
        return sources

    def _config_values(
        self, resolver: Resolver, source: str, scopes: list[tuple[str, str]]
    ) -> dict[str, str | None]:
        values: dict[str, str | None] = {}
        for module, scope in scopes:
            for key, bound in resolver.scope_bindings(module, scope).items():
                if not key.isupper() or key in values:
                    continue
                literal = [b.value for b in bound if isinstance(b, Lit) and isinstance(b.value, str)]
                values[key] = literal[0] if len(literal) == len(bound) == 1 else None
        return values

    def views(
        self, resolver: Resolver, view: Placed, methods: tuple[str, ...] | None
    ) -> list[tuple[str, str, str]]:
        """Functions, and class-based views: ``SomeView.as_view("name")`` serves by its methods.

        A ``MethodView`` answers each HTTP method with the method of that name
        (the ones it defines, unless ``methods`` says); a ``View`` with its
        ``dispatch_request``, for its ``methods`` (GET by default). The view's
        name, the endpoint, is the one given to ``as_view``.
        """
        found = super().views(resolver, view, methods)
        made = call_of(resolver, view, "as_view")
        name = literal_str(argument(made[0], 0, "name")) if made is not None else None
        for value in sorted(resolver.eval(view.module, view.scope, view.expr), key=repr):
            if not (isinstance(value, Inherited) and value.path == "as_view()" and not value.instance):
                continue
            cls = value.cls
            bases = resolver.external_bases(cls)
            method_view = any(path_matches(b, "flask.views.MethodView") for b in bases)
            if not method_view and not any(path_matches(b, "flask.views.View") for b in bases):
                continue
            handlers = {
                verb: member.id
                for verb in _VERBS
                for member in resolver.class_member(cls, verb, instance=False)
                if isinstance(member, Def) and resolver.kind(member.id) == "method"
            }
            dispatch = [
                m.id
                for m in resolver.class_member(cls, "dispatch_request", instance=False)
                if isinstance(m, Def) and resolver.kind(m.id) == "method"
            ]
            declared = self._class_methods(resolver, cls)
            if method_view:
                serves = methods or declared or tuple(v.upper() for v in handlers)
            else:
                serves = methods or declared or ("GET",)
            for method in serves:
                handler = handlers.get(method.lower()) if method_view else None
                handler = handler or (dispatch[0] if dispatch and not method_view else None)
                if handler is not None:
                    found.append((method, handler, name or cls.rsplit(".", 1)[-1]))
        return found

    def _class_methods(self, resolver: Resolver, cls: str) -> tuple[str, ...] | None:
        """The literal ``methods = [...]`` of a view class or its bases."""
        for klass in resolver.mro(cls):
            for expr in resolver.class_literal(klass, "methods"):
                methods = literal_strs(expr)
                if methods is not None:
                    return tuple(m.upper() for m in methods)
        return None


class FastAPI(DecoratedRoutes):
    name = "fastapi"
    interface_calls = frozenset({"include_router"})
    router_classes = ("fastapi.FastAPI", "fastapi.APIRouter", "fastapi.routing.APIRouter")
    generic_decorators = ("api_route",)
    prefix_keyword = "prefix"
    mount_method = "include_router"
