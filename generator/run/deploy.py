"""``monosplit deploy``: apply an architecture's kustomization to a Kubernetes cluster with kubectl.

The use case :func:`deploy` builds the overlay (``kubectl kustomize``), checks that
the cluster answers, applies the manifests (``kubectl apply -f -``) and waits
for the rollout of every Deployment and StatefulSet, reporting each one.
Nothing is applied when the overlay does not build or no cluster answers.

kubectl is behind the small :class:`Kubectl` port, so the flow is tested
without a cluster; :class:`KubectlCli` runs the real command.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from analyzer.errors import MonosplitError

Emit = Callable[[str], None]

OVERLAYS = ("dev", "prod")
REACHABLE_TIMEOUT = "5s"


class DeployError(MonosplitError):
    """Nothing was applied: no overlay, no kubectl, a kustomization that does not build, no cluster."""


class RolloutError(MonosplitError):
    """The manifests were applied, but some workloads did not roll out in time."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class Completed:
    """What one kubectl command did."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def reason(self) -> str:
        """The last line the command wrote on stderr (or stdout): kubectl's own diagnosis."""
        lines = [line.strip() for line in (self.stderr or self.stdout).splitlines() if line.strip()]
        return lines[-1] if lines else f"kubectl exited with code {self.returncode}"


class Kubectl(Protocol):
    """Runs ``kubectl ARGS`` (with the chosen context), optionally with text on stdin."""

    def __call__(self, args: Sequence[str], *, stdin: str | None = None) -> Completed: ...


class KubectlCli:
    """The real kubectl, found on PATH."""

    def __init__(self, *, context: str | None, executable: str | None = None) -> None:
        found = executable or shutil.which("kubectl")
        if found is None:
            raise DeployError("kubectl not found on PATH (install kubectl to deploy)")
        self._argv = [found, *(["--context", context] if context else [])]

    def __call__(self, args: Sequence[str], *, stdin: str | None = None) -> Completed:
        try:
            result = subprocess.run(
                [*self._argv, *args], input=stdin, capture_output=True, text=True, check=False
            )
        except OSError as exc:
            return Completed(127, "", f"cannot run kubectl: {exc.strerror or exc}")
        return Completed(result.returncode, result.stdout, result.stderr)


@dataclass(frozen=True, slots=True)
class DeployOptions:
    overlay: str = "dev"
    context: str | None = None
    namespace: str | None = None
    rollout_timeout: float = 300.0


@dataclass(frozen=True, slots=True)
class Workload:
    """A Deployment or StatefulSet of the rendered manifests."""

    kind: str
    name: str
    namespace: str

    @property
    def ref(self) -> str:
        return f"{self.kind.lower()}/{self.name}"


@dataclass(frozen=True, slots=True)
class Rollout:
    workload: Workload
    ok: bool
    detail: str


def overlay_folder(architecture: Path, overlay: str) -> Path:
    """``DIR/k8s/overlays/<overlay>``; raise :class:`DeployError` if it is not there."""
    folder = architecture / "k8s" / "overlays" / overlay
    if not (folder / "kustomization.yaml").is_file():
        raise DeployError(
            f"{architecture}: no kustomization at k8s/overlays/{overlay} (generate the architecture first)"
        )
    return folder


def deploy(
    architecture: Path, options: DeployOptions, kubectl: Kubectl, *, emit: Emit
) -> tuple[Rollout, ...]:
    """Apply the overlay and wait for every rollout; return how each went.

    Raises :class:`DeployError` before applying anything when the overlay does not build
    or no cluster answers, and :class:`RolloutError` when a rollout failed.
    """
    folder = overlay_folder(architecture, options.overlay)
    manifests = render(folder, kubectl, namespace=options.namespace)
    where = options.context or "current"
    reachable = kubectl(["version", f"--request-timeout={REACHABLE_TIMEOUT}"])
    if reachable.returncode != 0:
        raise DeployError(f"no Kubernetes cluster reachable (context {where}): {reachable.reason}")
    workloads = workloads_of(manifests)
    emit(f"monosplit: applying {folder} ({len(workloads)} workload(s)) to context {where}")
    applied = kubectl(["apply", "-f", "-"], stdin=manifests)
    if applied.returncode != 0:
        raise DeployError(f"kubectl apply failed: {applied.reason}")
    for line in applied.stdout.splitlines():
        emit(f"  {line}")
    rollouts: list[Rollout] = []
    for workload in workloads:
        done = kubectl(
            [
                *("rollout", "status", workload.ref, "-n", workload.namespace),
                f"--timeout={options.rollout_timeout:g}s",
            ]
        )
        rollout = Rollout(workload, done.returncode == 0, done.stdout.strip() or done.reason)
        rollouts.append(rollout)
        emit(f"monosplit: {workload.ref} {'ready' if rollout.ok else 'NOT ready'}: {rollout.detail}")
    failed = [r.workload.ref for r in rollouts if not r.ok]
    if failed:
        raise RolloutError(f"rollout not complete for {', '.join(failed)}")
    emit(f"monosplit: deployed {len(rollouts)} workload(s)")
    return tuple(rollouts)


def render(overlay: Path, kubectl: Kubectl, *, namespace: str | None) -> str:
    """The overlay's manifests, built by ``kubectl kustomize`` (into ``namespace``, if given)."""
    if namespace is None:
        built = kubectl(["kustomize", str(overlay)])
    else:
        # kustomize moves every object (and the Namespace itself) into the new namespace;
        # the wrapping kustomization lives in a temporary folder, never in the user's.
        with tempfile.TemporaryDirectory(prefix="monosplit-deploy-") as scratch:
            relative = os.path.relpath(overlay.resolve(), scratch)  # kustomize refuses absolute paths
            (Path(scratch) / "kustomization.yaml").write_text(
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                f"namespace: {namespace}\nresources:\n  - {relative}\n",
                encoding="utf-8",
            )
            built = kubectl(["kustomize", scratch])
    if built.returncode != 0:
        raise DeployError(f"{overlay}: kubectl kustomize failed: {built.reason}")
    return built.stdout


_TOP = re.compile(r"^([A-Za-z]+):\s*(.*?)\s*$")
_META = re.compile(r"^  (name|namespace):\s*(.*?)\s*$")


def workloads_of(manifests: str) -> tuple[Workload, ...]:
    """The Deployments and StatefulSets of ``kubectl kustomize`` output, in its order.

    kustomize prints block-style YAML with two-space indentation, so the top-level
    ``kind`` and the ``metadata`` name and namespace are read line by line.
    """
    found: list[Workload] = []
    for document in re.split(r"^---\s*$", manifests, flags=re.MULTILINE):
        kind = name = namespace = ""
        section = ""
        for line in document.splitlines():
            if top := _TOP.match(line):
                section = top.group(1)
                if section == "kind":
                    kind = top.group(2)
            elif section == "metadata" and (meta := _META.match(line)):
                if meta.group(1) == "name":
                    name = meta.group(2).strip("'\"")
                else:
                    namespace = meta.group(2).strip("'\"")
        if kind in ("Deployment", "StatefulSet") and name:
            found.append(Workload(kind, name, namespace or "default"))
    return tuple(found)
