"""Who owns what in each architecture, and what each unit must therefore contain.

A *partition* assigns every top-level symbol to one unit (a service, a tier,
or the monolith) or to the shared library. From it, :func:`unit_contents`
works out what one unit carries: its own and shared code, copies of the
value types it exchanges with others (enums, exceptions, dataclasses) and of
the functions its code hands what no boundary can carry (a Blueprint, the app,
a function: :func:`generator.generate.apis.unencodable`) or that return code (a
decorator: :func:`generator.generate.apis.returns_code`), read-only replicas
of tables it reads but does not own, and a client stub for everything else of
other units' that its code uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property

from analyzer.plan.model import Plan
from generator.generate.apis import returns_code, returns_service_object, unencodable
from generator.generate.codebase import Codebase

ARCHITECTURES = ("monolith", "two-tier", "microservices")
_ALSO_USED = "<also used>"
#: how the analyzer names the application object in what a call passes (the ``passes`` edge attribute)
_FLASK_APP = "flask.Flask object"
SHARED = "shared"


@dataclass(frozen=True, slots=True)
class UnitSpec:
    name: str
    symbols: frozenset[str]
    tables: frozenset[str]
    public: bool
    summary: str


@dataclass(frozen=True)  # no slots: the derived maps below are cached on the instance
class Partition:
    architecture: str
    units: tuple[UnitSpec, ...]
    shared: frozenset[str]
    default_unit: str

    @cached_property
    def owner(self) -> dict[str, str]:
        owner = dict.fromkeys(self.shared, SHARED)
        for unit in self.units:
            owner.update(dict.fromkeys(unit.symbols, unit.name))
        return owner

    @cached_property
    def table_owner(self) -> dict[str, str]:
        return {table: unit.name for unit in self.units for table in unit.tables}

    def unit(self, name: str) -> UnitSpec:
        return next(u for u in self.units if u.name == name)


@dataclass(frozen=True, slots=True)
class Stub:
    symbol: str
    owner: str
    kind: str  # "function" (an HTTP client call) or "record" (a read-only record class)


@dataclass(frozen=True, slots=True)
class UnitContents:
    unit: str
    #: every top-level symbol whose definition the unit carries
    kept: frozenset[str]
    #: foreign value types copied in, and foreign models kept as read-only replicas
    copies: frozenset[str]
    replicas: frozenset[str]
    #: foreign table → owning unit, for the replicas
    replica_tables: tuple[tuple[str, str], ...]
    stubs: tuple[Stub, ...]
    #: tables read or written that no replica could be made for (no model class maps them)
    unreachable_tables: tuple[tuple[str, str], ...] = field(default=())


def _owner_tables(codebase: Codebase, owner: dict[str, str], plan_tables: dict[str, str]) -> dict[str, str]:
    """A table belongs to the unit of the model class that maps it; the plan decides the rest."""
    tables = dict(plan_tables)
    for model, table in codebase.model_tables.items():
        if owner.get(model) not in (None, SHARED):
            tables[table] = owner[model]
    return tables


def _units(
    codebase: Codebase,
    assignment: dict[str, str],
    shared: set[str],
    public: dict[str, bool],
    summaries: dict[str, str],
    plan_tables: dict[str, str],
) -> tuple[UnitSpec, ...]:
    owner = dict(assignment)
    owner.update(dict.fromkeys(shared, SHARED))
    tables = _owner_tables(codebase, owner, plan_tables)
    members: dict[str, set[str]] = defaultdict(set)
    for symbol, unit in assignment.items():
        if symbol not in shared:
            members[unit].add(symbol)
    names = sorted(set(members) | set(public))
    return tuple(
        UnitSpec(
            name,
            frozenset(members[name]),
            frozenset(t for t, u in tables.items() if u == name),
            public.get(name, True),
            summaries.get(name, ""),
        )
        for name in names
    )


def _default_unit(units: tuple[UnitSpec, ...], codebase: Codebase) -> str:
    """Unknown paths go to the public unit serving the most routes (it answers 404 as the app does)."""
    public = [u for u in units if u.public] or list(units)
    # max keeps the first of equals: units come sorted by name, so the choice is deterministic
    return max(public, key=lambda u: sum(len(codebase.routes.get(s, ())) for s in u.symbols)).name


def _shared_with_entry(codebase: Codebase, shared: set[str]) -> set[str]:
    """The plan's shared library, plus what every unit needs to start whatever the plan says.

    That is the app factory (every unit builds its app with it), the app's
    own hooks (error handlers, teardown, extension callbacks), the functions
    module-level code and class bodies call when they are imported (a settings
    module or class computing its constants with a helper), and what those call in turn: every unit
    carries every module, and an import cannot wait for another service. Only
    functions whose own body touches no table are copied this way, and the
    steps handed the app object itself.
    """
    needed = set(shared) | codebase.app_hooks
    starting: list[str] = sorted(codebase.app_hooks)
    if codebase.app_entry is not None and codebase.app_entry.factory:
        needed.add(codebase.app_entry.symbol)
        starting.append(codebase.app_entry.symbol)
    for module in codebase.modules:
        starting.extend(sorted(codebase.dependencies.get(module, ())))
    starting.extend(sorted(codebase.class_body_calls))  # class bodies run on import too
    # What runs while a unit starts, transitively: the factory's configuration steps
    # (``configure_extensions(app)``) and what they call. A step left to one unit would be
    # a network call during every other unit's start-up. A step handed the application
    # object itself configures it (``load_plugins(app)`` registers blueprints): every unit
    # runs it, whatever tables it reads. Otherwise only code whose own body touches no
    # table comes along; work on a capability's data (seeding) stays with its owner, and
    # the other units start without it (see codemods/startup.py).
    configures: set[str] = set()
    seen: set[str] = set()
    while starting:
        symbol = starting.pop()
        if symbol in seen:
            continue
        seen.add(symbol)
        info = codebase.symbols.get(symbol)
        if info is not None and info.kind == "class" and symbol not in codebase.model_tables:
            # a plain class made while importing (CTFd's ``ConfigParser(interpolation=
            # EnvInterpolation())``) has its methods called then too, by whoever holds it
            starting.extend(sorted(codebase.dependencies.get(symbol, ())))
            continue
        if info is None or info.kind != "function":
            continue
        if symbol in codebase.touches_tables_itself and symbol not in configures:
            continue
        needed.add(symbol)
        for used in sorted(codebase.dependencies.get(symbol, ())):
            if _FLASK_APP in (codebase.passes(symbol, used) or ""):
                configures.add(used)
            starting.append(used)
    return needed


def monolith_partition(codebase: Codebase) -> Partition:
    everything = frozenset(codebase.symbols)
    tables = frozenset(codebase.model_tables.values())
    unit = UnitSpec("monolith", everything, tables, True, "the whole application, as one deployable unit")
    return Partition("monolith", (unit,), frozenset(), "monolith")


def microservices_partition(codebase: Codebase, plan: Plan) -> Partition:
    shared = _shared_with_entry(codebase, set(plan.shared))
    assignment: dict[str, str] = {}
    plan_tables: dict[str, str] = {}
    for service in plan.services:
        assignment.update(dict.fromkeys(service.symbols, service.name))
        plan_tables.update(dict.fromkeys(service.tables, service.name))
    # symbols the plan does not name (added since it was made) go to the shared library
    for symbol in codebase.symbols:
        if symbol not in assignment:
            shared.add(symbol)
    summaries = {s.name: f"the {s.name} capability" for s in plan.services}
    public = {s.name: True for s in plan.services}
    units = _units(codebase, assignment, shared, public, summaries, plan_tables)
    return Partition("microservices", units, frozenset(shared), _default_unit(units, codebase))


def two_tier_partition(codebase: Codebase, plan: Plan) -> Partition:
    """Client tier: the modules that define HTTP routes; server tier: all other logic and the data."""
    shared = _shared_with_entry(codebase, set(plan.shared))
    route_modules = {codebase.symbols[s].module for s in codebase.routes if s in codebase.symbols}
    assignment: dict[str, str] = {}
    for symbol, info in codebase.symbols.items():
        if symbol in shared:
            continue
        assignment[symbol] = "client" if info.module in route_modules else "server"
    summaries = {
        "client": "the client tier: public HTTP routes and presentation",
        "server": "the server tier: business logic and data behind an internal API",
    }
    # tables no class maps (association tables) are data: the server's, like the models' tables
    tables = dict.fromkeys(sorted(codebase.table_variables.values()), "server")
    units = _units(codebase, assignment, shared, {"client": True, "server": False}, summaries, tables)
    return Partition("two-tier", units, frozenset(shared), "client")


def unit_contents(
    codebase: Codebase, partition: Partition, unit: UnitSpec, *, also_used: Collection[str] = ()
) -> UnitContents:
    """What ``unit`` carries: see the module docstring.

    ``also_used`` names symbols the unit's code refers to that the graph does
    not show (names imported only for annotations, say).
    """
    owner = partition.owner
    table_owner = partition.table_owner
    kept = set(unit.symbols) | set(partition.shared)
    copies: set[str] = set()
    replicas: set[str] = set()
    stubs: dict[str, Stub] = {}
    model_of_table: dict[str, str] = {}
    for model_class, table_name in sorted(codebase.model_tables.items()):
        model_of_table.setdefault(table_name, model_class)
    replica_tables: dict[str, str] = {}
    plain_tables = set(codebase.table_variables.values()) - set(model_of_table)
    unreachable: dict[str, str] = {}
    home_modules = {codebase.symbols[s].module for s in unit.symbols if s in codebase.symbols}
    pending = [_ALSO_USED, *sorted(kept), *sorted(codebase.modules)]

    def carry_replica(model: str, table: str, holder: str) -> None:
        """Keep ``model`` as a read-only replica of ``holder``'s ``table``."""
        replica_tables[table] = holder
        if model not in kept:
            kept.add(model)
            replicas.add(model)
            stubs.pop(model, None)
            pending.append(model)

    def carry_copy(symbol: str) -> None:
        """Carry another unit's ``symbol`` as code of this one (a copy), never as a stub."""
        kept.add(symbol)
        copies.add(symbol)
        stubs.pop(symbol, None)
        pending.append(symbol)

    seen: set[str] = set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        reads, writes = codebase.table_access.get(current, (frozenset(), frozenset()))
        if current in codebase.modules and current not in home_modules:
            # module-level SQL serves the module's functions: it matters where they live
            reads = writes = frozenset()
        for table in sorted(reads | writes):
            table_holder = table_owner.get(table)
            if table_holder is None or table_holder == unit.name:
                continue
            model = model_of_table.get(table)
            if model is None and table in plain_tables:
                # a Table no class maps: module-level code, in every unit; its rows are copied alike
                replica_tables[table] = table_holder
                continue
            if model is None:
                unreachable[table] = table_holder
                continue
            carry_replica(model, table, table_holder)
        uses = codebase.dependencies.get(current, frozenset())
        if current == _ALSO_USED:
            uses = frozenset(also_used)
        # functions set-up code hands over as values run here (see Codebase.handed_over)
        handed = codebase.handed_over(current)
        # a class's bases are part of its definition: they are carried, never stubbed
        bases = codebase.class_parents.get(current, frozenset())
        for used in sorted(uses | bases | handed):
            if used in kept:
                continue
            holder = owner.get(used, SHARED)
            info = codebase.symbols[used]
            mapped = codebase.model_tables.get(used)
            if (
                info.kind == "class"
                and mapped is not None
                and (used in bases or current in codebase.modules)
                and table_owner.get(mapped)
            ):
                # a model another unit owns that a carried class inherits from, or that
                # module-level code uses as a class while the unit imports it (CTFd builds
                # pydantic schemas from its models' mappings): a replica, so it maps its table
                # as in the monolith
                carry_replica(used, mapped, table_owner[mapped])
            elif info.kind == "class" and mapped is None:
                # Plain classes (mixins, forms, value types, helpers) are code, not data another
                # unit owns: the unit carries a copy, and the calls its methods make go where
                # their callees live. Only rows of another unit's tables arrive as records.
                carry_copy(used)
            elif info.kind == "class":
                stubs.setdefault(used, Stub(used, holder, "record"))
            elif used in codebase.request_readers:
                # It reads the request being served (``request.args``, the cookie session, ``g``):
                # called over HTTP it would read the internal call instead. It runs here, like a
                # copied class.
                carry_copy(used)
            elif (
                unencodable(codebase, current, used)
                or returns_code(codebase, used)
                or returns_service_object(codebase, used)
                or used in handed
            ):
                # Handed or returning what has no wire form (a Blueprint, the app, a function, a
                # form): a remote call could only fail, so the function runs here, and its own
                # calls go where their callees live (``register_view(bp, ...)`` while a unit
                # starts; a decorator, however it is applied; a factory of a service object; a
                # function handed over as a value, which a template filter's caller hands anything).
                carry_copy(used)
            else:
                stubs.setdefault(used, Stub(used, holder, "function"))
                # the value types it takes or returns come with it, as API models
                for value_type in sorted(codebase.annotation_value_types(used) - kept):
                    carry_copy(value_type)
    return UnitContents(
        unit=unit.name,
        kept=frozenset(kept),
        copies=frozenset(copies),
        replicas=frozenset(replicas),
        replica_tables=tuple(sorted(replica_tables.items())),
        stubs=tuple(sorted((s for s in stubs.values() if s.symbol not in kept), key=lambda s: s.symbol)),
        unreachable_tables=tuple(sorted(unreachable.items())),
    )
