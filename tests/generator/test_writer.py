"""Render-then-apply: created / identical / conflict, never clobbering the user's edits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.writer import MANIFEST_NAME, GeneratedFile, Outcome, UnsafePathError, apply, rewrite_generated


def _files(**texts: str) -> list[GeneratedFile]:
    return [GeneratedFile.text(path.replace("__", "/"), text) for path, text in texts.items()]


def test_first_run_creates_and_second_run_is_identical(tmp_path: Path) -> None:
    files = _files(a__app_py="print(1)\n", README_md="# hi\n")
    first = apply(files, tmp_path)
    assert sorted(first.of(Outcome.CREATED)) == ["README_md", "a/app_py"]
    assert (tmp_path / "a" / "app_py").read_text() == "print(1)\n"
    second = apply(files, tmp_path)
    assert sorted(second.of(Outcome.IDENTICAL)) == ["README_md", "a/app_py"]
    assert (tmp_path / MANIFEST_NAME).is_file()


def test_generator_changes_update_but_user_changes_are_kept(tmp_path: Path) -> None:
    apply(_files(mine="v1\n", theirs="v1\n"), tmp_path)
    (tmp_path / "mine").write_text("edited by the user\n")
    report = apply(_files(mine="v2\n", theirs="v2\n"), tmp_path)
    assert report.conflicts == ["mine"]
    assert report.of(Outcome.UPDATED) == ["theirs"]
    assert (tmp_path / "mine").read_text() == "edited by the user\n"
    assert (tmp_path / "theirs").read_text() == "v2\n"
    # still a conflict next time: the manifest keeps the generator's last version
    assert apply(_files(mine="v3\n", theirs="v2\n"), tmp_path).conflicts == ["mine"]
    forced = apply(_files(mine="v3\n", theirs="v2\n"), tmp_path, force=True)
    assert forced.of(Outcome.OVERWRITTEN) == ["mine"] and not forced.of(Outcome.UPDATED)  # named as such
    assert (tmp_path / "mine").read_text() == "v3\n"


def test_a_file_the_user_created_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "service.py").write_text("the user's own\n")
    report = apply([GeneratedFile.text("service.py", "generated\n")], tmp_path)
    assert report.conflicts == ["service.py"]
    assert (tmp_path / "service.py").read_text() == "the user's own\n"


def test_files_no_longer_generated_are_removed_unless_edited(tmp_path: Path) -> None:
    apply(_files(old="1\n", edited="1\n", stays="1\n"), tmp_path)
    (tmp_path / "edited").write_text("mine now\n")
    report = apply(_files(stays="1\n"), tmp_path)
    assert report.of(Outcome.REMOVED) == ["old"]
    assert report.of(Outcome.KEPT) == ["edited"]
    assert not (tmp_path / "old").exists() and (tmp_path / "edited").exists()


@pytest.mark.parametrize("bad", ["/etc/passwd", "../outside", "a/../../x", "", "a\\b", MANIFEST_NAME])
def test_paths_cannot_leave_the_destination(tmp_path: Path, bad: str) -> None:
    with pytest.raises(UnsafePathError):
        apply([GeneratedFile.text(bad, "x")], tmp_path / "dest")
    assert not (tmp_path / "outside").exists()


def test_symlinked_folders_cannot_carry_writes_outside(tmp_path: Path) -> None:
    dest, outside = tmp_path / "dest", tmp_path / "outside"
    dest.mkdir()
    outside.mkdir()
    (dest / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafePathError):
        apply([GeneratedFile.text("link/evil.py", "x")], dest)
    assert list(outside.iterdir()) == []


def test_a_tampered_manifest_never_deletes_outside(tmp_path: Path) -> None:
    dest, victim = tmp_path / "dest", tmp_path / "victim.txt"
    victim.write_text("precious\n")
    apply(_files(a="1\n"), dest)
    (dest / MANIFEST_NAME).write_text(
        '{"format": "monosplit-manifest", "version": 1, "files": {"../victim.txt": "x", "a": "y"}}'
    )
    apply(_files(b="1\n"), dest)
    assert victim.read_text() == "precious\n"


def test_executable_bit_and_umask(tmp_path: Path) -> None:
    apply(
        [GeneratedFile.text("run.sh", "#!/bin/sh\n", executable=True), GeneratedFile.text("x", "")], tmp_path
    )
    mask = os.umask(0o022)
    os.umask(mask)
    assert (tmp_path / "run.sh").stat().st_mode & 0o777 == 0o777 & ~mask
    assert (tmp_path / "x").stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_rewrite_by_monosplit_keeps_the_file_monosplits_and_a_users_edit_the_users(tmp_path: Path) -> None:
    apply(_files(**{"MIGRATION.md": "# notes\nnot verified\n", "other": "x\n"}), tmp_path)
    assert rewrite_generated(tmp_path, "MIGRATION.md", b"# notes\nverified\n") is Outcome.UPDATED
    assert rewrite_generated(tmp_path, "MIGRATION.md", b"# notes\nverified\n") is Outcome.IDENTICAL
    # unchanged by the user since: the next generation updates it without a conflict
    report = apply(_files(**{"MIGRATION.md": "# notes v2\nnot verified\n", "other": "x\n"}), tmp_path)
    assert report.of(Outcome.UPDATED) == ["MIGRATION.md"] and not report.conflicts
    # edited by the user: a rewrite keeps it the user's, so the next generation leaves it alone
    (tmp_path / "MIGRATION.md").write_text("# my notes\nnot verified\n")
    rewrite_generated(tmp_path, "MIGRATION.md", b"# my notes\nverified\n")
    assert apply(_files(**{"MIGRATION.md": "# notes v3\n", "other": "x\n"}), tmp_path).conflicts == [
        "MIGRATION.md"
    ]
    assert (tmp_path / "MIGRATION.md").read_text() == "# my notes\nverified\n"
