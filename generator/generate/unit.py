"""One runnable unit (a service, a tier, or the monolith) as a list of files.

The unit's code is the project's own modules, each carved down to what the
unit carries (see :mod:`generator.generate.partition`), with client stubs
where other units' definitions stood. Around it: the runtime, the clients,
an entry point, an OpenAPI document, pinned requirements, a README and
tests. Nothing here touches the disk.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

import libcst as cst

from generator.codemods.carve import CarveResult, carve_module
from generator.codemods.foreign_keys import LinkRemoval, strip_foreign_links
from generator.codemods.startup import drop_startup_calls
from generator.generate.apis import (
    Export,
    openapi_document,
    returns_code,
    returns_service_object,
    signature,
    unencodable,
    writes_anything,
)
from generator.generate.codebase import Codebase
from generator.generate.partition import SHARED, Partition, Stub, UnitContents, UnitSpec
from generator.generate.requirements import RuntimeNeed, UnitRequirements, unit_requirements
from generator.generate.schema import schema_notes, unit_schema
from generator.generate.templates import render
from generator.writer import GeneratedFile


def _flask_dependency(name: str, version: str, minimum: str) -> RuntimeNeed:
    why = f"Flask 3.1.3, the runtime's, requires {name}>={minimum}"
    return RuntimeNeed(name, version, f">={minimum}", why)


#: what every generated unit installs on top of the application's own requirements: the pins the
#: runtime is tested with, and the versions it works with (the oldest each was checked with:
#: tests/generator/runtime passes on them). An application's pin inside the range is kept.
RUNTIME_NEEDS = (
    # the runtime serves the API with Flask, whatever the codebase's framework; a Flask app's own
    # Flask is kept when it is 2.0 or later, and then brings the dependencies it wants
    RuntimeNeed(
        "Flask",
        "3.1.3",
        ">=2.0",
        "the runtime serves the unit's API with Flask 2.0 or later",
        companions=(
            _flask_dependency("Werkzeug", "3.1.9", "3.1.0"),
            _flask_dependency("itsdangerous", "2.2.0", "2.2.0"),
            _flask_dependency("Jinja2", "3.1.6", "3.1.2"),
            _flask_dependency("MarkupSafe", "3.0.4", "2.1.1"),
            _flask_dependency("click", "8.5.1", "8.1.3"),
            _flask_dependency("blinker", "1.9.0", "1.9.0"),
        ),
    ),
    RuntimeNeed(
        "gunicorn",
        "27.0.1",
        ">=20.1.0",  # no upper bound: nothing known breaks it, and a guessed one only replaces good pins
        "the units' serve command (gthread workers, two binds, a configuration file) needs gunicorn 20.1 or later",
    ),
    RuntimeNeed(
        "prometheus-client",
        "0.26.0",
        ">=0.5",
        "the runtime's metrics are checked with prometheus-client 0.5 and later (counters end in `_total`)",
    ),
    RuntimeNeed(
        "urllib3",
        "2.8.0",
        # before 2.6 a ServiceUnavailable message carries urllib3's connection repr: cosmetic
        ">=2.0.2",
        "the runtime's service client uses urllib3 2's API (NameResolutionError, its HTTPConnection)",
    ),
)
RUNTIME_PACKAGE = "monosplit_runtime"
CLIENTS_PACKAGE = "service_clients"
SERVE_COMMAND = (
    "{python}",
    "-m",
    "gunicorn",
    "--worker-class",
    "gthread",
    "--workers",
    "1",
    "--threads",
    "8",
    "--keep-alive",
    "75",
    "--graceful-timeout",
    "5",
    # settings only some gunicorn versions know (its control socket, off): ignored by the others
    "--config",
    f"{RUNTIME_PACKAGE}/gunicorn_conf.py",
    "--bind",
    "127.0.0.1:{port}",
    # the internal port: unit-to-unit endpoints and metrics (monosplit_runtime/guard.py)
    "--bind",
    "127.0.0.1:{internal_port}",
    "service_main:app",
)


@dataclass(frozen=True, slots=True)
class Note:
    """One line of MIGRATION.md: something the generator could not carve automatically, or changed."""

    architecture: str
    unit: str
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class BuiltUnit:
    """One unit's files and what deploying it needs to know."""

    name: str
    files: tuple[GeneratedFile, ...]
    notes: tuple[Note, ...]
    #: public routes it serves: (method, rule)
    routes: tuple[tuple[str, str], ...]
    public: bool
    url_env: str
    #: configuration keys its code reads
    config: tuple[str, ...]
    #: units it sends requests to: calls, replica refreshes, changes to their rows
    calls: tuple[str, ...] = ()
    #: the part of ``calls`` the call graph shows: units whose functions it calls, or whose tables
    #: it replicates (the rows of a foreign record it holds go to their owner, which it calls)
    callees: tuple[str, ...] = ()
    #: whether it has a database of its own to connect to
    database: bool = False
    #: folders of the unit the app writes into as it runs (:attr:`Codebase.writable_folders`)
    writable: tuple[str, ...] = ()


@dataclass
class _Collector:
    architecture: str
    unit: str
    notes: list[Note] = field(default_factory=list)

    def add(self, kind: str, text: str) -> None:
        self.notes.append(Note(self.architecture, self.unit, kind, text))


def url_env(unit: str) -> str:
    return re.sub(r"\W", "_", unit).upper() + "_URL"


def client_module(service: str) -> str:
    return re.sub(r"\W", "_", service)


def runtime_files() -> list[tuple[str, bytes]]:
    """The runtime package's sources, copied into every unit as ``monosplit_runtime/``.

    Read as files of ``generator``, never imported: the runtime needs Flask,
    which generating does not (monosplit's own install has no Flask).
    """
    package = resources.files("generator") / "runtime"
    return sorted(
        (entry.name, entry.read_bytes())
        for entry in package.iterdir()
        if entry.name.endswith(".py") and entry.is_file()
    )


def _stub_code(stub: Stub, name: str, client_name: str) -> str:
    if stub.kind == "function":
        return (
            f"# {name} moved to the {stub.owner} service: calls go over HTTP ({CLIENTS_PACKAGE}/"
            f"{client_module(stub.owner)}.py).\n"
            f"from {CLIENTS_PACKAGE}.{client_module(stub.owner)} import {client_name}"
            + (f" as {name}" if client_name != name else "")
            + "\n"
        )
    return (
        f"# {name} belongs to the {stub.owner} service; here its objects are read-only records.\n"
        f"from {RUNTIME_PACKAGE} import RemoteRecord\n\n\n"
        f"class {name}(RemoteRecord):\n"
        f'    """A read-only record of the {stub.owner} service\'s ``{name}``."""\n\n'
        f'    __monosplit_service__ = "{stub.owner}"\n'
    )


def client_name(symbol: str, codebase: Codebase, exported: frozenset[str]) -> str:
    """A function's name in its client module: its own, prefixed by its module when two collide."""
    info = codebase.symbols[symbol]
    collides = sum(1 for s in exported if codebase.symbols[s].name == info.name) > 1
    return f"{info.module.split('.')[-1]}__{info.name}" if collides else info.name


def build_unit(
    codebase: Codebase,
    partition: Partition,
    unit: UnitSpec,
    contents: UnitContents,
    exports: list[Export],
    exported_by_owner: dict[str, frozenset[str]],
    *,
    project: str,
    callers: dict[str, dict[str, list[str]]] | None = None,
) -> BuiltUnit:
    """Every file of one unit, paths relative to the unit's directory.

    ``exports`` are this unit's functions other units call; ``exported_by_owner``
    lists every unit's, to name client functions consistently; ``callers``
    says which units may ask this one for what (:func:`callers_by_unit`).
    """
    notes = _Collector(partition.architecture, unit.name)
    files: list[GeneratedFile] = []
    owner = partition.owner
    table_owner = partition.table_owner
    verbatim = partition.architecture == "monolith"
    owned_classes = {
        codebase.symbols[m].name
        for m in codebase.model_tables
        if m in contents.kept and m not in contents.replicas
    }
    entry = codebase.app_entry
    foreign_functions = {s.symbol: s.owner for s in contents.stubs if s.kind == "function"}
    carvings = {} if verbatim else carve_modules(codebase, contents, exported_by_owner)
    for name, module in sorted(codebase.modules.items()):
        if verbatim:
            files.append(GeneratedFile.text(module.path, module.source))
            continue
        code = carvings[name].code
        models = {
            codebase.symbols[m].name: m in contents.replicas
            for m in codebase.model_tables
            if m in contents.kept and codebase.symbols[m].module == name
        }
        removals: tuple[LinkRemoval, ...] = ()
        dropped: tuple[str, ...] = ()
        declared = codebase.module_schema(name)
        if models or declared.tables or (entry is not None and entry.factory and entry.module == name):
            carved = cst.parse_module(code)
            if models or declared.tables:
                carved, removals = strip_foreign_links(
                    carved,
                    models,
                    keep_tables=unit.tables,
                    keep_classes=owned_classes,
                    table_of_class={codebase.symbols[m].name: t for m, t in codebase.model_tables.items()},
                    schema=declared,
                    present_classes={codebase.symbols[m].name for m in contents.replicas},
                    present_tables={table for table, _ in contents.replica_tables},
                )
            if entry is not None and entry.factory and entry.module == name:
                startup = {
                    codebase.symbols[s].name: o
                    for s, o in foreign_functions.items()
                    if s in codebase.dependencies.get(entry.symbol, ())
                }
                carved, dropped = drop_startup_calls(carved, entry.name, startup)
            code = carved.code
        for removal in removals:
            # a replica's too: it keeps the keys to tables this unit holds, and loses the others
            if removal.kind == "foreign key":
                notes.add(
                    "foreign-key",
                    f"`{name}.{removal.model}.{removal.attribute}`: the foreign key to table `{removal.target}` "
                    f"is gone (the table belongs to {table_owner.get(removal.target, 'another unit')}); the id column "
                    "stays and is checked through that service's API if needed.",
                )
            else:
                notes.add(
                    "relationship",
                    f"`{name}.{removal.model}.{removal.attribute}`: the ORM relationship to {removal.target} is "
                    "removed (the other side is not in this unit's database); code that followed it must call "
                    "the owner's API instead.",
                )
        for call in dropped:
            notes.add(
                "startup",
                f"`{entry.symbol if entry else ''}` called `{call}()` at startup; it now runs only in the "
                f"{startup[call]} service, so this unit starts without it.",
            )
        files.append(GeneratedFile.text(module.path, code))
    files.extend(GeneratedFile(path, data) for path, data in sorted(codebase.data_files.items()))
    schema = unit_schema(codebase, partition, unit, contents)
    for kind, text in schema_notes(codebase, schema, has_tables=bool(unit.tables or contents.replica_tables)):
        notes.add(kind, text)
    if schema is not None and schema.migrations is not None:  # copied as data, never carved
        carried = {f.path for f in files}
        files.extend(
            GeneratedFile(path, data) for path, data in schema.migrations.files if path not in carried
        )
    files.extend(GeneratedFile(f"{RUNTIME_PACKAGE}/{path}", data) for path, data in runtime_files())
    files.extend(_clients(codebase, contents, owner, exported_by_owner))
    for model in sorted(contents.replicas):
        table = codebase.model_tables[model]
        notes.add(
            "replica",
            f"table `{table}` belongs to {table_owner.get(table, '?')}; this unit reads it, so it keeps a read-only "
            f"replica (`{model}`) refreshed from the owner's API before each request. Writes to it here are "
            "not seen by the owner.",
        )
        for writer in _foreign_writers(codebase, contents, table, partition):
            notes.add(
                "replica-write",
                f"`{writer}` writes `{table}`, which {table_owner.get(table, '?')} owns: the change stays in this "
                "unit's replica. Move the write to the owner's API.",
            )
    for table, holder in contents.unreachable_tables:
        notes.add(
            "unreachable-table",
            f"table `{table}` belongs to {holder}, but no model class maps it, so no replica could be made; "
            "raw SQL on it fails here until it calls the owner's API.",
        )
    for symbol in sorted(s.symbol for s in contents.stubs if s.kind == "record"):
        holder = owner.get(symbol, SHARED)
        notes.add(
            "record",
            f"class `{symbol}` belongs to {holder}; here it is a read-only record. Constructing or changing it "
            "here does not reach the owner.",
        )
    for copy in sorted(contents.copies):
        if owner.get(copy) not in (unit.name, SHARED):
            notes.add("copy", _copy_note(codebase, contents, copy, owner.get(copy, SHARED)))
    calls = _cross_calls(codebase, contents, unit, owner)
    for caller, callee, holder in calls:
        passes = codebase.passes(caller, callee)
        if passes:
            notes.add(
                "non-json",
                f"`{caller}` calls `{callee}` ({holder}) over HTTP passing {passes}: a database session is "
                "supplied by the callee, objects arrive as read-only records.",
            )
    routes = sorted(
        {
            r
            for s in contents.kept
            if s in unit.symbols or s in partition.shared
            for r in codebase.routes.get(s, ())
        }
    )
    served = {s for s in contents.kept if s in unit.symbols or s in partition.shared}
    # kept in each endpoint's registration order, which decides the URL url_for builds
    routes_elsewhere = list(
        dict.fromkeys(r for s, rules in codebase.route_endpoints.items() if s not in served for r in rules)
    )
    config = sorted({k for s in contents.kept for k in codebase.symbol_config.get(s, ())})
    serve_healthz = not any(rule == "/healthz" for _, rule in routes)
    session = codebase.session_provider
    replica_tables = dict(contents.replica_tables)
    files.append(
        GeneratedFile.text(
            "service_main.py",
            render(
                "service/service_main.py.j2",
                unit=unit.name,
                architecture=partition.architecture,
                summary=unit.summary,
                project=project,
                entry=entry,
                session=session,
                exports=exports,
                replicas=sorted(replica_tables.items()),
                serve_healthz=serve_healthz,
                schema=schema,
                registering_modules=_registering_modules(codebase, contents),
                callers=sorted((callers or {}).items()),
                grant_kinds=GRANT_KINDS,
                routes_elsewhere=routes_elsewhere if entry else [],
                database_setting=codebase.database_setting,
            ),
        )
    )
    handlers = [
        (method, rule, symbol)
        for symbol in sorted(contents.kept)
        if symbol in unit.symbols or symbol in partition.shared
        for method, rule in codebase.routes.get(symbol, ())
    ]
    files.append(
        GeneratedFile.text(
            "openapi.json",
            openapi_document(codebase, unit.name, unit.summary or unit.name, [], handlers),
        )
    )
    files.append(
        GeneratedFile.text(
            "openapi-internal.json",
            openapi_document(codebase, unit.name, unit.summary or unit.name, exports, [], internal=True),
        )
    )
    files.append(GeneratedFile.text("requirements.txt", _requirements(codebase, notes)))
    callees = sorted({s.owner for s in contents.stubs if s.kind == "function"})
    files.append(
        GeneratedFile.text(
            "README.md",
            render(
                "service/README.md.j2",
                unit=unit,
                architecture=partition.architecture,
                project=project,
                exports=exports,
                callees=[(c, url_env(c)) for c in callees],
                tables=sorted(unit.tables),
                replicas=sorted(replica_tables.items()),
                routes=routes,
                config=[(k, codebase.config_keys.get(k, False)) for k in config],
                database_key=codebase.database_key,
                database_setting=codebase.database_setting,
                url_env=url_env(unit.name),
                schema=schema,
            ),
        )
    )
    files.append(
        GeneratedFile.text(
            "tests/test_api.py",
            render(
                "service/test_api.py.j2",
                unit=unit.name,
                exports=exports,
                database_key=codebase.database_key,
                callers=sorted((callers or {}).items()),
            ),
        )
    )
    replicated = {owner for _, owner in contents.replica_tables}
    reached = {s.owner for s in contents.stubs} | replicated
    return BuiltUnit(
        unit.name,
        tuple(sorted(files, key=lambda f: f.path)),
        tuple(notes.notes),
        tuple(routes),
        unit.public,
        url_env(unit.name),
        tuple(config),
        calls=tuple(sorted(reached - {unit.name, SHARED})),
        callees=tuple(sorted(units_reached(codebase, unit, contents))),
        database=codebase.session_provider is not None,
        writable=codebase.writable_folders,
    )


GRANT_KINDS = ("calls", "replicas", "secret_columns", "rows")


def units_reached(codebase: Codebase, unit: UnitSpec, contents: UnitContents) -> set[str]:
    """The units ``unit``'s code sends requests to, by the call graph: its NetworkPolicy callers.

    The owners of the tables it replicates, and of the functions its own code calls,
    directly or through the shared code it carries (a route calling a shared helper
    that calls another unit's function). A stub the unit carries is not a request by
    itself: a copied class, a dropped start-up step or a module's own code may be all
    that names it. The grants of :func:`callers_by_unit` stay within this, so what the
    runtime admits is what the NetworkPolicies let through; a record's changes go to
    its owner, which the holder reached to receive it.
    """
    functions = {s.symbol: s.owner for s in contents.stubs if s.kind == "function"}
    reached = {owner for _, owner in contents.replica_tables}
    pending = sorted({*unit.symbols, *contents.copies})
    seen = set(pending)
    while pending:
        for used in sorted(codebase.dependencies.get(pending.pop(), ())):
            if used in functions:
                reached.add(functions[used])
            elif used in contents.kept and used not in seen:
                seen.add(used)
                pending.append(used)
    return reached - {unit.name, SHARED}


def callers_by_unit(
    codebase: Codebase, partition: Partition, contents: Iterable[UnitContents]
) -> dict[str, dict[str, dict[str, list[str]]]]:
    """For each unit, the units that send it requests and what for, from the call graph.

    ``{callee: {caller: {"calls": [function], "replicas": [table], "secret_columns":
    ["table.column"], "rows": [model]}}}``: the functions a caller's stubs call, the
    tables it keeps replicas of and the secret columns of those its code reads
    (:func:`secret_columns_read`), and the models it holds records of (a change
    to a record goes to the owner's row), for the units it reaches
    (:func:`units_reached`). The unit's runtime refuses everything else
    (monosplit_runtime/auth.py), and leaves other secret columns out of a replica.
    """
    found: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(set))
    )
    for content in contents:
        caller = content.unit
        reached = units_reached(codebase, partition.unit(caller), content)
        for stub in content.stubs:
            if stub.owner in (caller, SHARED) or stub.owner not in reached:
                continue
            found[stub.owner][caller]["calls" if stub.kind == "function" else "rows"].add(stub.symbol)
        owners = dict(content.replica_tables)
        for table, owner in content.replica_tables:
            if owner not in (caller, SHARED):
                found[owner][caller]["replicas"].add(table)
        for column in secret_columns_read(codebase, content):
            owner = owners[column.partition(".")[0]]
            if owner not in (caller, SHARED):
                found[owner][caller]["secret_columns"].add(column)
    return {
        callee: {
            caller: {kind: sorted(grant.get(kind, ())) for kind in GRANT_KINDS}
            for caller, grant in sorted(by_caller.items())
        }
        for callee, by_caller in sorted(found.items())
    }


def secret_columns_read(codebase: Codebase, contents: UnitContents) -> tuple[str, ...]:
    """``table.column`` for each secret column of a replicated table that the unit's code reads.

    Code the unit carries (a function, a class body) reads what it names. A method of a
    carried class counts only when the unit's code names it: every unit keeping a replica
    of ``user`` carries ``User.check_password``, but only one whose code calls
    ``user.check_password(...)`` needs ``password_hash``; the others' replicas go without it.
    """
    replicated = {table for table, _ in contents.replica_tables}
    carried = contents.kept | contents.copies | contents.replicas
    # outside the models, by name too: ``user.password_hash`` on a query's result, whose type
    # the analyzer cannot tell, still needs the column (a model names its own columns anyway)
    named_outside_models: set[str] = set()
    named_in_models: set[str] = set()
    for symbol in carried:
        into = named_in_models if symbol in codebase.model_tables else named_outside_models
        into.update(codebase.attribute_names(symbol))
    named = named_outside_models | named_in_models
    found: set[str] = set()
    for table, reads in codebase.secret_column_reads.items():
        if table not in replicated:
            continue
        for source, columns in reads:
            found.update(f"{table}.{column}" for column in columns & named_outside_models)
            if codebase.top_level(source) not in carried:
                continue
            if (
                codebase.graph.nodes[source].get("kind") == "method"
                and source.rpartition(".")[2] not in named
            ):
                continue
            found.update(f"{table}.{column}" for column in columns)
    return tuple(sorted(found))


def carve_modules(
    codebase: Codebase, contents: UnitContents, exported_by_owner: dict[str, frozenset[str]]
) -> dict[str, CarveResult]:
    """Every module carved to what the unit carries, with client stubs where others' code stood."""
    stubs_by_module: dict[str, dict[str, str]] = defaultdict(dict)
    for stub in contents.stubs:
        info = codebase.symbols[stub.symbol]
        name = client_name(stub.symbol, codebase, exported_by_owner.get(stub.owner, frozenset()))
        stubs_by_module[info.module][info.name] = _stub_code(stub, info.name, name)
    kept_by_module: dict[str, set[str]] = defaultdict(set)
    for symbol in contents.kept:
        found = codebase.symbols.get(symbol)
        if found is not None:
            kept_by_module[found.module].add(found.name)
    carvings: dict[str, CarveResult] = {}
    for name in sorted(codebase.modules):
        # units often cut a module the same way (all of a shared module, none of another's)
        key = (name, frozenset(kept_by_module[name]), tuple(sorted(stubs_by_module[name].items())))
        result = codebase.carvings.get(key)
        if result is None:
            package = codebase.modules[name].path.endswith("__init__.py")
            result = codebase.carvings[key] = carve_module(
                codebase.parsed(name),
                kept_by_module[name],
                stubs=stubs_by_module[name],
                keep_orphans=True,
                keep_imports=package,
                modules=codebase.modules,
                package=name if package else name.rpartition(".")[0],
                reexported=codebase.names_imported_from.get(name, frozenset()),
            )
        carvings[name] = result
    return carvings


def missing_imports(codebase: Codebase, contents: UnitContents, carved: dict[str, CarveResult]) -> set[str]:
    """Other units' symbols that carved code still names but the unit neither keeps nor stubs.

    By import from another module, or in the same module: a name the graph has no edge
    for (``query_factory=select_group`` in a form's class body) that carving would
    otherwise leave undefined.
    """
    present = set(contents.kept) | {s.symbol for s in contents.stubs}
    missing: set[str] = set()
    for name, result in carved.items():
        missing.update(
            symbol
            for unresolved in result.unresolved
            if (symbol := f"{name}.{unresolved}") in codebase.symbols and symbol not in present
        )
        package = name if codebase.modules[name].path.endswith("__init__.py") else name.rpartition(".")[0]
        for source, imported in result.imported:
            level = len(source) - len(source.lstrip("."))
            if level:
                base = package.split(".")
                base = base[: len(base) - (level - 1)] if level > 1 else base
                target = ".".join([*base, source[level:]] if source[level:] else base)
            else:
                target = source
            symbol = f"{target}.{imported}"
            if symbol in codebase.symbols and symbol not in present:
                missing.add(symbol)
    return missing


def _foreign_writers(
    codebase: Codebase, contents: UnitContents, table: str, partition: Partition
) -> list[str]:
    """Symbols the unit carries that write ``table`` although another unit owns it."""
    holder = partition.table_owner.get(table)
    return [
        symbol
        for symbol in sorted(contents.kept)
        if table in codebase.table_access.get(symbol, (frozenset(), frozenset()))[1]
        and partition.owner.get(symbol) != holder
    ]


def _copy_note(codebase: Codebase, contents: UnitContents, copy: str, holder: str) -> str:
    """Why another unit's ``copy`` is carried here: a value type, a plain class, or a function handed code."""
    if copy in codebase.value_types:
        return f"value type `{copy}` of {holder} is copied here as part of the API contract."
    if codebase.symbols[copy].kind == "class":
        return (
            f"class `{copy}` of {holder} is copied here: its code runs in this unit too, "
            "and the calls its methods make go to the units that own their callees."
        )
    if copy in codebase.request_readers:
        return (
            f"function `{copy}` of {holder} is copied here: it reads the request being served "
            "(its query string, session, `g` or logged-in user), which only this unit sees. "
            "Its own calls go to the units that own their callees."
        )
    if returns_code(codebase, copy):
        return (
            f"function `{copy}` of {holder} is copied here: it returns a function (a decorator or a "
            "closure factory), which cannot cross a service boundary. Its own calls go to the units "
            "that own their callees."
        )
    if made := returns_service_object(codebase, copy):
        return (
            f"function `{copy}` of {holder} is copied here: it returns a new `{made}`, an object of "
            "behaviour that cannot cross a service boundary. Its own calls go to the units that own "
            "their callees."
        )
    naming = [
        caller
        for caller in (*sorted(contents.kept), *sorted(codebase.modules))
        if copy in codebase.handed_over(caller)
    ]
    if naming and not any(
        unencodable(codebase, caller, copy) for caller in (*contents.kept, *codebase.modules)
    ):
        return (
            f"function `{copy}` of {holder} is copied here: `{naming[0]}` hands it over as a value "
            "(a template filter, a callback), to be called later with whatever its caller has. "
            "Its own calls go to the units that own their callees."
        )
    handed = sorted(
        {
            f"`{caller}` hands it {what}"
            for caller in (*sorted(contents.kept), *sorted(codebase.modules))
            for what in sorted(unencodable(codebase, caller, copy))
        }
    )
    return (
        f"function `{copy}` of {holder} is copied here: {'; '.join(handed) or 'it is handed an object'}, "
        "which cannot cross a service boundary. Its own calls go to the units that own their callees."
    )


def _cross_calls(
    codebase: Codebase, contents: UnitContents, unit: UnitSpec, owner: dict[str, str]
) -> list[tuple[str, str, str]]:
    stubbed = {s.symbol: s.owner for s in contents.stubs if s.kind == "function"}
    found = []
    for symbol in sorted(contents.kept):
        if owner.get(symbol) not in (unit.name, SHARED):
            continue
        for used in sorted(codebase.dependencies.get(symbol, ())):
            if used in stubbed:
                found.append((symbol, used, stubbed[used]))
    return found


def _clients(
    codebase: Codebase,
    contents: UnitContents,
    owner: dict[str, str],
    exported_by_owner: dict[str, frozenset[str]],
) -> list[GeneratedFile]:
    by_owner: dict[str, list[Stub]] = defaultdict(list)
    for stub in contents.stubs:
        if stub.kind == "function":
            by_owner[stub.owner].append(stub)
    files = [
        GeneratedFile.text(
            f"{CLIENTS_PACKAGE}/__init__.py",
            '"""Clients for the services this unit calls (generated by monosplit; one module per service)."""\n',
        )
    ]
    for holder, stubs in sorted(by_owner.items()):
        exported = exported_by_owner.get(holder, frozenset())
        functions = [
            {
                "name": client_name(stub.symbol, codebase, exported),
                "symbol": stub.symbol,
                "signature": signature(codebase, stub.symbol),
                "idempotent": not writes_anything(codebase, stub.symbol, owner),
            }
            for stub in stubs
        ]
        files.append(
            GeneratedFile.text(
                f"{CLIENTS_PACKAGE}/{client_module(holder)}.py",
                render("service/client.py.j2", service=holder, url_env=url_env(holder), functions=functions),
            )
        )
    return files


def _registering_modules(codebase: Codebase, contents: UnitContents) -> list[str]:
    """Modules whose import maps the unit's models or registers its hooks, which it imports at start.

    In the monolith a route module's imports load the models; where a unit's
    route modules were carved away, nothing else would, and the ORM would not
    know the unit's own tables.
    """
    registering = (set(codebase.model_tables) | codebase.app_hooks) & contents.kept
    return sorted({codebase.symbols[symbol].module for symbol in registering})


def requirements_of(codebase: Codebase) -> UnitRequirements:
    """What every unit of the codebase installs: the application's requirements, then the runtime's."""
    return unit_requirements(codebase.requirement_files, RUNTIME_NEEDS)


def _requirements(codebase: Codebase, notes: _Collector) -> str:
    requirements = requirements_of(codebase)
    for note in requirements.notes:
        notes.add("requirements", note)
    source = f" (from {requirements.source})" if requirements.source else ""
    header = f"# Generated by monosplit: the application's requirements{source}, then the runtime's."
    return "\n".join((header, *requirements.lines)) + "\n"
