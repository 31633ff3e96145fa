"""A unit's requirements: the application's declared ones, merged with what the runtime needs.

Each test writes a project's files for real, reads them as ``read_codebase``
does, and compares the unit's requirement lines (before → after).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from generator.generate.codebase import read_requirement_files
from generator.generate.requirements import RuntimeNeed, UnitRequirements, unit_requirements
from generator.generate.unit import RUNTIME_NEEDS

GUNICORN = RuntimeNeed("gunicorn", "27.0.1", ">=25.1.0", "the serve command needs --no-control-socket")
URLLIB3 = RuntimeNeed("urllib3", "2.8.0", ">=2.0.2", "the client uses urllib3 2")
#: a small set, so each test's expected lines stay readable; the real set is RUNTIME_NEEDS
NEEDS = (GUNICORN, URLLIB3)


def merged(root: Path, files: dict[str, str], needs: tuple[RuntimeNeed, ...] = NEEDS) -> UnitRequirements:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return unit_requirements(read_requirement_files(root), needs)


def test_microblog_keeps_its_old_gunicorn_and_its_urllib3_both_of_which_the_runtime_works_with(
    tmp_path: Path,
) -> None:
    result = merged(
        tmp_path,
        {
            "requirements.txt": """
                Flask==3.0.0
                gunicorn==21.2.0
                urllib3==2.1.0
                Werkzeug==3.0.1
            """
        },
        RUNTIME_NEEDS,
    )

    assert result.source == "requirements.txt"
    # the app's Flask is 2.0 or later: kept, and it brings its own dependencies (no companions added)
    assert result.lines == (
        "Flask==3.0.0",
        "gunicorn==21.2.0",  # the serve command's version-bound settings are in a file it ignores
        "urllib3==2.1.0",
        "Werkzeug==3.0.1",
        "prometheus-client==0.26.0",
    )
    assert result.notes == ()


def test_a_root_file_that_only_includes_the_production_file_which_includes_the_base_file(
    tmp_path: Path,
) -> None:
    # flask-realworld-example-app's layout, one level deeper
    result = merged(
        tmp_path,
        {
            "requirements.txt": """
                # Just installs the production requirements.
                -r requirements/prod.txt
            """,
            "requirements/prod.txt": """
                -r base.txt
                gunicorn==25.3.0
                psycopg2==2.9.9
            """,
            "requirements/base.txt": """
                Flask==3.0.3
                SQLAlchemy==2.0.30  # tested with 2.0
            """,
            "requirements/dev.txt": "-r prod.txt\npytest==8.2.0\n",
        },
    )

    assert result.lines == (
        "# Just installs the production requirements.",
        "# from requirements/prod.txt",
        "# from requirements/base.txt",
        "Flask==3.0.3",
        "SQLAlchemy==2.0.30  # tested with 2.0",
        "gunicorn==25.3.0",  # inside the range the runtime works with: the app's pin stays
        "psycopg2==2.9.9",
        "urllib3==2.8.0",
    )
    assert result.notes == ()
    assert {"flask", "sqlalchemy", "gunicorn", "psycopg2", "urllib3"} == result.names


def test_an_include_cycle_is_reported_with_its_files_and_each_file_is_read_once(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "requirements.txt": "-r requirements/a.txt\nFlask==3.1.3\n",
            "requirements/a.txt": "-r b.txt\nclick==8.1.7\n",
            "requirements/b.txt": "-r ../requirements.txt\nblinker==1.9.0\n",
        },
    )

    assert result.lines[:5] == (
        "# from requirements/a.txt",
        "# from requirements/b.txt",
        "blinker==1.9.0",
        "click==8.1.7",
        "Flask==3.1.3",
    )
    assert result.notes == (
        "requirements/b.txt includes requirements.txt, which is already being read (requirements.txt → "
        "requirements/a.txt → requirements/b.txt → requirements.txt): the cycle is not followed.",
    )


def test_a_missing_include_and_one_outside_the_project_are_notes_not_failures(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (tmp_path / "shared.txt").write_text("leftpad==1.0\n", encoding="utf-8")
    result = merged(
        project,
        {"requirements.txt": "-r requirements/base.txt\n-c ../shared.txt\nFlask==3.1.3\n"},
    )

    assert result.lines == ("Flask==3.1.3", "gunicorn==27.0.1", "urllib3==2.8.0")
    assert result.notes == (
        "the requirements file requirements/base.txt included by requirements.txt is missing: its "
        "requirements are not in the unit.",
        "the constraints file `../shared.txt` included by requirements.txt is outside the project: not followed.",
    )


def test_constraints_pin_what_the_requirements_leave_open(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "requirements.txt": """
                -c constraints.txt
                requests
                Flask>=3
                gunicorn
            """,
            "constraints.txt": """
                requests==2.31.0
                Flask==3.0.3
                gunicorn==21.2.0
                urllib3==2.1.0
                idna==3.4
            """,
        },
    )

    assert result.lines == (
        "requests==2.31.0",
        "Flask==3.0.3",
        "gunicorn==27.0.1",
        "urllib3==2.1.0",  # a constraint the runtime's range admits: the application's version
    )
    assert result.notes == (
        "pinned by the constraints in constraints.txt: `requests==2.31.0`, `Flask==3.0.3`, `gunicorn==21.2.0`.",
        "constraints on packages the requirements do not name are not carried (the unit has no constraints "
        "file, and what it installs is pinned by its requirements): idna.",
        "`gunicorn==21.2.0` (requirements.txt, pinned by constraints.txt) is replaced by `gunicorn==27.0.1`: "
        "the serve command needs --no-control-socket.",
    )


def test_runtime_packages_the_app_leaves_open_get_the_runtimes_pin_and_ranges_that_exclude_it_give_way(
    tmp_path: Path,
) -> None:
    result = merged(tmp_path, {"requirements.txt": "gunicorn>=20\nurllib3<2\n"})

    assert result.lines == ("gunicorn==27.0.1", "urllib3==2.8.0")
    assert result.notes == (
        "`urllib3<2` (requirements.txt) is replaced by `urllib3==2.8.0`: the client uses urllib3 2.",
        "pinned to the versions the runtime is tested with: `gunicorn>=20` (requirements.txt) → `gunicorn==27.0.1`.",
    )


def test_markers_and_extras_stay_as_written_also_on_a_replaced_pin(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "requirements.txt": """
                uvicorn[standard]==0.30.0 ; python_version >= "3.8"
                gunicorn[gevent,setproctitle]==21.2.0; sys_platform != "win32"
                urllib3[socks]==2.1.0
            """
        },
    )

    assert result.lines == (
        'uvicorn[standard]==0.30.0 ; python_version >= "3.8"',
        'gunicorn[gevent,setproctitle]==27.0.1; sys_platform != "win32"',
        "urllib3[socks]==2.1.0",
    )


def test_hashes_and_index_options_are_dropped_with_a_note_and_pip_choices_are_kept(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "requirements.txt": """
                --index-url https://user:secret@pypi.example.com/simple
                --extra-index-url https://mirror.example.com/simple
                --find-links ./wheels
                --no-binary psycopg2
                Flask==3.1.3 \\
                    --hash=sha256:aaaa \\
                    --hash=sha256:bbbb
                psycopg2==2.9.9 --hash sha256:cccc
            """
        },
    )

    assert result.lines == (
        "--no-binary psycopg2",
        "Flask==3.1.3",
        "psycopg2==2.9.9",
        "gunicorn==27.0.1",
        "urllib3==2.8.0",
    )
    assert result.notes == (
        "hashes (requirements.txt) are dropped: pip's hash-checking needs one for every requirement, the "
        "runtime's too, and the unit's set differs from the application's.",
        "index options (`--extra-index-url`, `--find-links`, `--index-url`; requirements.txt) are dropped: the "
        "unit is installed from the index its build is configured with (PIP_INDEX_URL or pip.conf, where "
        "credentials belong); a URL written here would ship inside every image.",
    )
    assert not any("secret" in note for note in result.notes)


def test_the_project_itself_becomes_its_dependencies_and_other_local_folders_are_dropped(
    tmp_path: Path,
) -> None:
    result = merged(
        tmp_path,
        {
            "requirements.txt": """
                -e .[prod]
                -e ./libs/shared
                -e git+https://github.com/example/lib.git@v1#egg=lib
                Flask==3.1.3
            """,
            "pyproject.toml": """
                [project]
                name = "app"
                version = "1"
                dependencies = ["SQLAlchemy>=2"]
                optional-dependencies = { prod = ["psycopg[binary]>=3.1"] }
            """,
        },
    )

    assert result.lines == (
        "# -e .[prod]: the project's dependencies, from pyproject.toml [project].dependencies",
        "SQLAlchemy>=2",
        "psycopg[binary]>=3.1",
        "git+https://github.com/example/lib.git@v1#egg=lib",
        "Flask==3.1.3",
        "gunicorn==27.0.1",
        "urllib3==2.8.0",
    )
    assert result.notes == (
        "`-e .[prod]` (requirements.txt) is the project itself: the unit carries its code as source, so it "
        "installs the project's dependencies (pyproject.toml [project].dependencies) in its place.",
        "`-e ./libs/shared` (requirements.txt) installs a folder the unit does not carry: dropped; publish "
        "that library to the index the units are built from, or copy it into the unit.",
        "`-e git+https://github.com/example/lib.git@v1#egg=lib` (requirements.txt) is installed, not as an "
        "editable checkout: a deployed unit does not develop its libraries.",
    )
    assert {"lib", "psycopg", "sqlalchemy"} <= result.names


def test_a_requirements_file_wins_over_the_package_metadata_and_the_pipfile(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "requirements.txt": "Flask==3.1.3\n",
            "pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = ["Flask>=3", "redis>=5"]\n',
            "Pipfile": '[packages]\nflask = "*"\n',
        },
    )

    assert result.lines == ("Flask==3.1.3", "gunicorn==27.0.1", "urllib3==2.8.0")
    assert result.notes == (
        "the application's requirements come from requirements.txt; Pipfile [packages] and pyproject.toml "
        "[project].dependencies are not used: a requirements file is the set people deploy from, usually "
        "pinned; they name packages requirements.txt does not: redis.",
    )


def test_a_pyproject_only_project_installs_its_dependencies_as_declared(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "pyproject.toml": """
                [project]
                name = "app"
                version = "1"
                dependencies = [
                    "fastapi[standard]>=0.110",
                    'tomli>=2; python_version < "3.11"',
                ]
            """
        },
    )

    assert result.source == "pyproject.toml [project].dependencies"
    assert result.lines == (
        "fastapi[standard]>=0.110",
        'tomli>=2; python_version < "3.11"',
        "gunicorn==27.0.1",
        "urllib3==2.8.0",
    )
    assert result.notes == (
        "the application's requirements come from pyproject.toml [project].dependencies (no requirements "
        "file): they are version ranges, so two builds may install different versions; pin them in a "
        "requirements.txt for units that install the same thing every time.",
    )


def test_a_setup_py_only_project_is_read_as_a_syntax_tree_never_run(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "setup.py": """
                raise SystemExit("setup.py was executed")
                from setuptools import setup

                REQUIRES = [
                    "Flask==3.1.3",
                    "SQLAlchemy" "==2.0.30",
                ]

                if __name__ == "__main__":
                    setup(name="app", install_requires=REQUIRES, extras_require={"pg": ["psycopg2==2.9.9"]})
            """
        },
    )

    assert result.source == "setup.py install_requires"
    assert result.lines == ("Flask==3.1.3", "SQLAlchemy==2.0.30", "gunicorn==27.0.1", "urllib3==2.8.0")
    assert result.notes == (
        "the application's requirements come from setup.py install_requires (no requirements file).",
    )


def test_a_setup_py_that_computes_its_requirements_is_a_note(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "setup.py": """
                import setuptools
                setuptools.setup(install_requires=open("deps.txt").read().splitlines())
            """
        },
    )

    assert result.lines == ("gunicorn==27.0.1", "urllib3==2.8.0")
    assert result.notes[0] == (
        "setup.py computes install_requires (it is not a literal list or a name bound to one): not read, "
        "setup.py is never run; list the dependencies in a requirements.txt."
    )


def test_setup_cfg_install_requires(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "setup.cfg": """
                [metadata]
                name = app

                [options]
                install_requires =
                    Flask==3.1.3
                    # the ORM
                    SQLAlchemy==2.0.30
            """
        },
    )

    assert result.source == "setup.cfg install_requires"
    assert result.lines[:2] == ("Flask==3.1.3", "SQLAlchemy==2.0.30")


def test_poetry_constraints_become_pep_440_where_the_conversion_is_simple(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "pyproject.toml": """
                [tool.poetry.dependencies]
                python = "^3.11"
                flask = "^3.0.2"
                zeta = "^0.2.3"
                sqlalchemy = "~2.0"
                requests = "2.31.0"
                click = ">=8.1, <9"
                anything = "*"
                either = "^1.0 || ^2.0"
                uvicorn = { version = "^0.30", extras = ["standard"], markers = "sys_platform == 'linux'" }
                backport = { version = "~1.2.3", python = "<3.12" }
            """
        },
    )

    assert result.source == "pyproject.toml [tool.poetry.dependencies]"
    assert result.lines[:9] == (
        "flask>=3.0.2,<4.0.0",
        "zeta>=0.2.3,<0.3.0",
        "sqlalchemy>=2.0,<2.1",
        "requests==2.31.0",
        "click>=8.1,<9",
        "anything",
        "either",
        "uvicorn[standard]>=0.30,<0.31; (sys_platform == 'linux')",
        'backport>=1.2.3,<1.3.0; python_version < "3.12"',
    )
    assert result.notes[0] == (
        '`either = "^1.0 || ^2.0"` (pyproject.toml [tool.poetry.dependencies]) is not a simple constraint: '
        "written without a version."
    )


def test_the_pipfile_is_read_when_there_is_no_requirements_file(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "Pipfile": """
                [[source]]
                url = "https://pypi.org/simple"

                [packages]
                flask = "==3.1.3"
                gunicorn = "*"
                requests = { version = ">=2.31", extras = ["socks"] }

                [dev-packages]
                pytest = "*"
            """
        },
    )

    assert result.source == "Pipfile [packages]"
    assert result.lines == ("flask==3.1.3", "gunicorn==27.0.1", "requests[socks]>=2.31", "urllib3==2.8.0")


def test_a_codebase_without_flask_gets_flask_and_the_dependencies_its_pin_wants(tmp_path: Path) -> None:
    result = merged(tmp_path, {"requirements.txt": "fastapi==0.110.0\nclick==8.0.0\n"}, RUNTIME_NEEDS)

    assert result.lines == (
        "fastapi==0.110.0",
        "click==8.5.1",
        "Flask==3.1.3",
        "Werkzeug==3.1.9",
        "itsdangerous==2.2.0",
        "Jinja2==3.1.6",
        "MarkupSafe==3.0.4",
        "blinker==1.9.0",
        "gunicorn==27.0.1",
        "prometheus-client==0.26.0",
        "urllib3==2.8.0",
    )
    assert result.notes == (
        "`click==8.0.0` (requirements.txt) is replaced by `click==8.5.1`: Flask 3.1.3, the runtime's, "
        "requires click>=8.1.3.",
    )


def test_no_declared_requirements_is_one_note_and_the_runtimes_lines(tmp_path: Path) -> None:
    result = merged(tmp_path, {"README.md": "hello\n"})

    assert result.source is None
    assert result.lines == ("gunicorn==27.0.1", "urllib3==2.8.0")
    assert result.notes[0].startswith("the project declares no requirements")


def test_the_same_project_gives_byte_identical_lines_whatever_the_hash_seed(tmp_path: Path) -> None:
    merged(
        tmp_path,
        {
            "requirements.txt": "-c c.txt\nFlask>=2,!=2.1\ngunicorn>=19,<30\n",
            "c.txt": "Flask<4,>=3.0\nidna==3.4\nzope==1\n",
            "pyproject.toml": '[tool.poetry.dependencies]\nx = { version = "^1", python = ">=3.8,<3.13" }\n',
        },
    )
    script = (
        "import sys; from pathlib import Path;"
        "from generator.generate.codebase import read_requirement_files;"
        "from generator.generate.requirements import unit_requirements;"
        "from generator.generate.unit import RUNTIME_NEEDS;"
        "r = unit_requirements(read_requirement_files(Path(sys.argv[1])), RUNTIME_NEEDS);"
        "print(repr((r.lines, r.notes, sorted(r.names))))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1, outputs


def test_direct_references_to_local_paths_are_dropped_and_to_urls_kept(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "requirements.txt": """
                shared @ ./libs/shared
                wheel-only @ https://files.example.com/wheel_only-1.0-py3-none-any.whl
                .
            """
        },
    )

    assert result.lines == (
        "wheel-only @ https://files.example.com/wheel_only-1.0-py3-none-any.whl",
        "gunicorn==27.0.1",
        "urllib3==2.8.0",
    )
    assert result.notes == (
        "`shared @ ./libs/shared` (requirements.txt) installs a folder the unit does not carry: dropped; "
        "publish that library to the index the units are built from, or copy it into the unit.",
        "`.` (requirements.txt) is the project itself: dropped, the unit carries its code as source (and the "
        "project declares no dependencies of its own).",
    )


def test_an_empty_requirements_file_beside_package_metadata_is_a_placeholder(tmp_path: Path) -> None:
    result = merged(
        tmp_path,
        {
            "requirements.txt": "# see setup.cfg\n",
            "setup.cfg": "[options]\ninstall_requires =\n    Flask==3.1.3\n",
        },
    )

    assert result.source == "setup.cfg install_requires"
    assert result.lines == ("Flask==3.1.3", "gunicorn==27.0.1", "urllib3==2.8.0")
    assert result.notes == (
        "the application's requirements come from setup.cfg install_requires (requirements.txt lists none).",
    )


def test_a_flask_too_old_for_the_runtime_is_replaced_and_so_are_the_dependencies_it_pinned(
    tmp_path: Path,
) -> None:
    result = merged(
        tmp_path, {"requirements.txt": "Flask==1.1.4\nWerkzeug==1.0.1\nJinja2==3.1.4\n"}, RUNTIME_NEEDS
    )

    assert result.lines[:3] == ("Flask==3.1.3", "Werkzeug==3.1.9", "Jinja2==3.1.4")
    assert result.notes[:2] == (
        "`Flask==1.1.4` (requirements.txt) is replaced by `Flask==3.1.3`: the runtime serves the unit's API "
        "with Flask 2.0 or later.",
        "`Werkzeug==1.0.1` (requirements.txt) is replaced by `Werkzeug==3.1.9`: Flask 3.1.3, the runtime's, "
        "requires Werkzeug>=3.1.0.",
    )
