"""``monosplit verify`` end to end: real units on loopback, a copy of the committed output/.

Each test copies output/ (the sample's three architectures), so verify can write its
findings into MIGRATION.md without touching the committed files.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.verify import VerifyOptions
from generator.verify.report import SECTION_BEGIN, SECTION_END
from generator.writer import MANIFEST_NAME, read_manifest
from tests.generator.live import MONOSPLIT

ROOT = Path(__file__).resolve().parents[3]
OUTPUT = ROOT / "output"
JOURNEYS = Path(__file__).resolve().parent / "journeys"
SAMPLE_ENV = ("--env", "STREAMSHOP_ENV=development")
STARTED = re.compile(r"monosplit: \S+ started pid=(\d+)")

pytestmark = pytest.mark.slow


@pytest.fixture
def out(tmp_path: Path) -> Path:
    copy = tmp_path / "output"
    shutil.copytree(OUTPUT, copy)
    return copy


def _verify(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MONOSPLIT, "verify", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def _outside_section(text: str) -> str:
    begin, end = text.find(SECTION_BEGIN), text.find(SECTION_END)
    return text if begin < 0 else text[:begin] + text[end + len(SECTION_END) :]


def _section(text: str) -> str:
    return text[text.index(SECTION_BEGIN) : text.index(SECTION_END)]


def test_the_sample_verifies_with_its_scenario_as_a_journey(out: Path) -> None:
    before = (out / "MIGRATION.md").read_text(encoding="utf-8")
    started = time.monotonic()
    result = _verify(
        str(out),
        *SAMPLE_ENV,
        "--journey",
        str(JOURNEYS / "streamshop_scenario.py"),
        "--journey",
        str(JOURNEYS / "streamshop_client.py"),
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verified: two-tier and microservices answered like the monolith" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    notes = (out / "MIGRATION.md").read_text(encoding="utf-8")
    section = _section(notes)
    row = re.search(r"\| microservices \| 8/8 \| 22/22 \| (\d+)/(\d+) \| none \|", section)
    assert row is not None and row.group(1) == row.group(2) and int(row.group(1)) > 40, section
    assert "| two-tier | 2/2 | 22/22 |" in section
    assert "127.0.0.1" not in section and "monosplit-verify-" not in section
    # nothing outside the section changed, and the file is still monosplit's, not the user's
    assert _outside_section(notes).rstrip("\n") == _outside_section(before).rstrip("\n")
    assert read_manifest(out)["MIGRATION.md"] == __import__("hashlib").sha256(notes.encode()).hexdigest()
    print(f"verify of the sample's three architectures with two journeys: {elapsed:.1f}s")


def _break_on_purpose(out: Path) -> Path:
    """A catalog model that raises at import, and a two-tier health check that answers more."""
    model = out / "microservices" / "catalog" / "streamshop" / "models" / "catalog.py"
    model.write_text(model.read_text(encoding="utf-8") + '\nraise RuntimeError("broken on purpose")\n')
    health = out / "two-tier" / "client" / "streamshop" / "blueprints" / "health.py"
    text = health.read_text(encoding="utf-8")
    assert "version=__version__," in text
    health.write_text(text.replace("version=__version__,", "version=__version__, extra=1,"), encoding="utf-8")
    return model


def test_a_unit_broken_on_purpose_is_one_clear_line_naming_its_file(out: Path) -> None:
    model = _break_on_purpose(out)
    line = len(model.read_text(encoding="utf-8").splitlines())
    result = _verify(str(out), *SAMPLE_ENV)
    assert result.returncode == 1, result.stdout + result.stderr
    where = f"catalog/streamshop/models/catalog.py:{line}"
    assert f"  catalog          no: RuntimeError: broken on purpose ({where})" in result.stdout
    assert "GET /healthz: $.extra is not in the monolith's answer (1)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    notes = (out / "MIGRATION.md").read_text(encoding="utf-8")
    assert f"- microservices / catalog: RuntimeError: broken on purpose ({where})" in notes
    assert "| two-tier | 2/2 | 21/22 |" in notes
    # the same findings read the same: a second verification rewrites the section identically
    again = _verify(str(out), *SAMPLE_ENV)
    assert again.returncode == 1
    assert (out / "MIGRATION.md").read_text(encoding="utf-8") == notes


def test_ctrl_c_stops_every_unit_and_exits_130(out: Path) -> None:
    process = subprocess.Popen(
        [MONOSPLIT, "verify", str(out), *SAMPLE_ENV, "--verbose"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    pids: list[int] = []
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if found := STARTED.search(line):
                pids.append(int(found.group(1)))
            if "cart-1 started" in line:  # microservices are starting: interrupt mid-start
                process.send_signal(signal.SIGINT)
                break
        rest = process.communicate(timeout=60)[0]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, rest
    assert "interrupted: every unit was stopped" in rest
    assert len(pids) >= 4
    for pid in pids:  # every unit's process group is gone, gunicorn workers included
        with pytest.raises(ProcessLookupError):
            os.killpg(pid, 0)


def _interpreter_without_site_packages(tmp_path: Path) -> Path:
    """A python that finds neither Flask nor gunicorn: this one, without its site-packages."""
    fake = tmp_path / "bare-python"
    fake.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return fake


def test_an_interpreter_that_cannot_run_the_units_is_one_line_and_exit_2(out: Path, tmp_path: Path) -> None:
    before = (out / "MIGRATION.md").read_bytes()
    result = _verify(str(out), "--python", str(_interpreter_without_site_packages(tmp_path)))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert (
        "cannot import flask, gunicorn, prometheus_client, urllib3, which the units are started with"
        in result.stderr
    )
    assert (out / "MIGRATION.md").read_bytes() == before


def test_migrate_leaves_the_notes_unverified_when_it_cannot_verify(
    out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator.cli.migrate import _verify_generated

    before = {p: (out / p).read_bytes() for p in ("MIGRATION.md", MANIFEST_NAME)}
    options = VerifyOptions(python=str(_interpreter_without_site_packages(tmp_path)))
    _verify_generated(out, options, quiet=True)
    assert "not verified:" in capsys.readouterr().out
    assert {p: (out / p).read_bytes() for p in before} == before  # as --no-verify leaves them


def test_journey_files_are_checked_before_anything_starts(tmp_path: Path) -> None:
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    broken = tmp_path / "broken.py"
    broken.write_text("def journey(client):\n    return (\n")
    runner = CliRunner()
    for journey, message in (
        (tmp_path / "missing.py", "no such file"),
        (empty, "defines no function journey(client)"),
        (broken, "cannot be loaded: SyntaxError"),
    ):
        result = runner.invoke(main, ["verify", str(OUTPUT), "--journey", str(journey)])
        assert result.exit_code == 2, result.output
        assert message in result.output
