"""Kubernetes footprint: quantities, objects by kind and requested resources, and kubectl kustomize."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from generator.diff.kubernetes import kubernetes_footprint, overlay_footprint, parse_quantity

RENDERED = """\
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  template:
    spec:
      initContainers:
      - name: migrate
        resources: {requests: {cpu: "4", memory: 4Gi}}
      containers:
      - name: web
        resources: {requests: {cpu: 250m, memory: 128Mi}, limits: {cpu: "1", memory: 512Mi}}
      - name: sidecar
        resources: {requests: {cpu: 50m}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers:
      - name: postgres
        resources: {limits: {cpu: 500m, memory: 1Gi}}
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
"""


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("250m", 0.25),
        ("1", 1.0),
        ("1.5", 1.5),
        ("128Mi", 128 * 2**20),
        ("1Gi", 2**30),
        ("500M", 5e8),
        ("1e3", 1000.0),
        (2, 2.0),
    ],
)
def test_quantities(text: object, value: float) -> None:
    assert parse_quantity(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "12Q", "abc", True])
def test_not_quantities(text: object) -> None:
    with pytest.raises(ValueError, match="not a quantity"):
        parse_quantity(text)


def test_objects_by_kind_and_requests_times_replicas() -> None:
    overlay = overlay_footprint("dev", RENDERED)
    assert overlay.error is None
    assert dict(overlay.kinds) == {"ConfigMap": 2, "Deployment": 1, "Service": 1, "StatefulSet": 1}
    assert overlay.objects == 5
    # 3 x (250m + 50m) + the database's limit standing in for its request; init containers left out
    assert overlay.cpu_millicores == 3 * 300 + 500
    assert overlay.memory_bytes == 3 * 128 * 2**20 + 2**30


def test_a_bad_quantity_is_an_error_of_the_overlay_not_a_crash() -> None:
    overlay = overlay_footprint("prod", RENDERED.replace("250m", "lots"))
    assert overlay.error == "not a quantity: 'lots'"


def test_no_k8s_folder_is_not_generated(tmp_path: Path) -> None:
    assert kubernetes_footprint(tmp_path) is None


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
def test_overlays_are_rendered_with_kubectl_kustomize(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "k8s/base/kustomization.yaml": "resources: [web.yaml]\n",
            "k8s/base/web.yaml": """\
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: web
                        image: web:1
                        resources: {requests: {cpu: 100m, memory: 64Mi}}
                """,
            "k8s/overlays/dev/kustomization.yaml": "resources: [../../base]\n",
            "k8s/overlays/prod/kustomization.yaml": """\
                resources: [../../base]
                replicas: [{name: web, count: 4}]
                """,
            "k8s/overlays/broken/kustomization.yaml": "resources: [../../nowhere]\n",
        },
    )
    broken, dev, prod = kubernetes_footprint(tmp_path) or ()
    assert (dev.name, dev.objects, dev.cpu_millicores, dev.memory_bytes) == ("dev", 1, 100, 64 * 2**20)
    assert (prod.name, prod.cpu_millicores, prod.memory_bytes) == ("prod", 400, 256 * 2**20)
    assert broken.name == "broken"
    assert broken.error is not None
    assert broken.error.startswith("kubectl kustomize failed: ")
    assert "\n" not in broken.error
