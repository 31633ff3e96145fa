"""What it takes to containerise, run and deploy one architecture, as files.

:func:`deployment_files` is pure, like the rest of generation. For every unit
of the architecture it returns a ``Dockerfile`` and a ``.dockerignore`` in the
unit's folder and a GitHub Actions workflow at the output's root (tests,
builds and pushes that unit alone when its folder changes); for the
architecture, a ``compose.yaml`` and Kubernetes manifests under ``k8s/``: a
kustomize ``base`` and ``dev`` and ``prod`` overlays.

The deployment follows the call graph: a unit accepts traffic on its internal
port only from the units that call it (:attr:`BuiltUnit.callees`, inverted)
and from monitoring; on its public port only from the ingress controller, when
it serves public routes. The Ingress sends each public route to the unit that
serves it, as the ``monosplit run`` gateway would (:func:`ingress_paths`).

Secrets reach containers as files (``<KEY>_FILE`` names each one), never as
environment variables; the units share one Secret for unit-to-unit
authentication (:data:`UNIT_AUTH_KEY_FILE`). The dev overlay creates the
Secrets with placeholder values, in the app's namespace; base and prod never
hold a value. :func:`pin_images` pins an overlay's images to the digests a
build reported. The checks the files knowingly fail are listed, each with its
reason, in :data:`CHECKOV_EXCEPTIONS` (written as ``.checkov.yaml``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from analyzer.errors import MonosplitError
from generator.generate.codebase import Codebase
from generator.generate.partition import Partition
from generator.generate.templates import render
from generator.generate.unit import SERVE_COMMAND, BuiltUnit, requirements_of
from generator.writer import GeneratedFile

__all__ = [
    "IngressPath",
    "PinError",
    "checkov_config",
    "deployment_files",
    "ingress_paths",
    "ingress_target",
    "parse_pin",
    "pin_images",
]

#: the port every unit listens on in a container, and every Service exposes
PORT = 8000
#: the port that serves what only other units and monitoring may ask for (named ``internal``)
INTERNAL_PORT = 8001
#: compose mounts the unit-to-unit key here (Kubernetes: UNIT_AUTH_KEY_FILE)
COMPOSE_KEY_FILE = "/run/secrets/unit-auth"
#: container port names NetworkPolicies admit traffic on: public routes, and what only the
#: deployment itself may reach (internal endpoints, metrics)
HTTP_PORT_NAME = "http"
INTERNAL_PORT_NAME = "internal"
#: where Secrets are mounted as files; a unit reads ``<KEY>_FILE`` for each secret setting
SECRETS_DIR = "/var/run/secrets/monosplit"
#: the deployment's unit-to-unit signing key (generator/runtime/auth.py reads the file)
UNIT_AUTH_KEY_ENV = "MONOSPLIT_UNIT_AUTH_KEY_FILE"
UNIT_AUTH_KEY_FILE = f"{SECRETS_DIR}/unit-auth/key"
#: the non-root user and group the units run as (fixed, so Kubernetes can check runAsNonRoot)
APP_UID = 10001
#: where a unit's code is in its image (the Dockerfile's WORKDIR; generator/run/docker_engine.py
#: mounts the writable folders under it alike)
APP_DIR = "/app"
BASE_IMAGE = "python:3.12-slim"
#: the database of each unit that has one, on Kubernetes
POSTGRES_IMAGE = "postgres:17.5"
#: the official image runs initdb and the server as any uid (its entrypoint fakes the passwd
#: entry); a high one cannot collide with a user of the node
POSTGRES_UID = 10999
#: where the ingress controller and Prometheus run (NetworkPolicies let them in)
INGRESS_CLASS = "nginx"
INGRESS_NAMESPACE = "ingress-nginx"
MONITORING_NAMESPACE = "monitoring"
#: Kubernetes names get suffixes ("-db-ingress"); keep room for them under the 63-character limit
_NAME_LENGTH = 40
#: characters ingress-nginx accepts in an Exact or Prefix path (its strict path validation)
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9/_-]*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_VARIABLE = re.compile(
    r"<(?:(?P<converter>[A-Za-z_]\w*)(?:\((?P<arguments>[^)]*)\))?:)?\w+>|\{\w+(?::(\w+))?\}"
)
_SAMPLE_VALUES = {
    "int": "1",
    "float": "1.5",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "a/b",
}


@dataclass(frozen=True, slots=True)
class CheckException:
    """A checkov check the generated files knowingly fail, and why."""

    id: str
    reason: str


#: the checks every architecture's files fail on purpose (see checkov_config)
CHECKOV_EXCEPTIONS = (
    CheckException(
        "CKV_DOCKER_7",
        "FROM ${BASE_IMAGE}: the base image is a build argument (default python:3.12-slim, a version tag)"
        " so a build can use a local or mirrored base; checkov does not read an ARG's default.",
    ),
)
#: the file at the output's root that holds them
CHECKOV_CONFIG = ".checkov.yaml"


@dataclass(frozen=True, slots=True)
class Resources:
    """Container resource requests and limits (Kubernetes quantities)."""

    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str


@dataclass(frozen=True, slots=True)
class Sizing:
    """How big one environment runs: replicas, autoscaling bounds, resources, database storage."""

    replicas: int
    min_replicas: int
    max_replicas: int
    unit: Resources
    database: Resources
    storage: str


BASE_SIZING = Sizing(
    2, 2, 5, Resources("100m", "192Mi", "1", "512Mi"), Resources("100m", "256Mi", "1", "1Gi"), "5Gi"
)
DEV_SIZING = Sizing(
    1, 1, 2, Resources("50m", "128Mi", "500m", "256Mi"), Resources("50m", "128Mi", "500m", "512Mi"), "1Gi"
)
PROD_SIZING = Sizing(
    3, 2, 10, Resources("250m", "256Mi", "2", "1Gi"), Resources("500m", "1Gi", "2", "4Gi"), "50Gi"
)


@dataclass(frozen=True, slots=True)
class Database:
    """A unit's own PostgreSQL (a StatefulSet on Kubernetes, SQLite on a volume under compose)."""

    name: str  # Kubernetes name of its StatefulSet, Service and Secret
    database: str
    user: str
    dev_url: str  # DATABASE_URL for the dev overlay, with the placeholder password


@dataclass(frozen=True, slots=True)
class Peer:
    """Another unit this one calls: its name and where to reach it."""

    unit: str
    name: str
    url_env: str


@dataclass(frozen=True, slots=True)
class SecretFile:
    """One secret setting, mounted as a file the unit finds through ``<KEY>_FILE``."""

    key: str
    env: str
    path: str
    optional: bool  # an absent key keeps the code's default


@dataclass(frozen=True, slots=True)
class UnitDeployment:
    """Everything the templates need to know about one unit."""

    unit: str
    name: str  # a DNS label: Kubernetes names, compose service name, hostname
    directory: str  # the build context, relative to the architecture folder
    folder: str  # the same, relative to the output folder
    image: str
    public: bool
    host_port: int | None  # published on 127.0.0.1 by compose, public units only
    port_variable: str  # the variable that changes it
    calls: tuple[Peer, ...]
    callers: tuple[str, ...]  # names of the units that send it requests, by the call graph
    settings: tuple[str, ...]  # non-secret configuration keys it reads
    secrets: tuple[str, ...]  # secret configuration keys it reads (the database URL aside)
    database: Database | None
    command: str  # the container's CMD, as a JSON array
    healthcheck: str  # the probe command, as a JSON array
    workflow: str  # file name of its CI workflow
    watched: tuple[str, ...]  # paths (from the output root) whose changes rebuild it
    writable: tuple[str, ...] = ()  # container paths the app writes into: an empty writable mount each

    @property
    def has_secrets(self) -> bool:
        return bool(self.secrets) or self.database is not None

    @property
    def secrets_dir(self) -> str:
        """Where the unit's Secret is mounted, one file per key."""
        return f"{SECRETS_DIR}/{self.name}"

    def secret_files(self, database_key: str | None) -> tuple[SecretFile, ...]:
        """The unit's secret settings as files: the database URL (required) first, then the rest."""
        keys = [(database_key, False)] if self.database is not None and database_key else []
        keys += [(key, True) for key in self.secrets]
        return tuple(
            SecretFile(key, f"{key}_FILE", f"{self.secrets_dir}/{key}", optional) for key, optional in keys
        )

    @property
    def compose_healthcheck(self) -> str:
        return json.dumps(["CMD", *json.loads(self.healthcheck)])

    @property
    def published(self) -> str:
        """The compose ``ports`` entry of a public unit."""
        return f"127.0.0.1:${{{self.port_variable}:-{self.host_port}}}:{PORT}"


@dataclass(frozen=True, slots=True, order=True)
class IngressPath:
    """One path of the Ingress and the unit it sends to."""

    path: str
    path_type: str  # "Exact" or "Prefix"
    unit: str


@dataclass(frozen=True, slots=True)
class Deployment:
    """The render context of one architecture's deployment files."""

    project: str
    architecture: str
    slug: str
    namespace: str
    units: tuple[UnitDeployment, ...]
    default_unit: str  # name of the unit requests no route matches go to
    database_key: str | None
    database_scheme: str
    ingress: tuple[IngressPath, ...]
    unrouted: tuple[tuple[str, str, str], ...]  # (unit, method, rule) the Ingress cannot send to its unit
    skipped_settings: tuple[str, ...]  # keys that cannot be environment variables
    base: Sizing
    dev: Sizing
    prod: Sizing
    app_uid: int
    app_dir: str
    port: int
    internal_port: int
    compose_key_file: str
    base_image: str
    postgres_image: str
    postgres_uid: int
    ingress_class: str
    ingress_namespace: str
    monitoring_namespace: str
    http_port_name: str
    internal_port_name: str
    #: the Secret holding the unit-to-unit signing key (None with a single unit: nobody to talk to)
    unit_auth_secret: str | None
    unit_auth_key_env: str
    unit_auth_key_file: str
    secrets_dir: str
    checkov_exceptions: tuple[CheckException, ...]

    @property
    def unit_auth_dev_key(self) -> str:
        """The dev overlay's signing key: a placeholder, fixed so generation stays deterministic."""
        digest = hashlib.sha256(f"monosplit dev key {self.namespace}".encode()).hexdigest()[:32]
        return f"REPLACE_ME-dev-only-{digest}"

    @property
    def databases(self) -> tuple[UnitDeployment, ...]:
        return tuple(u for u in self.units if u.database is not None)

    @property
    def public_units(self) -> tuple[UnitDeployment, ...]:
        return tuple(u for u in self.units if u.public)

    @property
    def secret_units(self) -> tuple[UnitDeployment, ...]:
        return tuple(u for u in self.units if u.has_secrets)

    @property
    def has_dev_secrets(self) -> bool:
        return bool(self.secret_units) or self.unit_auth_secret is not None


def deployment_files(
    codebase: Codebase, partition: Partition, built: list[BuiltUnit], *, architecture: str, project: str
) -> list[GeneratedFile]:
    """The deployment files of one architecture, paths relative to the output folder.

    ``built`` are the architecture's units as generated; a single unit whose
    name is the architecture's (the monolith) is the architecture folder itself.
    """
    deployment = _deployment(codebase, partition, built, architecture=architecture, project=project)
    files: list[GeneratedFile] = []
    for unit in deployment.units:
        folder = unit.folder
        files.append(
            GeneratedFile.text(
                f"{folder}/Dockerfile", render("docker/Dockerfile.j2", d=deployment, unit=unit)
            )
        )
        files.append(
            GeneratedFile.text(
                f"{folder}/.dockerignore", render("docker/dockerignore.j2", d=deployment, unit=unit)
            )
        )
        files.append(
            GeneratedFile.text(
                f".github/workflows/{unit.workflow}", render("ci/workflow.yml.j2", d=deployment, unit=unit)
            )
        )
    files.append(
        GeneratedFile.text(f"{architecture}/compose.yaml", render("compose/compose.yaml.j2", d=deployment))
    )
    k8s = f"{architecture}/k8s"
    files.append(GeneratedFile.text(f"{k8s}/README.md", render("k8s/README.md.j2", d=deployment)))
    base = f"{k8s}/base"
    files.append(
        GeneratedFile.text(
            f"{base}/kustomization.yaml", render("k8s/base.kustomization.yaml.j2", d=deployment)
        )
    )
    files.append(GeneratedFile.text(f"{base}/namespace.yaml", render("k8s/namespace.yaml.j2", d=deployment)))
    files.append(
        GeneratedFile.text(
            f"{base}/network-policies.yaml", render("k8s/network-policies.yaml.j2", d=deployment)
        )
    )
    if deployment.public_units:
        files.append(GeneratedFile.text(f"{base}/ingress.yaml", render("k8s/ingress.yaml.j2", d=deployment)))
    for unit in deployment.units:
        files.append(
            GeneratedFile.text(
                f"{base}/{unit.name}.yaml", render("k8s/unit.yaml.j2", d=deployment, unit=unit)
            )
        )
        if unit.database is not None:
            files.append(
                GeneratedFile.text(
                    f"{base}/{unit.database.name}.yaml",
                    render("k8s/database.yaml.j2", d=deployment, unit=unit),
                )
            )
    overlays = f"{k8s}/overlays"
    files.append(
        GeneratedFile.text(
            f"{overlays}/dev/kustomization.yaml",
            render("k8s/overlay.kustomization.yaml.j2", d=deployment, overlay="dev", sizing=deployment.dev),
        )
    )
    if deployment.has_dev_secrets:
        files.append(
            GeneratedFile.text(
                f"{overlays}/dev/secrets.yaml", render("k8s/dev-secrets.yaml.j2", d=deployment)
            )
        )
    files.append(
        GeneratedFile.text(
            f"{overlays}/prod/kustomization.yaml",
            render("k8s/overlay.kustomization.yaml.j2", d=deployment, overlay="prod", sizing=deployment.prod),
        )
    )
    return sorted(files, key=lambda f: f.path)


def checkov_config() -> GeneratedFile:
    """``.checkov.yaml`` for the output's root: checkov's settings and the documented exceptions."""
    return GeneratedFile.text(CHECKOV_CONFIG, render("ci/checkov.yaml.j2", exceptions=CHECKOV_EXCEPTIONS))


# -- the render context ----------------------------------------------------------------------------


def _deployment(
    codebase: Codebase, partition: Partition, built: list[BuiltUnit], *, architecture: str, project: str
) -> Deployment:
    slug = _slug(project) or "app"
    names = _names([u.name for u in built])
    single = len(built) == 1 and built[0].name == architecture
    secret_keys = codebase.config_keys
    database_key = codebase.database_key
    callers: dict[str, set[str]] = defaultdict(set)
    for unit in built:
        for callee in unit.callees:
            if callee in names:
                callers[callee].add(names[unit.name])
    scheme = _database_scheme(requirements_of(codebase).names)
    public = sorted((u for u in built if u.public), key=lambda u: (u.name != partition.default_unit, u.name))
    host_ports = {unit.name: PORT + i for i, unit in enumerate(public)}
    skipped: set[str] = set()
    units = []
    for unit in built:
        name = names[unit.name]
        keys = [k for k in unit.config if k != database_key]
        skipped.update(k for k in keys if not _ENV_NAME.match(k))
        keys = [k for k in keys if _ENV_NAME.match(k)]
        database = None
        if unit.database and database_key:
            identifier = re.sub(r"\W", "_", unit.name).lower()
            database = Database(
                name=f"{name}-db",
                database=identifier,
                user=identifier,
                dev_url=f"{scheme}://{identifier}:REPLACE_ME@{name}-db:5432/{identifier}",
            )
        directory = "." if single else unit.name
        folder = architecture if single else f"{architecture}/{unit.name}"
        workflow = f"{architecture}.yml" if single else f"{architecture}-{name}.yml"
        watched = [f"{folder}/**", f".github/workflows/{workflow}"]
        if single:  # the deployment files around the unit do not change its image
            watched += [f"!{folder}/k8s/**", f"!{folder}/compose.yaml"]
        units.append(
            UnitDeployment(
                unit=unit.name,
                name=name,
                directory=directory,
                folder=folder,
                image=f"{slug}-{architecture}" if single else f"{slug}-{architecture}-{name}",
                public=unit.public,
                host_port=host_ports.get(unit.name),
                port_variable=re.sub(r"\W", "_", name).upper() + "_HOST_PORT",
                calls=tuple(
                    Peer(callee, names[callee], _url_env(callee, built))
                    for callee in unit.calls
                    if callee in names
                ),
                callers=tuple(sorted(callers.get(unit.name, ()))),
                settings=tuple(k for k in keys if not secret_keys.get(k, False)),
                secrets=tuple(k for k in keys if secret_keys.get(k, False)),
                database=database,
                command=json.dumps(_serve_command()),
                healthcheck=json.dumps(_healthcheck()),
                workflow=workflow,
                watched=tuple(watched),
                writable=tuple(f"{APP_DIR}/{folder}" for folder in unit.writable),
            )
        )
    routes = [
        (names[u.name], rule, frozenset(methods))
        for u in built
        if u.public
        for rule, methods in sorted(_methods_by_rule(u.routes).items())
    ]
    default = names.get(partition.default_unit, units[0].name)
    paths, unrouted = ingress_paths(routes, default_unit=default)
    namespace = f"{slug[: 62 - len(architecture)].rstrip('-')}-{architecture}"
    return Deployment(
        project=" ".join(project.split()),
        architecture=architecture,
        slug=slug,
        namespace=namespace,
        units=tuple(units),
        default_unit=default,
        database_key=database_key,
        database_scheme=scheme,
        ingress=paths,
        unrouted=unrouted,
        skipped_settings=tuple(sorted(skipped)),
        base=BASE_SIZING,
        dev=DEV_SIZING,
        prod=PROD_SIZING,
        app_uid=APP_UID,
        app_dir=APP_DIR,
        port=PORT,
        internal_port=INTERNAL_PORT,
        compose_key_file=COMPOSE_KEY_FILE,
        base_image=BASE_IMAGE,
        postgres_image=POSTGRES_IMAGE,
        postgres_uid=POSTGRES_UID,
        ingress_class=INGRESS_CLASS,
        ingress_namespace=INGRESS_NAMESPACE,
        monitoring_namespace=MONITORING_NAMESPACE,
        http_port_name=HTTP_PORT_NAME,
        internal_port_name=INTERNAL_PORT_NAME,
        unit_auth_secret=f"{slug}-unit-auth" if len(units) > 1 else None,
        unit_auth_key_env=UNIT_AUTH_KEY_ENV,
        unit_auth_key_file=UNIT_AUTH_KEY_FILE,
        secrets_dir=SECRETS_DIR,
        checkov_exceptions=CHECKOV_EXCEPTIONS,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:30].strip("-")


def _names(units: Iterable[str]) -> dict[str, str]:
    """Unit name → a DNS-1035 label (starts with a letter), unique among the units."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for unit in sorted(units):
        name = _slug(unit)
        name = re.sub(r"^[^a-z]+", "", name)[:_NAME_LENGTH].strip("-") or "unit"
        candidate, n = name, 2
        while candidate in taken:
            candidate = f"{name[: _NAME_LENGTH - 4]}-{n}"
            n += 1
        taken.add(candidate)
        names[unit] = candidate
    return names


def _url_env(unit: str, built: Sequence[BuiltUnit]) -> str:
    return next(u.url_env for u in built if u.name == unit)


def _database_scheme(names: frozenset[str]) -> str:
    """The SQLAlchemy URL scheme that reaches PostgreSQL with the driver the units install.

    ``names`` are canonical package names: psycopg 3 is ``psycopg``; ``postgresql://``
    means psycopg2 (``psycopg2``, ``psycopg2-binary``) to SQLAlchemy.
    """
    if "psycopg" in names and not any(name.startswith("psycopg2") for name in names):
        return "postgresql+psycopg"
    return "postgresql"


def _serve_command() -> list[str]:
    """The units' serve command (:data:`SERVE_COMMAND`) as a container runs it."""
    command: list[str] = []
    for part in SERVE_COMMAND:
        if part == "{python}":
            command.append("python")
        elif part.endswith(":{port}"):
            command.append(f"0.0.0.0:{PORT}")
        elif part.endswith(":{internal_port}"):
            command.append(f"0.0.0.0:{INTERNAL_PORT}")
        elif part.endswith(":app"):
            # the heartbeat file on a tmpfs: the root filesystem is read-only, and a disk-backed
            # heartbeat can stall workers
            command += ["--worker-tmp-dir", "/dev/shm", part]
        else:
            command.append(part)
    return command


def _healthcheck() -> list[str]:
    """Probe ``/healthz`` with the standard library: slim images have no curl."""
    return [
        "python",
        "-c",
        f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{PORT}/healthz', timeout=4)",
    ]


def _methods_by_rule(routes: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    by_rule: dict[str, set[str]] = defaultdict(set)
    for method, rule in routes:
        by_rule[rule].add(method)
    return by_rule


# -- the Ingress -----------------------------------------------------------------------------------


def ingress_paths(
    routes: Sequence[tuple[str, str, frozenset[str]]], *, default_unit: str
) -> tuple[tuple[IngressPath, ...], tuple[tuple[str, str, str], ...]]:
    """Ingress paths that send each public route where the ``monosplit run`` gateway sends it.

    ``routes`` are ``(unit, rule, methods)`` in manifest order (Flask or
    FastAPI rule syntax); a rule several units serve goes to the first, as
    in the gateway. Candidates: a static rule as an ``Exact`` path; a
    rule with variables as a ``Prefix`` path on its static segments before the
    first variable, for the unit most such rules go to; a ``Prefix`` path for
    every static prefix all of whose routes go to one unit (a resource such as
    ``/api/orders``); and ``Prefix /`` for the default unit. The most specific
    paths are then dropped while that sends no route to another unit. Only
    characters ingress-nginx accepts in such paths are used.

    Returns the paths (sorted) and the ``(unit, method, rule)`` that an
    Ingress, which cannot match on methods or variables, sends elsewhere.
    """
    # The gateway sends a rule two units serve to the first of them (manifest order).
    first: dict[tuple[str, str], str] = {}
    for unit, rule, methods in routes:
        for method in methods:
            first.setdefault((rule, method), unit)
    targets: list[tuple[str, str, str, str]] = []  # (sample path, expected unit, method, rule)
    for _, rule, methods in routes:
        for method in sorted(methods):
            targets.append((_sample_path(rule), first[(rule, method)], method, rule))
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    prefixes: set[str] = set()
    for _, expected, _, rule in targets:
        candidate = _candidate(rule)
        if candidate is not None:
            votes[candidate][expected] += 1
        prefixes.update(_static_prefixes(rule))
    order = {unit: i for i, (unit, _, _) in enumerate(reversed(routes))}  # earlier units win ties
    chosen = {("/", "Prefix"): default_unit}
    for key, counter in votes.items():
        chosen[key] = max(counter, key=lambda u: (counter[u], u == default_unit, order.get(u, -1)))
    for prefix in prefixes:
        below = {expected for sample, expected, _, _ in targets if _under(sample, prefix)}
        if len(below) == 1:
            chosen[(prefix, "Prefix")] = below.pop()
    paths = _without_redundant(
        {IngressPath(path, kind, unit) for (path, kind), unit in chosen.items()}, [t[0] for t in targets]
    )
    unrouted = {
        (expected, method, rule)
        for sample, expected, method, rule in targets
        if ingress_target(paths, sample) != expected
    }
    return tuple(sorted(paths)), tuple(sorted(unrouted))


def ingress_target(paths: Iterable[IngressPath], request_path: str) -> str | None:
    """The unit an Ingress with ``paths`` sends ``request_path`` to (Kubernetes' matching rules).

    The longest matching path wins, ``Exact`` before ``Prefix`` at equal
    length; a ``Prefix`` matches whole path elements (``/a`` matches ``/a/b``,
    not ``/ab``).
    """
    found = _winning(paths, request_path)
    return found.unit if found is not None else None


def _winning(paths: Iterable[IngressPath], request_path: str) -> IngressPath | None:
    best: IngressPath | None = None
    best_rank: tuple[int, bool] = (-1, False)
    for entry in sorted(paths):
        if entry.path_type == "Exact":
            if request_path != entry.path:
                continue
            rank = (len(entry.path), True)
        else:
            if not _under(request_path, entry.path):
                continue
            rank = (len(entry.path.rstrip("/")), False)
        if rank > best_rank:
            best, best_rank = entry, rank
    return best


def _sample_path(rule: str) -> str:
    """A concrete path the rule matches (variables filled in with plausible values)."""

    def value(found: re.Match[str]) -> str:
        converter = found.group("converter") or found.group(3) or "default"
        if converter == "any":
            return (found.group("arguments") or "x").split(",")[0].strip().strip("'\"") or "x"
        return _SAMPLE_VALUES.get(converter, "x")

    return _VARIABLE.sub(value, rule)


def _candidate(rule: str) -> tuple[str, str] | None:
    """The Ingress path a rule asks for: itself when static and plain, else its static prefix."""
    if not _VARIABLE.search(rule) and _SAFE_PATH.match(rule):
        return rule, "Exact"
    segments = rule.split("/")
    kept: list[str] = []
    for segment in segments[1:]:
        if _VARIABLE.search(segment) or not _SAFE_PATH.match(f"/{segment}"):
            break
        kept.append(segment)
    prefix = "/" + "/".join(s for s in kept if s)
    return (prefix, "Prefix") if prefix != "/" else None


def _static_prefixes(rule: str) -> list[str]:
    """The proper prefixes of a rule made of whole static segments (``/a``, ``/a/b`` of ``/a/b/<c>``)."""
    segments = _segments(rule)
    prefixes = []
    for i, segment in enumerate(segments[:-1]):
        if _VARIABLE.search(segment) or not _SAFE_PATH.match(f"/{segment}"):
            break
        prefixes.append("/" + "/".join(segments[: i + 1]))
    return prefixes


def _under(path: str, prefix: str) -> bool:
    """Whether ``prefix`` matches ``path`` as a Kubernetes ``Prefix`` path does (whole elements)."""
    wanted = _segments(prefix)
    return _segments(path)[: len(wanted)] == wanted


def _without_redundant(paths: set[IngressPath], samples: list[str]) -> set[IngressPath]:
    """``paths`` less those whose absence sends no sample to another unit (``Prefix /`` stays).

    The most specific go first, so a resource's ``Prefix`` replaces the paths below it.
    """
    current = set(paths)
    winner = {sample: _winning(current, sample) for sample in set(samples)}
    for entry in sorted(current, key=lambda e: (-len(_segments(e.path)), e.path_type != "Exact", e.path)):
        if entry.path == "/":
            continue
        rest = current - {entry}
        replacements = {s: _winning(rest, s) for s, w in winner.items() if w == entry}
        if all(r is not None and r.unit == entry.unit for r in replacements.values()):
            current = rest
            winner.update(replacements)
    return current


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


# -- pinning images after a build ------------------------------------------------------------------

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_IMAGE_ENTRY = re.compile(r"^  - name: (?P<name>\S+)\s*$")


class PinError(MonosplitError):
    """An image or digest ``pin_images`` cannot write."""


def parse_pin(text: str) -> tuple[str, str]:
    """``NAME@sha256:HEX`` → ``(NAME, "sha256:HEX")``; raise :class:`PinError` otherwise."""
    name, sep, digest = text.partition("@")
    if not sep or not name or not _DIGEST.match(digest):
        raise PinError(f"{text!r} is not IMAGE@sha256:<64 hex digits>")
    return name, digest


def pin_images(kustomization: str, pins: Mapping[str, str]) -> str:
    """The overlay's ``kustomization.yaml`` text with each image of ``pins`` pinned to its digest.

    ``pins`` maps an image name as the base names it (``app-microservices-catalog``,
    ``postgres``) to ``sha256:...``. A digest names one image for good, so the
    containers then run exactly what was built and scanned whatever a tag does
    later. Only the ``images:`` entries generation writes are changed (comments
    and the rest stay); an image the overlay does not list raises :class:`PinError`.
    """
    lines = kustomization.splitlines(keepends=True)
    try:
        start = lines.index("images:\n") + 1
    except ValueError:
        raise PinError("the kustomization has no images: list to pin") from None
    out = lines[:start]
    found: set[str] = set()
    current: str | None = None
    index = start
    while index < len(lines) and (lines[index].startswith("  ") or not lines[index].strip()):
        line = lines[index]
        entry = _IMAGE_ENTRY.match(line)
        if entry:
            _close(out, current, pins)
            current = entry["name"]
            found.add(current)
        if not (current in pins and line.strip().startswith("digest:")):
            out.append(line)
        index += 1
    _close(out, current, pins)
    unknown = sorted(set(pins) - found)
    if unknown:
        raise PinError(f"no image {', '.join(unknown)} in the overlay (it lists: {', '.join(sorted(found))})")
    return "".join(out + lines[index:])


def _close(out: list[str], entry: str | None, pins: Mapping[str, str]) -> None:
    if entry is not None and entry in pins:
        out.append(f"    digest: {pins[entry]}\n")
