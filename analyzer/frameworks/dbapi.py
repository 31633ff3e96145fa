"""SQLite through the DB-API alone (``sqlite3``): the app's database file, and the script of its tables.

* ``sqlite3.connect(current_app.config["DATABASE"])`` (or ``.get(...)``, or
  ``os.environ``): that configuration key names the app's SQLite file;
* a function that calls ``executescript`` and names a ``.sql`` file
  (``current_app.open_resource("schema.sql")``, ``open(os.path.join(
  os.path.dirname(__file__), "tables.sql"))``) creates the app's tables from
  that script. The file is taken relative to the module's folder, where
  Flask's ``open_resource`` of a package app and ``__file__``-relative paths
  look; whether it is there is for the generator to check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from analyzer.facts import Attr, CallOf, Expr, Item, Items, Lit
from analyzer.frameworks.base import ConfigRead, Framework, SchemaScript, argument, literal_str
from analyzer.values import Ext, ExtInst

if TYPE_CHECKING:
    from analyzer.resolve import CallSite, Resolver

_CONNECT = frozenset({"sqlite3.connect", "sqlite3.dbapi2.connect"})
_ENV_GETS = frozenset({"os.getenv", "os.environ.get"})


def _settings_kind(resolver: Resolver, site: CallSite, base: Expr) -> str | None:
    """ "app.config" or "environment" when ``base`` is Flask's config or ``os.environ``."""
    for value in resolver.eval(site.module, site.scope, base):
        path = value.path if isinstance(value, (Ext, ExtInst)) else ""
        if path.startswith("flask.") and path.endswith(".config"):
            return "app.config"
        if path in ("os.environ", "os.environ.copy()"):
            return "environment"
    return None


def _setting(resolver: Resolver, site: CallSite, expr: Expr) -> ConfigRead | None:
    """The configuration read ``expr`` is (``config["K"]``, ``config.get("K")``, ``os.getenv("K")``)."""
    if isinstance(expr, Item) and expr.key:
        via = _settings_kind(resolver, site, expr.base)
        return ConfigRead(site.caller, expr.key, via, "sqlite") if via else None
    if isinstance(expr, CallOf) and expr.args and (key := literal_str(expr.args[0])):
        if isinstance(expr.func, Attr) and expr.func.attr == "get":
            via = _settings_kind(resolver, site, expr.func.base)
            return ConfigRead(site.caller, key, via, "sqlite") if via else None
        called = resolver.eval(site.module, site.scope, expr.func)
        if any(isinstance(v, Ext) and v.path in _ENV_GETS for v in called):
            return ConfigRead(site.caller, key, "environment", "sqlite")
    return None


def _sql_files(expr: Expr) -> Iterator[str]:
    """Literal ``*.sql`` names anywhere in ``expr`` (arguments of the calls that build a path)."""
    if isinstance(expr, Lit) and isinstance(expr.value, str) and expr.value.endswith(".sql"):
        yield expr.value
    elif isinstance(expr, CallOf):
        for arg in (*expr.args, *(value for _, value in expr.kwargs)):
            yield from _sql_files(arg)
    elif isinstance(expr, Items):
        for item in expr.items:
            yield from _sql_files(item)


class DbApi(Framework):
    name = "dbapi"

    def config_reads(
        self, resolver: Resolver, module: str, sites: Sequence[CallSite]
    ) -> Iterable[ConfigRead]:
        for site in sites:
            if not any(isinstance(v, Ext) and v.path in _CONNECT for v in site.values):
                continue
            call = CallOf(site.fact.func, site.fact.args, site.fact.kwargs)
            database = argument(call, 0, "database")
            read = _setting(resolver, site, database) if database is not None else None
            if read is not None:
                yield read

    def schema_scripts(
        self, resolver: Resolver, module: str, sites: Sequence[CallSite]
    ) -> Iterable[SchemaScript]:
        by_caller: dict[str, list[CallSite]] = defaultdict(list)
        for site in sites:
            by_caller[site.caller].append(site)
        folder = PurePosixPath(resolver.modules[module].path).parent
        found: set[SchemaScript] = set()
        for caller, own in by_caller.items():
            if not any(isinstance(s.fact.func, Attr) and s.fact.func.attr == "executescript" for s in own):
                continue
            for site in own:
                for arg in (*site.fact.args, *(value for _, value in site.fact.kwargs)):
                    for name in _sql_files(arg):
                        found.add(SchemaScript(str(folder / name), caller))
        return sorted(found)
