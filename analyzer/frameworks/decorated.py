"""Routes declared with decorators on an application or router object.

Flask (``@app.route``, ``@bp.get``) and FastAPI (``@app.get``,
``@router.post``) share the shape: an object created by calling the
framework's application or router class, a decorator method per HTTP verb
or a generic one with ``methods=[...]``, prefixes given where the router is
created and where it is mounted. Subclasses describe their framework's names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

from analyzer.facts import Attr, CallOf
from analyzer.frameworks.base import (
    Framework,
    Route,
    argument,
    join_paths,
    literal_str,
    literal_strs,
    path_matches,
)
from analyzer.values import Def, ExtInst

if TYPE_CHECKING:
    from analyzer.resolve import CallSite, Resolver

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")


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

    def _constructor_prefix(self, router: ExtInst) -> str:
        if router.call is None:
            return ""
        return literal_str(argument(router.call, -1, self.prefix_keyword)) or ""

    def routes(self, resolver: Resolver, sites: Sequence[CallSite]) -> Iterable[Route]:
        mounts: dict[ExtInst, list[str]] = {}
        for site in sites:
            func = site.fact.func
            if not (isinstance(func, Attr) and func.attr == self.mount_method and site.fact.args):
                continue
            mounted = CallOf(site.fact.func, site.fact.args, site.fact.kwargs)
            prefix = literal_str(argument(mounted, -1, self.prefix_keyword))
            for v in resolver.eval(site.module, site.scope, site.fact.args[0]):
                if self._is_router(v):
                    assert isinstance(v, ExtInst)
                    own = self._constructor_prefix(v)
                    mounts.setdefault(v, []).append(
                        join_paths(prefix, own) if prefix is not None and own else (prefix or own)
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
                    for prefix in mounts.get(router) or [self._constructor_prefix(router)]:
                        for method in methods:
                            routes.add(
                                Route(
                                    method.upper(),
                                    join_paths(prefix, path),
                                    handler,
                                    self.name,
                                    endpoint,
                                    rank,
                                )
                            )
        if self.rule_method is not None:
            routes |= set(self._rule_routes(resolver, sites, mounts))
        yield from sorted(routes)

    def _rule_routes(
        self, resolver: Resolver, sites: Sequence[CallSite], mounts: dict[ExtInst, list[str]]
    ) -> Iterable[Route]:
        assert self.rule_method is not None
        name, position, view_keyword = self.rule_method
        for site in sites:
            func = site.fact.func
            if not (isinstance(func, Attr) and func.attr == name):
                continue
            call = CallOf(func, site.fact.args, site.fact.kwargs)
            path = literal_str(argument(call, position, "rule"))
            view = argument(call, 2, view_keyword)
            if path is None or view is None:
                continue
            methods = literal_strs(argument(call, -1, "methods")) or ("GET",)
            explicit = literal_str(argument(call, 1, self.endpoint_keyword))
            handlers = [
                v.id
                for v in resolver.eval(site.module, site.scope, view)
                if isinstance(v, Def) and resolver.kind(v.id) in ("function", "method")
            ]
            for router in resolver.eval(site.module, site.scope, func.base):
                if not self._is_router(router):
                    continue
                assert isinstance(router, ExtInst)
                for prefix in mounts.get(router) or [self._constructor_prefix(router)]:
                    for handler in handlers:
                        endpoint = self.endpoint(router, explicit, handler.rsplit(".", 1)[-1])
                        for method in methods:
                            yield Route(
                                method.upper(), join_paths(prefix, path), handler, self.name, endpoint
                            )


class Flask(DecoratedRoutes):
    name = "flask"
    interface_calls = frozenset({"register_blueprint", "add_url_rule"})
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


class FastAPI(DecoratedRoutes):
    name = "fastapi"
    interface_calls = frozenset({"include_router"})
    router_classes = ("fastapi.FastAPI", "fastapi.APIRouter", "fastapi.routing.APIRouter")
    generic_decorators = ("api_route",)
    prefix_keyword = "prefix"
    mount_method = "include_router"
