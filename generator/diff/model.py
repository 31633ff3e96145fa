"""What ``monosplit diff`` compares and what it finds, as frozen data.

A :class:`Side` is one architecture, loaded from whatever the user gave
(a generated folder, a plan file, or a source folder to suggest a plan for).
:class:`Diff` is the whole comparison; :mod:`generator.diff.document` turns it
into the versioned JSON document described in docs/diff-format.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analyzer.errors import MonosplitError
from analyzer.plan.model import Metrics
from generator.diff.codegraph import CodeGraph

#: Where shared-library symbols live: every unit embeds them, so calls to them stay in-process.
SHARED = "shared"


class DiffError(MonosplitError):
    """An input that cannot be compared: a bad path, not an architecture, an unusable scenario."""


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """One deployable unit (a generated unit, or a service of a plan)."""

    name: str
    #: top-level symbols the unit owns
    symbols: frozenset[str]
    lines: int
    public: bool = True
    tables: tuple[str, ...] = ()
    #: tables it reads from a replica refreshed by their owner
    replicas: tuple[str, ...] = ()
    #: value types copied into the unit (calls to them stay in-process)
    copies: frozenset[str] = frozenset()
    #: its functions that other units call over HTTP: its API operations
    exports: tuple[str, ...] = ()
    #: units it sends requests to
    calls: tuple[str, ...] = ()
    #: (method, rule) it serves
    routes: tuple[tuple[str, str], ...] = ()
    #: a Dockerfile was generated for it
    image: bool = False


@dataclass(frozen=True, slots=True)
class KubernetesOverlay:
    """What ``kubectl kustomize <overlay>`` renders: objects by kind and the resources they request."""

    name: str
    kinds: tuple[tuple[str, int], ...] = ()
    #: requests summed over every container of every replica
    cpu_millicores: int = 0
    memory_bytes: int = 0
    #: why the overlay could not be rendered (kubectl missing, invalid kustomization)
    error: str | None = None

    @property
    def objects(self) -> int:
        return sum(count for _, count in self.kinds)


@dataclass(frozen=True, slots=True)
class Deployment:
    """The deployment artefacts of a generated architecture (``None`` fields: not generated)."""

    images: int | None = None
    kubernetes: tuple[KubernetesOverlay, ...] | None = None


@dataclass(frozen=True, slots=True)
class Side:
    """One architecture to compare."""

    #: the path as the user gave it
    label: str
    #: "architecture" (a generated folder), "plan" (a plan file) or "source" (a suggestion for a folder)
    kind: str
    #: "monolith", "two-tier", "microservices", or "plan"
    architecture: str
    project: str
    units: tuple[UnitInfo, ...]
    shared: frozenset[str]
    shared_lines: int
    graph: CodeGraph = field(repr=False, compare=False)
    #: None for plans, which have no generated files
    deployment: Deployment | None = None
    #: the generated folder ``monosplit run`` starts (architectures only)
    folder: Path | None = None

    @property
    def owner(self) -> dict[str, str]:
        """Top-level symbol → unit name (:data:`SHARED` for the shared library)."""
        owner = dict.fromkeys(self.shared, SHARED)
        for unit in self.units:
            for symbol in unit.symbols:
                owner[symbol] = unit.name
        return owner

    @property
    def unit_names(self) -> tuple[str, ...]:
        return tuple(unit.name for unit in self.units)


@dataclass(frozen=True, slots=True)
class UnitMatch:
    """How a unit of A relates to a unit of B.

    ``status`` is "same" (same name, same symbols), "changed" (same unit, some
    symbols moved), "renamed" (the same content under another name), "removed"
    (only in A) or "added" (only in B). ``flows`` says where a removed unit's
    symbols went, or where an added unit's came from, largest first.
    """

    a: str | None
    b: str | None
    status: str
    similarity: float = 0.0
    common: int = 0
    flows: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class Move:
    """A symbol whose unit changed (``None``: the symbol does not exist on that side)."""

    symbol: str
    source: str | None
    target: str | None


@dataclass(frozen=True, slots=True, order=True)
class NetworkCall:
    """A call edge of the graph whose caller and callee are deployed in different units."""

    caller: str
    callee: str
    source_unit: str
    target_unit: str


@dataclass(frozen=True, slots=True)
class Coupling:
    """One side's coupling: the suggest metrics plus what they mean for the running system."""

    metrics: Metrics
    network_calls: tuple[NetworkCall, ...]
    #: table → units that touch it, for tables touched by more than one unit
    shared_tables: tuple[tuple[str, tuple[str, ...]], ...]
    #: unit → its API operations
    api: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def api_operations(self) -> int:
        return sum(len(ops) for _, ops in self.api)


@dataclass(frozen=True, slots=True)
class RouteReach:
    """What one route's handler reaches through the call graph, on one side.

    ``hops``: distinct call edges crossing a unit boundary reachable from the
    handler (the network calls the route may make). ``depth``: the most network
    calls nested in one another on any call path from the handler. ``units``:
    the units it touches, its entry unit first. ``cyclic``: units call each
    other in a loop on the way (the depth is then a lower bound).
    """

    entry: str
    hops: int
    depth: int
    units: tuple[str, ...]
    cyclic: bool = False


@dataclass(frozen=True, slots=True)
class RouteDiff:
    route: str
    a: RouteReach | None
    b: RouteReach | None


@dataclass(frozen=True, slots=True)
class LatencyStats:
    """Latency percentiles in milliseconds and throughput in requests per second."""

    count: int
    p50: float
    p95: float
    p99: float
    mean: float
    throughput: float


@dataclass(frozen=True, slots=True)
class RouteLatency:
    route: str
    a: LatencyStats | None
    b: LatencyStats | None


@dataclass(frozen=True, slots=True)
class Machine:
    cores: int
    cpu: str
    load_average: tuple[float, float, float] | None
    python: str
    platform: str


@dataclass(frozen=True, slots=True)
class Measurement:
    """Both sides driven by the same scenario, one after the other, on one machine."""

    scenario: str
    #: the bound asked for (the scenario runs whole, so a little more may be measured)
    requests: int
    #: scenario runs before measuring, not counted
    warmup: int
    machine: Machine
    a_runs: int
    b_runs: int
    a_seconds: float
    b_seconds: float
    a: LatencyStats
    b: LatencyStats
    routes: tuple[RouteLatency, ...]
    #: how ``monosplit run`` ran them: "local" processes or "docker" containers
    engine: str = "local"


@dataclass(frozen=True, slots=True)
class Diff:
    a: Side
    b: Side
    units: tuple[UnitMatch, ...]
    moves: tuple[Move, ...]
    coupling_a: Coupling
    coupling_b: Coupling
    routes: tuple[RouteDiff, ...]
    measured: Measurement | None = None
