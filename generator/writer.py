"""The one place that writes generated files: render first, then apply.

Generation returns a list of :class:`GeneratedFile`; :func:`apply` writes
them under a destination folder and reports each file as created, updated,
identical, removed or in conflict. A manifest in the destination records the
hash of every file it wrote, so a later run can tell the generator's old
output (safe to update) from a file the user changed since (never
overwritten without ``force``). Writes are atomic, and no path can reach
outside the destination, whatever a hand-edited plan says.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

from analyzer.errors import MonosplitError

MANIFEST_NAME = ".monosplit-manifest.json"
MANIFEST_FORMAT = "monosplit-manifest"
MANIFEST_VERSION = 1


class UnsafePathError(MonosplitError):
    """A generated path that would land outside the destination."""


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    IDENTICAL = "identical"
    REMOVED = "removed"
    CONFLICT = "conflict"  # the user changed it since it was generated: left alone
    KEPT = "kept"  # no longer generated, but the user changed it: left alone
    OVERWRITTEN = "overwritten"  # the user had changed it, and --force replaced it


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """One file to write: a relative POSIX path, its bytes, its mode."""

    path: str
    content: bytes
    executable: bool = False

    @staticmethod
    def text(path: str, content: str, *, executable: bool = False) -> GeneratedFile:
        return GeneratedFile(path, content.encode("utf-8"), executable)


@dataclass(frozen=True, slots=True)
class WriteReport:
    outcomes: tuple[tuple[str, Outcome], ...] = field(default_factory=tuple)

    def of(self, outcome: Outcome) -> list[str]:
        return [path for path, o in self.outcomes if o is outcome]

    @property
    def conflicts(self) -> list[str]:
        return self.of(Outcome.CONFLICT)


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def safe_relative(path: str) -> PurePosixPath:
    """``path`` as a relative path that stays inside its root; raises :class:`UnsafePathError`."""
    if not path or "\0" in path or "\\" in path:
        raise UnsafePathError(f"generated path {path!r} is not a plain relative path")
    pure = PurePosixPath(path)
    if pure.is_absolute() or any(part in ("..", "") for part in pure.parts) or pure.parts[0] == ".":
        raise UnsafePathError(f"generated path {path!r} would leave the destination folder")
    if pure.name == MANIFEST_NAME:
        raise UnsafePathError(f"generated path {path!r} would replace the manifest")
    return pure


def _inside(dest: Path, target: Path) -> bool:
    """Whether ``target`` (after resolving any symlinks in its folders) is under ``dest``."""
    real_dest = dest.resolve()
    parent = target.parent.resolve()
    return parent == real_dest or real_dest in parent.parents


def read_manifest(dest: Path) -> dict[str, str]:
    """Relative path → hash of what the generator last wrote there ({} when none or unreadable)."""
    try:
        data = json.loads((dest / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return {}
    files = data.get("files")
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _write_atomic(target: Path, content: bytes, executable: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, (0o777 if executable else 0o666) & ~mask)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def apply(files: Iterable[GeneratedFile], dest: Path, *, force: bool = False) -> WriteReport:
    """Write ``files`` under ``dest``; never clobber a file the user changed unless ``force``.

    Raises :class:`UnsafePathError` (before writing anything) when a path would
    leave ``dest``; other file system errors surface as :class:`MonosplitError`.
    """
    planned = sorted(files, key=lambda f: f.path)
    seen: set[PurePosixPath] = set()
    for generated in planned:
        rel = safe_relative(generated.path)
        if rel in seen:
            raise UnsafePathError(f"generated path {generated.path!r} appears twice")
        seen.add(rel)
    dest.mkdir(parents=True, exist_ok=True)
    for generated in planned:
        if not _inside(dest, dest / generated.path):
            raise UnsafePathError(f"generated path {generated.path!r} goes through a link out of {dest}")
    previous = read_manifest(dest)
    manifest: dict[str, str] = {}
    outcomes: list[tuple[str, Outcome]] = []
    try:
        for generated in planned:
            target = dest / generated.path
            new_hash = _digest(generated.content)
            if target.is_symlink() or (target.exists() and not target.is_file()):
                outcomes.append((generated.path, Outcome.CONFLICT))
                continue
            if target.exists():
                current_hash = _digest(target.read_bytes())
                if current_hash == new_hash:
                    outcomes.append((generated.path, Outcome.IDENTICAL))
                    manifest[generated.path] = new_hash
                    if generated.executable and not target.stat().st_mode & stat.S_IXUSR:
                        _write_atomic(target, generated.content, True)
                    continue
                user_changed = previous.get(generated.path) != current_hash
                if user_changed and not force:
                    outcomes.append((generated.path, Outcome.CONFLICT))
                    if generated.path in previous:
                        manifest[generated.path] = previous[generated.path]
                    continue
                _write_atomic(target, generated.content, generated.executable)
                outcomes.append((generated.path, Outcome.OVERWRITTEN if user_changed else Outcome.UPDATED))
            else:
                _write_atomic(target, generated.content, generated.executable)
                outcomes.append((generated.path, Outcome.CREATED))
            manifest[generated.path] = new_hash
        wanted = {f.path for f in planned}
        for old_path, old_hash in sorted(previous.items()):
            if old_path in wanted:
                continue
            try:
                rel = safe_relative(old_path)
            except UnsafePathError:
                continue  # a tampered manifest never steers a deletion
            target = dest / rel
            if not target.is_file() or target.is_symlink() or not _inside(dest, target):
                continue
            if _digest(target.read_bytes()) == old_hash or force:
                target.unlink()
                outcomes.append((old_path, Outcome.REMOVED))
            else:
                outcomes.append((old_path, Outcome.KEPT))
        _write_manifest(dest, manifest)
    except OSError as exc:
        raise MonosplitError(f"{dest}: cannot write generated files: {exc.strerror or exc}") from None
    return WriteReport(tuple(outcomes))


def _write_manifest(dest: Path, files: dict[str, str]) -> None:
    document = {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "files": dict(sorted(files.items()))}
    _write_atomic(dest / MANIFEST_NAME, (json.dumps(document, indent=1) + "\n").encode(), False)


def rewrite_generated(dest: Path, path: str, content: bytes) -> Outcome:
    """Replace one file under ``dest`` with ``content`` that monosplit made from it (verify's findings).

    The manifest keeps telling the user's edits from monosplit's: a file nobody
    changed since it was generated stays monosplit's (its new hash is recorded,
    so the next ``generate`` may update it); a file the user had changed stays
    theirs. Returns :attr:`Outcome.UPDATED` or :attr:`Outcome.IDENTICAL`.
    """
    rel = safe_relative(path)
    target = dest / rel
    if not _inside(dest, target) or target.is_symlink():
        raise UnsafePathError(f"{target}: not a plain file inside {dest}")
    try:
        current = target.read_bytes()
        if current == content:
            return Outcome.IDENTICAL
        previous = read_manifest(dest)
        _write_atomic(target, content, bool(target.stat().st_mode & stat.S_IXUSR))
        if previous.get(rel.as_posix()) == _digest(current):
            previous[rel.as_posix()] = _digest(content)
            _write_manifest(dest, previous)
    except OSError as exc:
        raise MonosplitError(f"{target}: cannot write: {exc.strerror or exc}") from None
    return Outcome.UPDATED
