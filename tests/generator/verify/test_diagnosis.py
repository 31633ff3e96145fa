"""Why a unit did not start: the exception line and the unit's own file it points to."""

from __future__ import annotations

from pathlib import PurePath

from generator.verify.diagnosis import LogError, diagnose, first_logged_error

ARCHITECTURE = PurePath("/out/microservices")
UNIT = ARCHITECTURE / "catalog"

GUNICORN_BOOT_FAILURE = [
    "[2026-01-01 10:00:00 +0000] [101] [INFO] Starting gunicorn 27.0.1",
    "[2026-01-01 10:00:00 +0000] [103] [ERROR] Exception in worker process",
    "Traceback (most recent call last):",
    '  File "/venv/lib/python3.11/site-packages/gunicorn/arbiter.py", line 608, in spawn_worker',
    "    worker.init_process()",
    '  File "<frozen importlib._bootstrap>", line 1204, in _gcd_import',
    '  File "/out/microservices/catalog/service_main.py", line 28, in <module>',
    "    app = create_app()",
    "          ^^^^^^^^^^^^",
    '  File "/out/microservices/catalog/streamshop/config.py", line 110, in from_env',
    "    raise ConfigError(",
    '  File "/venv/lib/python3.11/site-packages/flask/config.py", line 5, in helper',
    "    raise",
    "streamshop.config.ConfigError: SECRET_KEY must be set",
    "SECRET_KEY must be set",
    "[2026-01-01 10:00:01 +0000] [103] [INFO] Worker exiting (pid: 103)",
    "[2026-01-01 10:00:01 +0000] [101] [ERROR] Reason: Worker failed to boot.",
]


def test_a_traceback_gives_the_exception_and_the_deepest_frame_in_the_unit() -> None:
    found = diagnose(GUNICORN_BOOT_FAILURE, unit_dir=UNIT, shown_from=ARCHITECTURE)
    assert found == LogError(
        "streamshop.config.ConfigError: SECRET_KEY must be set", "catalog/streamshop/config.py:110"
    )
    assert (
        found.line
        == "streamshop.config.ConfigError: SECRET_KEY must be set (catalog/streamshop/config.py:110)"
    )


def test_a_chained_exception_reports_the_one_the_unit_died_of() -> None:
    lines = [
        "Traceback (most recent call last):",
        '  File "/out/microservices/catalog/a.py", line 1, in <module>',
        "KeyError: 'x'",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "Traceback (most recent call last):",
        '  File "/out/microservices/catalog/b.py", line 2, in <module>',
        "RuntimeError: config broken",
        # the next boot attempt prints it all again
        "Traceback (most recent call last):",
        '  File "/out/microservices/catalog/b.py", line 2, in <module>',
        "RuntimeError: config broken",
    ]
    assert diagnose(lines, unit_dir=UNIT, shown_from=ARCHITECTURE) == LogError(
        "RuntimeError: config broken", "catalog/b.py:2"
    )


def test_a_syntax_error_points_at_its_line() -> None:
    lines = [
        "Traceback (most recent call last):",
        '  File "/out/microservices/catalog/service_main.py", line 3, in <module>',
        '  File "/out/microservices/catalog/streamshop/models.py", line 7',
        "    def broken(:",
        "               ^",
        "SyntaxError: invalid syntax",
    ]
    assert diagnose(lines, unit_dir=UNIT, shown_from=ARCHITECTURE) == LogError(
        "SyntaxError: invalid syntax", "catalog/streamshop/models.py:7"
    )


def test_an_error_outside_the_unit_names_the_library_file() -> None:
    lines = [
        "Traceback (most recent call last):",
        '  File "/venv/lib/python3.11/site-packages/gunicorn/util.py", line 9, in import_app',
        "ModuleNotFoundError: No module named 'service_main'",
    ]
    assert diagnose(lines, unit_dir=UNIT, shown_from=ARCHITECTURE) == LogError(
        "ModuleNotFoundError: No module named 'service_main'",
        "/venv/lib/python3.11/site-packages/gunicorn/util.py:9",
    )


def test_without_a_traceback_the_first_error_line_is_used_without_its_log_prefix() -> None:
    lines = [
        "usage: gunicorn [OPTIONS] [APP_MODULE]",
        "gunicorn: error: unrecognized arguments: --no-control-socket",
    ]
    assert diagnose(lines, unit_dir=UNIT, shown_from=ARCHITECTURE) == LogError(
        "gunicorn: error: unrecognized arguments: --no-control-socket"
    )
    prefixed = ["[2026-01-01 10:00:00 +0000] [7] [ERROR] Connection in use: ('127.0.0.1', {port})"]
    assert diagnose(prefixed, unit_dir=UNIT, shown_from=ARCHITECTURE) == LogError(
        "Connection in use: ('127.0.0.1', {port})"
    )


def test_silence_or_chatter_without_errors() -> None:
    assert diagnose([], unit_dir=UNIT, shown_from=ARCHITECTURE) is None
    assert diagnose(["starting", "still starting"], unit_dir=UNIT, shown_from=ARCHITECTURE) == LogError(
        "still starting"
    )


def test_exceptions_logged_while_running_are_counted_and_the_first_named() -> None:
    lines = ["GET / 200", *GUNICORN_BOOT_FAILURE[2:14], *GUNICORN_BOOT_FAILURE[2:14]]
    found = first_logged_error(lines, unit_dir=UNIT, shown_from=ARCHITECTURE)
    assert found is not None
    error, count = found
    assert count == 2 and error.location == "catalog/streamshop/config.py:110"
    assert (
        first_logged_error(["GET / 200", "failed login for ann"], unit_dir=UNIT, shown_from=ARCHITECTURE)
        is None
    )
