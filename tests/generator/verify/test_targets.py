"""What a folder given to verify holds: the architectures, the reference, the routes to drive."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.run.manifest import ManifestError
from generator.verify.targets import (
    VerifyTargetError,
    find_target,
    is_probed,
    probe_routes,
    routes_not_probed,
)

OUTPUT = Path(__file__).resolve().parents[3] / "output"


def test_a_migrate_output_is_every_architecture_with_the_monolith_first() -> None:
    target = find_target(OUTPUT)
    assert [m.architecture for m in target.manifests] == ["monolith", "two-tier", "microservices"]
    assert target.reference is not None and target.reference.architecture == "monolith"
    assert [m.architecture for m in target.candidates] == ["two-tier", "microservices"]
    assert target.migration == OUTPUT / "MIGRATION.md"


def test_one_architecture_is_verified_with_its_sibling_monolith_and_writes_no_notes() -> None:
    target = find_target(OUTPUT / "microservices")
    assert [m.architecture for m in target.manifests] == ["monolith", "microservices"]
    assert target.migration is None
    alone = find_target(OUTPUT / "monolith")
    assert [m.architecture for m in alone.manifests] == ["monolith"] and not alone.candidates


def test_an_architecture_without_a_monolith_next_to_it_has_no_reference(tmp_path: Path) -> None:
    shutil.copy(OUTPUT / "two-tier" / "monosplit-run.json", tmp_path / "monosplit-run.json")
    target = find_target(tmp_path)
    assert target.reference is None and [m.architecture for m in target.candidates] == ["two-tier"]


def test_folders_with_nothing_to_verify_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(VerifyTargetError, match="no such folder"):
        find_target(tmp_path / "missing")
    with pytest.raises(
        VerifyTargetError, match="neither a monosplit migrate output nor an architecture folder"
    ):
        find_target(tmp_path)
    (tmp_path / "monosplit-run.json").write_text("{")
    with pytest.raises(ManifestError, match="not valid JSON"):
        find_target(tmp_path)


def test_the_routes_driven_are_the_parameterless_get_routes_of_every_architecture() -> None:
    target = find_target(OUTPUT)
    routes = probe_routes(target.manifests)
    assert routes == tuple(sorted(routes)) and "/api/catalog/products" in routes and "/healthz" in routes
    assert not any("<" in rule for rule in routes)
    assert routes_not_probed(target.manifests) > 0
    assert is_probed("/items", frozenset()) and not is_probed("/items", frozenset({"POST"}))
    assert not is_probed("/items/{item_id}", frozenset({"GET"}))
