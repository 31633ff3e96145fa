"""``monosplit deploy``: the flow against a fake kubectl, and the real one with no cluster."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from generator.run.deploy import Completed, DeployError, DeployOptions, RolloutError, deploy, workloads_of
from tests.generator.live import MONOSPLIT

ROOT = Path(__file__).resolve().parents[3]
MICROSERVICES = ROOT / "output" / "microservices"

RENDERED = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    name: not-this
  name: cart
  namespace: shop
spec:
  template:
    metadata:
      name: nor-this
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cart-db
  namespace: shop
"""


class FakeKubectl:
    def __init__(self, *, reachable: bool = True, failing_rollout: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.reachable = reachable
        self.failing_rollout = failing_rollout

    def __call__(self, args: Sequence[str], *, stdin: str | None = None) -> Completed:
        self.calls.append(list(args))
        if args[0] == "kustomize":
            return Completed(0, RENDERED, "")
        if args[0] == "version":
            return Completed(0, "", "") if self.reachable else Completed(1, "", "connection refused\n")
        if args[0] == "apply":
            assert stdin == RENDERED
            return Completed(0, "deployment.apps/cart created\n", "")
        if args[:2] == ["rollout", "status"]:
            if args[2] == self.failing_rollout:
                return Completed(1, "", "error: timed out waiting for the condition")
            return Completed(0, f"{args[2]} successfully rolled out\n", "")
        raise AssertionError(args)


def test_workloads_are_read_from_the_rendered_manifests() -> None:
    found = [(w.kind, w.name, w.namespace) for w in workloads_of(RENDERED)]
    assert found == [("Deployment", "cart", "shop"), ("StatefulSet", "cart-db", "shop")]


def test_deploy_applies_then_waits_for_every_rollout() -> None:
    kubectl = FakeKubectl()
    lines: list[str] = []
    rollouts = deploy(MICROSERVICES, DeployOptions(), kubectl, emit=lines.append)
    assert [r.ok for r in rollouts] == [True, True]
    assert [c[0] for c in kubectl.calls] == ["kustomize", "version", "apply", "rollout", "rollout"]
    assert kubectl.calls[3][:5] == ["rollout", "status", "deployment/cart", "-n", "shop"]
    assert lines[-1] == "monosplit: deployed 2 workload(s)"


def test_nothing_is_applied_without_a_cluster() -> None:
    kubectl = FakeKubectl(reachable=False)
    with pytest.raises(
        DeployError, match=r"no Kubernetes cluster reachable \(context dev\): connection refused"
    ):
        deploy(MICROSERVICES, DeployOptions(context="dev"), kubectl, emit=print)
    assert [c[0] for c in kubectl.calls] == ["kustomize", "version"]


def test_a_failed_rollout_is_reported_per_workload() -> None:
    kubectl = FakeKubectl(failing_rollout="statefulset/cart-db")
    lines: list[str] = []
    with pytest.raises(RolloutError, match="statefulset/cart-db"):
        deploy(MICROSERVICES, DeployOptions(), kubectl, emit=lines.append)
    assert any("statefulset/cart-db NOT ready: error: timed out" in line for line in lines)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_the_real_command_with_no_cluster_says_so_in_one_line(tmp_path: Path) -> None:
    # an empty kubeconfig: no context, no server, whatever this machine has
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    result = subprocess.run(
        [MONOSPLIT, "deploy", str(MICROSERVICES), "--overlay", "prod"],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "KUBECONFIG": str(kubeconfig)},
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("monosplit: error: no Kubernetes cluster reachable (context current): ")
    assert "Traceback" not in result.stderr
