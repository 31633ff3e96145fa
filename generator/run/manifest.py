"""The run manifest, ``monosplit-run.json``: what to start for one generated architecture.

The generator writes one manifest per architecture directory; :func:`load_manifest`
reads and validates it into frozen dataclasses. Anything malformed is a
:class:`ManifestError` naming the file and the problem in one line, so a
hand-edited manifest never reaches the supervisor half-checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from analyzer.errors import MonosplitError
from generator.run.routing import RuleSyntaxError, parse_rule

MANIFEST_NAME = "monosplit-run.json"
MANIFEST_FORMAT = "monosplit-run"
MANIFEST_VERSION = 1

# Unit names become log prefixes and data folder names, so they stay simple.
_UNIT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_METHOD = re.compile(r"[A-Z]+")
# Set by the supervisor for every process; a unit cannot claim them as its URL variable.
RESERVED_ENV = frozenset({"PORT", "MONOSPLIT_INTERNAL_PORT", "PYTHONUNBUFFERED"})


class ManifestError(MonosplitError):
    """The run manifest is missing or malformed."""


@dataclass(frozen=True, slots=True)
class RouteRule:
    """One gateway route of a unit: a Flask or FastAPI path rule and its methods (empty: any)."""

    rule: str
    methods: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Unit:
    """One process kind to run: its command, environment, readiness path and public routes."""

    name: str
    directory: str
    command: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    ready: str
    url_env: str
    public: bool
    routes: tuple[RouteRule, ...]
    #: folders of the unit (relative to its directory) the app writes into: writable in a container
    writable: tuple[str, ...] = ()

    @property
    def env_map(self) -> dict[str, str]:
        return dict(self.env)


@dataclass(frozen=True, slots=True)
class RunManifest:
    """A whole architecture: its units, in manifest order, and the unit that gets unrouted requests."""

    path: Path
    architecture: str
    default_unit: str
    units: tuple[Unit, ...]

    @property
    def root(self) -> Path:
        """The folder unit directories are relative to."""
        return self.path.parent

    @property
    def unit_names(self) -> tuple[str, ...]:
        return tuple(unit.name for unit in self.units)

    @property
    def public_routes(self) -> tuple[tuple[str, str, frozenset[str]], ...]:
        """``(unit, rule, methods)`` for the gateway, in manifest order; private units have none."""
        return tuple((u.name, r.rule, r.methods) for u in self.units if u.public for r in u.routes)

    def unit(self, name: str) -> Unit:
        for unit in self.units:
            if unit.name == name:
                return unit
        raise KeyError(name)


def load_manifest(path: Path) -> RunManifest:
    """Read and validate the manifest at ``path`` (the file, or the architecture folder holding it).

    Raises :class:`ManifestError` when the file is missing, is not JSON, or breaks the contract.
    """
    file = path / MANIFEST_NAME if path.is_dir() else path
    if not file.is_file():
        where = f"{path}: no {MANIFEST_NAME} here" if path.is_dir() else f"{path}: no such file"
        raise ManifestError(f"{where} (generate the architecture first)")
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"{file}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ManifestError(f"{file}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{file}: not valid JSON: {exc.msg} at line {exc.lineno}") from None
    return parse_manifest(document, path=file.resolve())


def parse_manifest(document: object, *, path: Path) -> RunManifest:
    """Validate a decoded manifest document; ``path`` names the file in errors and anchors directories."""
    try:
        return _parse(document, path)
    except _Invalid as exc:
        raise ManifestError(f"{path}: {exc}") from None


class _Invalid(Exception):
    """A contract violation, located by a JSON path such as ``units[1].routes[0].rule``."""


def _parse(document: object, path: Path) -> RunManifest:
    top = _object(document, "the manifest")
    if top.get("format") != MANIFEST_FORMAT:
        raise _Invalid(f"format must be {MANIFEST_FORMAT!r}, found {top.get('format')!r}")
    if top.get("version") != MANIFEST_VERSION:
        raise _Invalid(f"unsupported version {top.get('version')!r} (this monosplit reads version 1)")
    architecture = _string(top, "architecture", "architecture")
    raw_units = top.get("units")
    if not isinstance(raw_units, list) or not raw_units:
        raise _Invalid("units must be a non-empty list")
    units = tuple(_unit(raw, f"units[{i}]") for i, raw in enumerate(raw_units))
    _check_unique([u.name for u in units], "unit name")
    _check_unique([u.url_env for u in units], "url_env")
    default_unit = _string(top, "default_unit", "default_unit")
    by_name = {u.name: u for u in units}
    if default_unit not in by_name:
        raise _Invalid(f"default_unit {default_unit!r} is not one of the units ({', '.join(by_name)})")
    if not by_name[default_unit].public:
        raise _Invalid(f"default_unit {default_unit!r} is not public, so the gateway cannot send to it")
    return RunManifest(path=path, architecture=architecture, default_unit=default_unit, units=units)


def _unit(raw: object, where: str) -> Unit:
    fields = _object(raw, where)
    name = _string(fields, "name", f"{where}.name")
    if not _UNIT_NAME.fullmatch(name):
        raise _Invalid(f"{where}.name {name!r}: use letters, digits, '-', '_' or '.'")
    where = f"unit {name!r}"
    directory = _directory(_string(fields, "directory", f"{where}: directory", empty=True), where)
    command = _string_list(fields.get("command"), f"{where}: command")
    if not command:
        raise _Invalid(f"{where}: command must not be empty")
    env = _env(fields.get("env", {}), f"{where}: env")
    ready = _string(fields, "ready", f"{where}: ready")
    if not ready.startswith("/"):
        raise _Invalid(f"{where}: ready must be a path starting with '/', found {ready!r}")
    url_env = _string(fields, "url_env", f"{where}: url_env")
    if not _ENV_NAME.fullmatch(url_env) or url_env in RESERVED_ENV:
        raise _Invalid(f"{where}: url_env {url_env!r} is not a usable environment variable name")
    public = fields.get("public", True)
    if not isinstance(public, bool):
        raise _Invalid(f"{where}: public must be true or false")
    raw_routes = fields.get("routes", [])
    if not isinstance(raw_routes, list):
        raise _Invalid(f"{where}: routes must be a list")
    routes = tuple(_route(r, f"{where}: routes[{i}]") for i, r in enumerate(raw_routes))
    writable = _string_list(fields.get("writable", []), f"{where}: writable")
    for folder in writable:
        if _directory(folder, f"{where}: writable") == ".":
            raise _Invalid(f"{where}: writable {folder!r} must be a folder inside the unit")
    return Unit(
        name=name,
        directory=directory,
        command=tuple(command),
        env=tuple(sorted(env.items())),
        ready=ready,
        url_env=url_env,
        public=public,
        routes=routes,
        writable=tuple(writable),
    )


def _route(raw: object, where: str) -> RouteRule:
    fields = _object(raw, where)
    rule = _string(fields, "rule", f"{where}.rule")
    try:
        parse_rule(rule)
    except RuleSyntaxError as exc:
        raise _Invalid(f"{where}.rule {rule!r}: {exc}") from None
    methods = [m.upper() for m in _string_list(fields.get("methods", []), f"{where}.methods")]
    for method in methods:
        if not _METHOD.fullmatch(method):
            raise _Invalid(f"{where}.methods: {method!r} is not an HTTP method")
    return RouteRule(rule=rule, methods=frozenset(methods))


def _directory(value: str, where: str) -> str:
    """A unit's folder must stay inside the architecture folder: relative, no ``..``."""
    if "\\" in value or value.startswith("/") or re.match(r"[A-Za-z]:", value):
        raise _Invalid(f"{where}: directory {value!r} must be a relative path inside the manifest's folder")
    parts = PurePosixPath(value).parts
    if ".." in parts:
        raise _Invalid(f"{where}: directory {value!r} must not contain '..'")
    return str(PurePosixPath(*parts)) if parts else "."


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"{where} must be a JSON object")
    return value


def _string(fields: Mapping[str, Any], key: str, where: str, *, empty: bool = False) -> str:
    value = fields.get(key)
    if not isinstance(value, str) or (not value and not empty):
        raise _Invalid(f"{where} must be a non-empty string" if not empty else f"{where} must be a string")
    return value


def _string_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Invalid(f"{where} must be a list of strings")
    return list(value)


def _env(value: object, where: str) -> dict[str, str]:
    fields = _object(value, where)
    for key, item in fields.items():
        if not _ENV_NAME.fullmatch(key):
            raise _Invalid(f"{where}: {key!r} is not an environment variable name")
        if not isinstance(item, str):
            raise _Invalid(f"{where}: {key} must be a string")
    return dict(fields)


def _check_unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise _Invalid(f"two units share the {what} {value!r}")
        seen.add(value)
