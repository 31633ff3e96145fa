"""What ``monosplit verify OUT`` verifies: the architectures under OUT, and the routes to drive.

OUT is either a ``monosplit migrate`` output folder (``monolith/``,
``two-tier/``, ``microservices/`` and ``MIGRATION.md``) or one architecture
folder (holding ``monosplit-run.json``). The monolith is the reference: for a
single architecture, its sibling ``monolith/`` is verified with it when there
is one. Only when the whole output folder is verified are the findings written
into its ``MIGRATION.md``: a section about some architectures would read as if
it spoke for all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import MonosplitError
from generator.run.manifest import MANIFEST_NAME, RunManifest, load_manifest
from generator.run.routing import parse_rule

REFERENCE = "monolith"
MIGRATION_NAME = "MIGRATION.md"
# The order the generator writes them in (generator.generate.ARCHITECTURES, not imported:
# that would load libcst and the codemods just to verify); others follow by name.
_KNOWN_ORDER = ("monolith", "two-tier", "microservices")


class VerifyTargetError(MonosplitError):
    """The folder given to ``monosplit verify`` holds nothing to verify."""


@dataclass(frozen=True, slots=True)
class VerifyTarget:
    """The architectures to verify, the reference first, and the notes file to record findings in."""

    root: Path
    manifests: tuple[RunManifest, ...]
    migration: Path | None  # OUT/MIGRATION.md, when OUT is a whole migrate output

    @property
    def reference(self) -> RunManifest | None:
        first = self.manifests[0]
        return first if first.architecture == REFERENCE else None

    @property
    def candidates(self) -> tuple[RunManifest, ...]:
        return self.manifests[1:] if self.reference is not None else self.manifests


def find_target(path: Path) -> VerifyTarget:
    """The architectures under ``path``; raise :class:`VerifyTargetError` when there are none."""
    if not path.exists():
        raise VerifyTargetError(f"{path}: no such folder")
    if not path.is_dir():
        raise VerifyTargetError(
            f"{path}: not a folder (give a monosplit migrate output or an architecture folder)"
        )
    if (path / MANIFEST_NAME).is_file():
        manifest = load_manifest(path)
        sibling = path.resolve().parent / REFERENCE
        manifests = [manifest]
        if manifest.architecture != REFERENCE and (sibling / MANIFEST_NAME).is_file():
            manifests.insert(0, load_manifest(sibling))
        return VerifyTarget(path, tuple(manifests), None)
    folders = sorted(p for p in path.iterdir() if (p / MANIFEST_NAME).is_file())
    if not folders:
        raise VerifyTargetError(
            f"{path}: neither a monosplit migrate output nor an architecture folder (no {MANIFEST_NAME} in it "
            "or its folders)"
        )
    manifests = sorted((load_manifest(folder) for folder in folders), key=_order)
    migration = path / MIGRATION_NAME
    return VerifyTarget(path, tuple(manifests), migration if migration.is_file() else None)


def _order(manifest: RunManifest) -> tuple[int, str]:
    known = manifest.architecture in _KNOWN_ORDER
    return (
        _KNOWN_ORDER.index(manifest.architecture) if known else len(_KNOWN_ORDER),
        manifest.path.parent.name,
    )


def is_probed(rule: str, methods: frozenset[str]) -> bool:
    """A route verification GETs: it allows GET and its rule has no variables.

    >>> is_probed("/api/products", frozenset({"GET", "POST"})), is_probed("/api/products/<int:id>", frozenset())
    (True, False)
    """
    return (not methods or "GET" in methods) and parse_rule(rule).is_static


def probe_routes(manifests: Iterable[RunManifest]) -> tuple[str, ...]:
    """Every public GET route without parameters of any of the architectures, sorted.

    All architectures are asked the same paths, so one that lost (or grew) a route shows.
    """
    return tuple(
        sorted({rule for m in manifests for _, rule, methods in m.public_routes if is_probed(rule, methods)})
    )


def routes_not_probed(manifests: Iterable[RunManifest]) -> int:
    """How many public rules (with their methods) are not driven: they take parameters or no GET."""
    return len(
        {
            (rule, method)
            for m in manifests
            for _, rule, methods in m.public_routes
            for method in sorted(methods or {"*"})
            if not (method in ("GET", "*") and parse_rule(rule).is_static)
        }
    )
