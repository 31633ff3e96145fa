"""The deployment files hold up to a security scanner and start as built.

The sample's three architectures are generated and each overlay built with the
real ``kubectl kustomize``. On what it builds: every Secret and ConfigMap a
workload needs exists in the workload's namespace (dev), or is one the README
tells production to create (prod); secrets reach containers as files only;
the PostgreSQL containers run as a high UID. checkov (from PyPI, run with
``--skip-download`` and the generated ``.checkov.yaml``) then finds nothing
in the Dockerfiles, the workflows, the dev overlays and the prod overlays once
``monosplit pin`` has pinned their images, and only the missing digests before.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.generate.deploy import CHECKOV_EXCEPTIONS, PinError, parse_pin, pin_images
from tests.generator.test_deploy_artifacts import ARCHITECTURES, OVERLAYS, SAMPLE, Tree, _generate, _kubectl

ROOT = Path(__file__).resolve().parents[2]
#: where .ci/run installs checkov (see checkov-requirements.txt)
CI_CHECKOV = ROOT / ".ci" / ".cache" / "checkov" / "bin" / "checkov"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return _generate(SAMPLE, tmp_path_factory.mktemp("sample"), project="sample_monolith")


def _checkov() -> str:
    for candidate in (
        os.environ.get("MONOSPLIT_CHECKOV"),
        str(Path(sys.executable).with_name("checkov")),
        shutil.which("checkov"),
        str(CI_CHECKOV),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    message = "checkov is not installed (see tests/generator/checkov-requirements.txt)"
    if os.environ.get("CI"):
        pytest.fail(message + "; .ci/run installs it")
    pytest.skip(message)


def _scan(checkov: str, config: Path, framework: str, folder: Path) -> list[dict[str, Any]]:
    """checkov's failed checks for one framework over ``folder``."""
    result = subprocess.run(
        [
            *(checkov, "--config-file", str(config), "--framework", framework, "-d", str(folder)),
            *("--skip-download", "--quiet", "--compact", "-o", "json"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [check for report in reports for check in report.get("results", {}).get("failed_checks", [])]
    passed = sum(report.get("summary", {}).get("passed", 0) for report in reports)
    assert passed > 0, f"checkov checked nothing with {framework} in {folder}"
    return failed


def _findings(failed: list[dict[str, Any]]) -> list[str]:
    return sorted({f"{c['check_id']} {c['file_path']} {c.get('resource', '')}" for c in failed})


def _build(kubectl: str, overlay: Path) -> str:
    return subprocess.run(
        [kubectl, "kustomize", str(overlay)], capture_output=True, text=True, check=True
    ).stdout


# -- what a workload needs is there ------------------------------------------------------------------


def _references(workload: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The Secrets and ConfigMaps a Deployment or StatefulSet cannot start without."""
    pod = workload["spec"]["template"]["spec"]
    secrets: set[str] = set()
    maps: set[str] = set()
    for container in pod.get("containers", []) + pod.get("initContainers", []):
        for source in container.get("envFrom", []):
            if "secretRef" in source and not source["secretRef"].get("optional"):
                secrets.add(source["secretRef"]["name"])
            if "configMapRef" in source and not source["configMapRef"].get("optional"):
                maps.add(source["configMapRef"]["name"])
        for variable in container.get("env", []):
            found = variable.get("valueFrom", {})
            if "secretKeyRef" in found and not found["secretKeyRef"].get("optional"):
                secrets.add(found["secretKeyRef"]["name"])
            if "configMapKeyRef" in found and not found["configMapKeyRef"].get("optional"):
                maps.add(found["configMapKeyRef"]["name"])
    for volume in pod.get("volumes", []):
        if "secret" in volume and not volume["secret"].get("optional"):
            secrets.add(volume["secret"]["secretName"])
        if "configMap" in volume and not volume["configMap"].get("optional"):
            maps.add(volume["configMap"]["name"])
    return secrets, maps


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_secret_and_config_map_a_workload_needs_is_in_its_namespace(sample: Tree, overlay: str) -> None:
    _kubectl()
    for architecture in ARCHITECTURES:
        objects = sample.objects(architecture, overlay)
        (namespace,) = [o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"]
        # nothing lands in "default": every namespaced object carries the app's namespace
        assert all(o["metadata"].get("namespace") == namespace for o in objects if o["kind"] != "Namespace")
        present = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objects}
        readme = (sample.root / architecture / "k8s" / "README.md").read_text(encoding="utf-8")
        workloads = [o for o in objects if o["kind"] in ("Deployment", "StatefulSet")]
        needed_secrets = 0
        for workload in workloads:
            secrets, maps = _references(workload)
            where = workload["metadata"]["namespace"]
            for name in maps:
                assert ("ConfigMap", where, name) in present, f"{architecture}/{overlay}: {name}"
            for name in secrets:
                needed_secrets += 1
                if overlay == "dev":
                    assert ("Secret", where, name) in present, f"{architecture}/{overlay}: {name}"
                else:  # production creates its Secrets itself, as the README says
                    assert f"`{name}`" in readme, f"{architecture}: {name} is not documented"
        assert needed_secrets > 0
        if overlay == "prod":
            assert not [o for o in objects if o["kind"] == "Secret"]


def test_secrets_reach_containers_as_files(sample: Tree) -> None:
    _kubectl()
    for architecture in ARCHITECTURES:
        for workload in sample.objects(architecture, "dev", "Deployment"):
            pod = workload["spec"]["template"]["spec"]
            (container,) = pod["containers"]
            mounts = {m["name"]: m for m in container.get("volumeMounts", [])}
            secret_volumes = {v["name"]: v["secret"] for v in pod["volumes"] if "secret" in v}
            env = {v["name"]: v for v in container.get("env", [])}
            assert not [v for v in env.values() if "valueFrom" in v]
            assert not [s for s in container.get("envFrom", []) if "secretRef" in s]
            for name in secret_volumes:
                assert mounts[name]["readOnly"] is True
            files = {k: v["value"] for k, v in env.items() if k.endswith("_FILE")}
            for path in files.values():  # each *_FILE points into a mounted Secret
                assert any(path.startswith(mounts[name]["mountPath"] + "/") for name in secret_volumes)
            if architecture == "monolith":
                assert "MONOSPLIT_UNIT_AUTH_KEY_FILE" not in files  # nobody to talk to
            else:
                assert files["MONOSPLIT_UNIT_AUTH_KEY_FILE"] == "/var/run/secrets/monosplit/unit-auth/key"
                assert secret_volumes["unit-auth"]["secretName"] == "sample-monolith-unit-auth"
            if "secrets" in secret_volumes:
                assert files["DATABASE_URL_FILE"].endswith("/DATABASE_URL")
        if architecture != "monolith":
            (auth,) = [
                s
                for s in sample.objects(architecture, "dev", "Secret")
                if s["metadata"]["name"] == "sample-monolith-unit-auth"
            ]
            assert len(auth["stringData"]["key"]) >= 16
            assert "unit-auth" not in (sample.root / architecture / "k8s" / "base").joinpath(
                "kustomization.yaml"
            ).read_text(encoding="utf-8")


def test_postgresql_runs_as_a_high_uid_with_its_password_from_a_file(sample: Tree) -> None:
    _kubectl()
    databases = sample.objects("microservices", "prod", "StatefulSet")
    assert databases
    for database in databases:
        pod = database["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsUser"] >= 10000 and pod["securityContext"]["fsGroup"] >= 10000
        (container,) = pod["containers"]
        env = {v["name"]: v for v in container["env"]}
        assert "POSTGRES_PASSWORD" not in env and env["POSTGRES_PASSWORD_FILE"]["value"].endswith(
            "/POSTGRES_PASSWORD"
        )


def test_pull_policies_follow_how_images_are_named(sample: Tree) -> None:
    _kubectl()
    for architecture in ARCHITECTURES:
        for overlay, policy in (("dev", "IfNotPresent"), ("prod", "Always")):
            for workload in sample.objects(architecture, overlay, "Deployment"):
                (container,) = workload["spec"]["template"]["spec"]["containers"]
                assert container["imagePullPolicy"] == policy, f"{architecture}/{overlay}"


# -- checkov -------------------------------------------------------------------------------------------


def test_checkov_finds_nothing_outside_the_documented_exceptions(sample: Tree, tmp_path: Path) -> None:
    kubectl = _kubectl()
    checkov = _checkov()
    config = sample.root / ".checkov.yaml"
    listed = re.findall(r"^  - (CKV\w+)$", config.read_text(encoding="utf-8"), re.MULTILINE)
    assert listed == [c.id for c in CHECKOV_EXCEPTIONS] and len(listed) <= 3  # a short list
    # the Dockerfiles and the workflows, as generated
    dockerfiles = _scan(checkov, config, "dockerfile", sample.root)
    workflows = _scan(checkov, config, "github_actions", sample.root)
    assert (_findings(dockerfiles), _findings(workflows)) == ([], [])
    # every overlay as kustomize builds it; prod as released: its images pinned to their digests
    unpinned = tmp_path / "unpinned"
    built = tmp_path / "built"
    unpinned.mkdir()
    built.mkdir()
    runner = CliRunner()
    for architecture in ARCHITECTURES:
        prod = sample.root / architecture / "k8s" / "overlays" / "prod"
        (unpinned / f"{architecture}-prod.yaml").write_text(_build(kubectl, prod), encoding="utf-8")
        names = re.findall(
            r"^  - name: (\S+)$", (prod / "kustomization.yaml").read_text("utf-8"), re.MULTILINE
        )
        digests = [f"{name}@sha256:{i:064x}" for i, name in enumerate(names, start=1)]
        pinned = runner.invoke(main, ["pin", str(sample.root / architecture), *digests])
        assert pinned.exit_code == 0, pinned.output
        assert pinned.output.count("monosplit: pinned ") == len(names)
        for overlay in OVERLAYS:
            text = _build(kubectl, sample.root / architecture / "k8s" / "overlays" / overlay)
            (built / f"{architecture}-{overlay}.yaml").write_text(text, encoding="utf-8")
        assert "@sha256:" in (built / f"{architecture}-prod.yaml").read_text(encoding="utf-8")
    assert _findings(_scan(checkov, config, "kubernetes", built)) == []
    # before pinning, the digests alone are missing: one finding per container
    before = _scan(checkov, config, "kubernetes", unpinned)
    assert {c["check_id"] for c in before} == {"CKV_K8S_43"}
    containers = sum(
        len(o["spec"]["template"]["spec"]["containers"])
        for a in ARCHITECTURES
        for o in sample.objects(a, "prod")
        if o["kind"] in ("Deployment", "StatefulSet")
    )
    assert len(before) == containers


# -- pinning ---------------------------------------------------------------------------------------------

_KUSTOMIZATION = """\
# a comment stays
kind: Kustomization
images:
  - name: app-a
    newName: registry.example.com/app-a
    newTag: "0.1.0"
  - name: postgres
    newTag: "17.5"
patches: []
"""


def test_pin_writes_a_digest_into_each_named_image_entry() -> None:
    digest = "sha256:" + "ab" * 32
    once = pin_images(_KUSTOMIZATION, {"postgres": digest})
    assert once == _KUSTOMIZATION.replace('newTag: "17.5"\n', f'newTag: "17.5"\n    digest: {digest}\n')
    other = "sha256:" + "cd" * 32
    twice = pin_images(once, {"postgres": other, "app-a": digest})
    assert twice.count("digest:") == 2 and digest in twice and other in twice
    assert twice.index(f"digest: {digest}") < twice.index("- name: postgres") < twice.index(other)
    assert yaml.safe_load(twice)["images"][1] == {"name": "postgres", "newTag": "17.5", "digest": other}
    with pytest.raises(PinError, match="no image missing in the overlay"):
        pin_images(_KUSTOMIZATION, {"missing": digest})


@pytest.mark.parametrize("text", ["app", "app@sha256:12", "@sha256:" + "0" * 64, "app@md5:" + "0" * 64])
def test_pin_refuses_what_is_not_a_digest(text: str) -> None:
    with pytest.raises(PinError):
        parse_pin(text)


def test_pin_reports_a_missing_overlay_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["pin", str(tmp_path), "app@sha256:" + "0" * 64])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"monosplit: error: {tmp_path}/k8s/overlays/prod/kustomization.yaml: no such file (generate the "
        "architecture first)"
    ]
