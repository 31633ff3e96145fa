"""Kubernetes footprint: objects by kind and requested CPU and memory, from ``kubectl kustomize`` output.

:func:`overlay_footprint` is pure (rendered YAML in, numbers out);
:func:`render_overlay` is the one place kubectl runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from generator.diff.model import KubernetesOverlay

KUBECTL_TIMEOUT = 60.0
_QUANTITY = re.compile(
    r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$"
)
_SUFFIX = {
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
    "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
}  # fmt: skip
#: Workload kinds whose pods run ``spec.replicas`` times.
_REPLICATED = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})


def parse_quantity(text: object) -> float:
    """A Kubernetes quantity in base units: ``"250m"`` → 0.25, ``"128Mi"`` → 134217728.

    >>> parse_quantity("250m"), parse_quantity("1Gi"), parse_quantity(2)
    (0.25, 1073741824.0, 2.0)

    Raises :class:`ValueError` for anything else.
    """
    if isinstance(text, bool):
        raise ValueError(f"not a quantity: {text!r}")
    if isinstance(text, int | float):
        return float(text)
    found = _QUANTITY.match(str(text).strip())
    if found is None:
        raise ValueError(f"not a quantity: {text!r}")
    number, exponent, suffix = found.groups()
    value = float(number)
    if exponent:
        value *= 10 ** int(exponent[1:])
    if suffix:
        value *= _SUFFIX[suffix]
    return value


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _pod_spec_and_copies(document: Mapping[str, Any]) -> tuple[Any, int]:
    """The pod spec a workload runs and how many pods of it run at once (0: not a workload)."""
    kind = document.get("kind")
    if kind in _REPLICATED:
        replicas = _get(document, "spec", "replicas")
        return _get(document, "spec", "template", "spec"), replicas if isinstance(replicas, int) else 1
    if kind == "DaemonSet":  # one pod per node; counted once, since nodes are unknown
        return _get(document, "spec", "template", "spec"), 1
    if kind == "Job":
        parallel = _get(document, "spec", "parallelism")
        return _get(document, "spec", "template", "spec"), parallel if isinstance(parallel, int) else 1
    if kind == "CronJob":
        parallel = _get(document, "spec", "jobTemplate", "spec", "parallelism")
        spec = _get(document, "spec", "jobTemplate", "spec", "template", "spec")
        return spec, parallel if isinstance(parallel, int) else 1
    if kind == "Pod":
        return document.get("spec"), 1
    return None, 0


def _requests(pod: Any) -> tuple[float, float]:
    """CPU (cores) and memory (bytes) the pod's containers request; a limit stands in for a missing request."""
    cpu = memory = 0.0
    containers = _get(pod, "containers")
    for container in containers if isinstance(containers, list) else ():
        resources = _get(container, "resources") or {}
        requests = _get(resources, "requests") or {}
        limits = _get(resources, "limits") or {}
        for key in ("cpu", "memory"):
            value = requests.get(key) if isinstance(requests, Mapping) else None
            if value is None and isinstance(limits, Mapping):
                value = limits.get(key)
            if value is None:
                continue
            amount = parse_quantity(value)
            if key == "cpu":
                cpu += amount
            else:
                memory += amount
    return cpu, memory


def overlay_footprint(name: str, rendered: str) -> KubernetesOverlay:
    """Objects by kind, and CPU and memory requested by every workload's pods times their replicas.

    Init containers run before the others and are left out; a DaemonSet counts as one pod.
    """
    try:
        documents = [d for d in yaml.safe_load_all(rendered) if isinstance(d, Mapping)]
    except yaml.YAMLError as exc:
        return KubernetesOverlay(name, error=f"kustomize output is not YAML: {exc}".splitlines()[0])
    kinds: Counter[str] = Counter()
    cpu = memory = 0.0
    try:
        for document in _flatten(documents):
            kinds[str(document.get("kind", "?"))] += 1
            pod, copies = _pod_spec_and_copies(document)
            if copies:
                pod_cpu, pod_memory = _requests(pod)
                cpu += pod_cpu * copies
                memory += pod_memory * copies
    except ValueError as exc:
        return KubernetesOverlay(name, error=str(exc))
    return KubernetesOverlay(
        name,
        kinds=tuple(sorted(kinds.items())),
        cpu_millicores=round(cpu * 1000),
        memory_bytes=round(memory),
    )


def _flatten(documents: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    """Documents, with a ``List`` object's items in its place."""
    for document in documents:
        if document.get("kind") == "List" and isinstance(document.get("items"), list):
            yield from (item for item in document["items"] if isinstance(item, Mapping))
        else:
            yield document


def render_overlay(folder: Path) -> KubernetesOverlay:
    """``kubectl kustomize folder``, summed up; a failure is recorded in ``error``, never raised."""
    name = folder.name
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return KubernetesOverlay(name, error="kubectl is not on PATH")
    try:
        result = subprocess.run(
            [kubectl, "kustomize", str(folder)],
            capture_output=True,
            text=True,
            timeout=KUBECTL_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return KubernetesOverlay(name, error=f"kubectl kustomize failed: {exc}")
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[0]
        return KubernetesOverlay(name, error=f"kubectl kustomize failed: {reason}")
    return overlay_footprint(name, result.stdout)


def kubernetes_footprint(architecture: Path) -> tuple[KubernetesOverlay, ...] | None:
    """Every overlay under ``architecture/k8s/overlays`` (or the base alone); ``None`` without a k8s folder."""
    root = architecture / "k8s"
    if not root.is_dir():
        return None
    overlays = root / "overlays"
    folders = sorted(p for p in overlays.iterdir() if p.is_dir()) if overlays.is_dir() else []
    if not folders and (root / "base").is_dir():
        folders = [root / "base"]
    # kubectl takes about a second per overlay, most of it waiting: render them side by side
    with ThreadPoolExecutor(max_workers=max(1, len(folders))) as pool:
        return tuple(pool.map(render_overlay, folders))
