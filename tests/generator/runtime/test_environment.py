"""Secrets mounted as files reach the application as the variables it reads."""

from __future__ import annotations

from pathlib import Path

from generator.runtime.environment import read_secret_files


def test_a_secret_file_becomes_the_variable_the_app_reads(tmp_path: Path) -> None:
    (tmp_path / "url").write_text("postgresql://unit@db/unit\n", encoding="utf-8")
    (tmp_path / "key").write_text("s3cret", encoding="utf-8")
    environ = {
        "DATABASE_URL_FILE": str(tmp_path / "url"),
        "SECRET_KEY_FILE": str(tmp_path / "key"),
        "GIVEN_FILE": str(tmp_path / "key"),
        "GIVEN": "kept",  # a value set directly wins
        "MISSING_FILE": str(tmp_path / "nowhere"),  # unreadable: left unset
        "MONOSPLIT_UNIT_AUTH_KEY_FILE": str(tmp_path / "key"),  # a file by meaning: not copied
    }
    assert read_secret_files(environ) == ["DATABASE_URL", "SECRET_KEY"]
    assert environ["DATABASE_URL"] == "postgresql://unit@db/unit"
    assert environ["SECRET_KEY"] == "s3cret"
    assert environ["GIVEN"] == "kept"
    assert "MISSING" not in environ and "MONOSPLIT_UNIT_AUTH_KEY" not in environ
