"""Configuration reads: the process environment and settings objects.

* ``os.environ["K"]``, ``os.environ.get("K")``, ``os.getenv("K")``,
  ``os.environ.setdefault("K", ...)``;
* ``app.config["K"]`` / ``current_app.config.get("K")`` (Flask);
* ``settings.K`` for ``django.conf.settings``, a project module named
  ``settings``/``config``/``conf``, or a project class (or instance of one)
  whose name ends in ``Settings`` or ``Config`` — upper-case names only, as
  configuration is spelled by convention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from analyzer.facts import Attr
from analyzer.frameworks.base import ConfigRead, Framework, literal_str, path_matches
from analyzer.values import Def, Ext, ExtInst, Inst, Value

if TYPE_CHECKING:
    from analyzer.resolve import CallSite, Resolver

_ENV_CALLS = (
    "os.getenv",
    "os.environ.get",
    "os.environ.setdefault",
    "os.environ.pop",
    "os.environ.__getitem__",
)
_ENV_KEY = re.compile(r"^[A-Z][A-Z0-9_]{2,}$")
_SETTINGS_MODULES = frozenset({"settings", "config", "conf", "configuration"})


def _is_environ(value: Value) -> bool:
    return isinstance(value, Ext) and value.path in ("os.environ", "os.environ.copy()")


def _is_flask_config(value: Value) -> bool:
    return (
        isinstance(value, (Ext, ExtInst))
        and value.path.startswith("flask.")
        and value.path.endswith(".config")
    )


class Environment(Framework):
    name = "environment"

    def _settings_owner(self, resolver: Resolver, value: Value) -> str | None:
        if isinstance(value, Ext) and path_matches(value.path, "django.conf.settings"):
            return "settings"
        if isinstance(value, Def):
            kind = resolver.kind(value.id)
            last = value.id.rsplit(".", 1)[-1]
            if kind == "module" and last in _SETTINGS_MODULES:
                return "settings module"
            if kind == "class" and last.endswith(("Settings", "Config")):
                return "settings class"
        if isinstance(value, Inst) and value.cls.endswith(("Settings", "Config")):
            return "settings object"
        return None

    def _environment_passed(self, resolver: Resolver, site: CallSite) -> Iterable[ConfigRead]:
        """``env_int(os.environ, "PORT", 80)``: a helper handed the environment and a key."""
        keys = [k for a in site.fact.args if (k := literal_str(a)) is not None and _ENV_KEY.match(k)]
        if not keys:
            return
        for arg in site.fact.args:
            if any(_is_environ(v) for v in resolver.eval(site.module, site.scope, arg)):
                for key in keys:
                    yield ConfigRead(site.caller, key, "environment")
                return

    def config_reads(
        self, resolver: Resolver, module: str, sites: Sequence[CallSite]
    ) -> Iterable[ConfigRead]:
        for site in sites:
            if not site.fact.args:
                continue
            yield from self._environment_passed(resolver, site)
            key = literal_str(site.fact.args[0])
            if key is None:
                continue
            for v in site.values:
                if isinstance(v, Ext) and v.path in _ENV_CALLS:
                    yield ConfigRead(site.caller, key, "environment")
                elif isinstance(v, Ext) and v.path.endswith(".config.get") and v.path.startswith("flask."):
                    yield ConfigRead(site.caller, key, "app.config")
        facts = resolver.modules[module]
        for sub in facts.subscripts:
            source = f"{module}.{sub.scope}" if sub.scope else module
            for v in resolver.eval(module, sub.scope, sub.base):
                if _is_environ(v):
                    yield ConfigRead(source, sub.key, "environment")
                elif _is_flask_config(v):
                    yield ConfigRead(source, sub.key, "app.config")
        for ref in facts.references:
            expr = ref.expr
            if not (isinstance(expr, Attr) and expr.attr.isupper()):
                continue
            source = f"{module}.{ref.scope}" if ref.scope else module
            for v in resolver.eval(module, ref.scope, expr.base):
                via = self._settings_owner(resolver, v)
                if via is not None and not (isinstance(v, Def) and source.startswith(v.id)):
                    yield ConfigRead(source, expr.attr, via)
