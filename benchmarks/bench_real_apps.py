"""The real-app yardstick: public Flask applications through analyze, suggest, migrate and verify.

For each application (pinned public sdists from PyPI, a clone of a known
public GitHub application, or a folder you give):

1. fetch it (``pip download --no-binary :all: --no-deps NAME==VERSION``, cached;
   a GitHub application is a clone you made, given with ``--path``), and make
   its virtualenv (cached, keyed by what is installed in it) unless ``--python``
   names one: the generated monolith's ``requirements.txt`` (or the app's pins)
   plus pytest; then a pinned app's own setup steps run in its folder (FlaskBB's
   compiled translations and ``logs/``), so the original starts as its docs say;
2. ``monosplit analyze`` and ``monosplit suggest`` it;
3. ``monosplit migrate`` it twice, at the default plan and at ``--services 3``;
4. add ``original/`` beside the generated architectures of the default plan:
   the application's own code, served the way the monolith is (the monolith's
   generated entry point and runtime over the unchanged source), so verify
   holds the original to the generated monolith too;
5. ``monosplit verify`` each output in the application's interpreter, with the
   application's own tests (``--app-tests``) and its journeys (``--journey``:
   a pinned or known GitHub application's is in ``benchmarks/journeys/``).

It prints, per application and architecture: whether every unit started, the
GET routes answering like the monolith, the journey's steps answering like the
monolith, and the application's own tests passed/total (per unit for a split).
Figures also go to ``benchmarks/.work/real_apps.json``.

    python benchmarks/bench_real_apps.py                      # every pinned app
    python benchmarks/bench_real_apps.py --app flaskr
    python benchmarks/bench_real_apps.py --app microblog --path ~/src/microblog [--python ~/venvs/mb/bin/python]
    python benchmarks/bench_real_apps.py --path ~/src/app --tests ~/src/app/tests --python ~/venvs/app/bin/python \
        --journey my_journey.py

Caches live in ``$MONOSPLIT_BENCH_CACHE`` (default ``~/.cache/monosplit-bench``),
outside git. Exits non-zero only when a step failed to run (a download, an
install, a command that crashed), never because an architecture differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work" / "real_apps"
APPS_DIR = HERE / "apps"  # pins and shims the pinned apps need on today's Python
JOURNEYS_DIR = HERE / "journeys"  # journeys of the known applications' main use
DEFAULT_CACHE = Path(os.environ.get("MONOSPLIT_BENCH_CACHE", Path.home() / ".cache" / "monosplit-bench"))
ORIGINAL = "original"
STEP_TIMEOUT_S = 1800.0


class BenchError(Exception):
    """A step the yardstick needs failed to run."""


@dataclass(frozen=True, slots=True)
class AppSpec:
    """A pinned public Flask application: where it is in its sdist, its tests, what it needs to run."""

    name: str
    requirement: str  # NAME==VERSION on PyPI
    root: str  # the application's folder inside the unpacked sdist
    tests: str = "tests"  # relative to root
    pins: str = ""  # a requirements file in benchmarks/apps/ installed instead of the generated one
    shim: str = ""  # a .py in benchmarks/apps/ installed with a .pth that imports it
    env: tuple[str, ...] = ()  # KEY=VALUE for verify --env
    journey: str = ""  # a file in benchmarks/journeys/: a journey of the app's main use
    # The app's own setup steps before it can start, as its docs give them (compiled
    # translations, a folder its logging writes into): commands run in its folder, a tool
    # found in its virtualenv first, after the venv is made and before anything is measured
    setup: tuple[tuple[str, ...], ...] = ()
    # A script in benchmarks/apps/ that makes, with the app's interpreter in its folder, the
    # SQLite database its use starts from (``python SCRIPT DATABASE``: an installed forum);
    # every architecture, the original included, starts on a copy (verify --seed-database)
    seed: str = ""


APPS: dict[str, AppSpec] = {
    # The Flask tutorial's blog (app factory, blueprints, sqlite3, Click command), shipped in
    # Flask's own sdist with its pytest suite: small, well kept, installs in seconds.
    "flaskr": AppSpec("flaskr", "flask==3.1.3", "flask-3.1.3/examples/tutorial", journey="flaskr.py"),
    # A large plugin-style forum (Flask-SQLAlchemy, Flask-Login, WTForms, Alembic, Celery,
    # pluggy); its 2.0.2 pins predate Python 3.10, hence the working set and the shim.
    "flaskbb": AppSpec(
        "flaskbb",
        "flaskbb==2.0.2",
        "FlaskBB-2.0.2",
        pins="flaskbb-2.0.2-requirements.txt",
        shim="flaskbb_py311_compat.py",
        # the sdist ships neither the logs/ folder its default logging writes into nor
        # compiled translations (``flaskbb translations compile`` runs this pybabel)
        setup=(("mkdir", "-p", "logs"), ("pybabel", "compile", "-d", "flaskbb/translations")),
        seed="flaskbb_seed.py",  # what ``flaskbb install`` makes: groups, settings, admin, a forum
        journey="flaskbb.py",
    ),
}


@dataclass(frozen=True, slots=True)
class CloneSpec:
    """A public GitHub application, measured from a clone you make (``--path``) at ``commit``.

    Nothing is fetched from GitHub here: the clone is yours, outside this repository.
    """

    name: str
    repository: str  # owner/name on GitHub
    commit: str  # the commit the journey was written against (a prefix)
    journey: str  # a file in benchmarks/journeys/
    tests: str = ""  # relative to the clone: the test folder, or one test module
    pins: str = ""  # a requirements file in benchmarks/apps/ installed instead of the generated one
    env: tuple[str, ...] = ()  # KEY=VALUE for verify --env


CLONES: dict[str, CloneSpec] = {
    # Miguel Grinberg's Flask Mega-Tutorial app: Flask-SQLAlchemy 3, Flask-Login, WTForms
    # with CSRF, Flask-Migrate, Babel, langdetect; server-rendered pages, a token API.
    # Its tests are one unittest module at the root, tests.py.
    "microblog": CloneSpec(
        "microblog", "miguelgrinberg/microblog", "a975ef6", "microblog.py", tests="tests.py"
    ),
    # The RealWorld ("Conduit") JSON API: JWT, marshmallow, flask-apispec; its unpinned
    # requirements only run on Flask 1.1 and SQLAlchemy 1.3, hence the working set.
    "realworld": CloneSpec(
        "realworld",
        "gothinkster/flask-realworld-example-app",
        "4b95fb2",
        "realworld.py",
        tests="tests",
        pins="realworld-requirements.txt",
    ),
}


@dataclass(slots=True)
class App:
    """An application ready to measure: its source folder, tests, interpreter and journeys."""

    name: str
    source: Path
    tests: Path | None
    python: str
    env: tuple[str, ...] = ()
    journeys: tuple[Path, ...] = ()
    seed: Path | None = None  # the SQLite database every architecture starts on a copy of
    timings: dict[str, float] = field(default_factory=dict)


# ----------------------------------------------------------------------------- running steps


def run(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    timeout: float = STEP_TIMEOUT_S,
    ok: Sequence[int] = (0,),
) -> subprocess.CompletedProcess[str]:
    """Run a command; raise BenchError naming it and its last output line when it fails."""
    try:
        done = subprocess.run(
            list(command), cwd=cwd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BenchError(f"{' '.join(command[:4])}...: {exc}") from None
    if done.returncode not in ok:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or [f"exit {done.returncode}"]
        raise BenchError(f"{' '.join(command[:5])}... exited with {done.returncode}: {last[0]}")
    return done


def monosplit(*args: str, ok: Sequence[int] = (0,)) -> subprocess.CompletedProcess[str]:
    """The monosplit command line of this checkout, in the interpreter running the yardstick."""
    return run([sys.executable, "-m", "generator.cli", *args], cwd=REPO, ok=ok)


# ----------------------------------------------------------------------------- fetching and venvs


def fetch_sdist(spec: AppSpec, cache: Path) -> Path:
    """The unpacked sdist of ``spec`` (downloaded once), and the application's folder in it."""
    unpacked = cache / "sdists" / spec.requirement.replace("==", "-")
    marker = unpacked / ".unpacked"
    if not marker.is_file():
        download = cache / "downloads"
        download.mkdir(parents=True, exist_ok=True)
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-binary",
                ":all:",
                "--no-deps",
                "-q",
                "-d",
                str(download),
                spec.requirement,
            ],
            timeout=300,
        )
        name = spec.requirement.split("==")[0].lower().replace("-", "_")
        version = spec.requirement.split("==")[1]
        archives = [
            p for p in download.iterdir() if p.name.lower().replace("-", "_").startswith(f"{name}_{version}")
        ]
        if not archives:
            raise BenchError(f"pip download {spec.requirement}: no sdist in {download}")
        shutil.rmtree(unpacked, ignore_errors=True)
        unpacked.mkdir(parents=True)
        _unpack(archives[0], unpacked)
        marker.write_text(spec.requirement)
    source = unpacked / spec.root
    if not source.is_dir():
        raise BenchError(f"{spec.requirement}: no {spec.root} in its sdist")
    return source


def _unpack(archive: Path, into: Path) -> None:
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(into)
        return
    with tarfile.open(archive) as tarred:
        tarred.extractall(into, filter="data")


def make_venv(spec: AppSpec | CloneSpec, requirements: Path, cache: Path) -> str:
    """A virtualenv with what the generated units need (or the app's pins) and pytest; reused while unchanged."""
    pins = APPS_DIR / spec.pins if spec.pins else requirements
    shim = APPS_DIR / spec.shim if isinstance(spec, AppSpec) and spec.shim else None
    key = hashlib.sha256(
        b"\0".join([sys.version.encode(), pins.read_bytes(), shim.read_bytes() if shim else b""])
    ).hexdigest()[:16]
    venv = cache / "venvs" / f"{spec.name}-{key}"
    python = venv / "bin" / "python"
    if (venv / ".complete").is_file():
        return str(python)
    shutil.rmtree(venv, ignore_errors=True)
    run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", str(pins), "pytest"],
        timeout=1200,
    )
    if shim is not None:
        site = run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
        shutil.copy(shim, Path(site) / shim.name)
        (Path(site) / f"{shim.stem}.pth").write_text(f"import {shim.stem}\n")
    (venv / ".complete").write_text(key)
    return str(python)


def set_up(source: Path, steps: Sequence[Sequence[str]], python: str) -> None:
    """Run the app's own setup ``steps`` in ``source``, a tool found in its virtualenv first.

    They are the steps its documentation asks of anyone installing it; they must be
    safe to repeat (the source is the cached sdist, set up again on each run).
    """
    path = os.pathsep.join([str(Path(python).parent), os.environ.get("PATH", "")])
    for step in steps:
        run([shutil.which(step[0], path=path) or step[0], *step[1:]], cwd=source, timeout=300)


def make_seed(name: str, source: Path, script: Path, python: str) -> Path:
    """The SQLite database ``script`` makes for the app, in its interpreter and folder (made anew each run)."""
    WORK.mkdir(parents=True, exist_ok=True)
    database = WORK / f"{name}-seed.sqlite"
    run([python, str(script), str(database)], cwd=source, timeout=600)
    if not database.is_file():
        raise BenchError(f"{script.name}: made no database at {database}")
    return database


def clone_revision(spec: CloneSpec, path: Path) -> str:
    """The commit ``path`` (a clone of ``spec.repository``) has checked out; BenchError if it is not the clone."""
    if not path.is_dir():
        raise BenchError(f"--path {path}: no such folder (clone github.com/{spec.repository} there)")
    try:
        head = run(["git", "-C", str(path), "rev-parse", "HEAD"], timeout=30).stdout.strip()
    except BenchError:
        return "unknown"  # a copy without .git: measured as it is
    if not head.startswith(spec.commit):
        print(f"{spec.name}: {path} is at {head[:7]}, its journey was written at {spec.commit}", flush=True)
    return head[:7]


def suite_folder(name: str, tests: Path) -> Path:
    """The folder of tests ``verify --app-tests`` takes: ``tests`` itself, or one test module made a folder.

    An application whose tests are one module (microblog's ``tests.py`` at its root)
    gets a folder of that one file under a name pytest collects, ``test_<name>.py``;
    its imports still resolve, since the suite runs with the unit's folder on the path.
    """
    if tests.is_dir():
        return tests
    if not tests.is_file():
        raise BenchError(f"{tests}: no such test folder or module")
    folder = WORK / f"{name}-tests" / "tests"
    shutil.rmtree(folder.parent, ignore_errors=True)
    folder.mkdir(parents=True)
    stem = (
        tests.stem if tests.stem.startswith("test_") or tests.stem.endswith("_test") else f"test_{tests.stem}"
    )
    shutil.copy2(tests, folder / f"{stem}.py")
    return folder


# ----------------------------------------------------------------------------- the pipeline


def add_original(out: Path, source: Path) -> None:
    """``out/original``: the unchanged source with the monolith's generated entry point and runtime.

    Everything in the monolith folder that the source does not have (service_main.py,
    monosplit_runtime/, service_clients/, the manifests) is laid over a copy of the
    source, so the original is started, probed and tested exactly as the monolith is.
    """
    original = out / ORIGINAL
    shutil.rmtree(original, ignore_errors=True)
    shutil.copytree(
        source, original, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".git")
    )
    monolith = out / "monolith"
    for entry in sorted(monolith.iterdir()):
        target = original / entry.name
        if target.exists():
            continue
        if entry.is_dir():
            shutil.copytree(entry, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(entry, target)
    for name in ("monosplit-run.json", "monosplit-units.json"):
        document = json.loads((monolith / name).read_text(encoding="utf-8"))
        document["architecture"] = ORIGINAL
        (original / name).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def verify(app: App, out: Path) -> dict[str, Any]:
    """Verify ``out`` in the app's interpreter and return, per architecture, what the table shows."""
    from generator.verify import VerifyOptions, find_target, load_app_tests, load_journey
    from generator.verify import verify as run_verify

    env = dict(item.split("=", 1) for item in app.env)
    options = VerifyOptions(
        python=app.python,
        env=env,
        journeys=tuple(load_journey(path) for path in app.journeys),
        app_tests=load_app_tests(app.tests) if app.tests is not None else None,
        ready_timeout=90.0,
        seed_database=app.seed,
    )
    verification = run_verify(find_target(out), options, emit=lambda line: print(f"    {line}", flush=True))
    rows: dict[str, Any] = {}
    for result in verification.architectures:
        routes = (
            f"reference ({result.routes_answered})"
            if result.reference
            else f"{result.comparison.routes.equal}/{result.comparison.routes.total}"
            if result.comparison is not None
            else "not driven"
        )
        journey = (
            f"reference ({result.steps_recorded})"
            if result.reference
            else f"{result.comparison.journey.equal}/{result.comparison.journey.total}"
            if result.comparison is not None
            else "not driven"
        )
        if result.reference and result.journey_failures:
            journey = f"stopped ({result.steps_recorded})"
        rows[result.architecture] = {
            "units": len(result.units),
            "ready": sum(u.ready for u in result.units),
            "starts": result.ready,
            "not_started": [f"{u.unit}: {u.reason}" for u in result.not_ready],
            "routes": routes,
            "journey": journey if app.journeys else "-",
            "journey_unstable": result.comparison.journey.unstable if result.comparison is not None else 0,
            "journey_failures": [
                f"{f.journey} after {f.after_steps}: {f.message}" for f in result.journey_failures
            ],
            "first_difference": result.differences[0].line if result.differences else "",
            "differences": [d.line for d in result.differences[:20]],
            "logged": [entry.line for entry in result.logged],
            "own_tests": {
                s.unit: {
                    "passed": sum(1 for _, o in s.outcomes if o.value == "passed"),
                    "total": len(s.outcomes),
                    "files": s.files,
                    "files_total": s.files_total,
                    "error": s.error.line if s.error is not None else "",
                    "first_problem": s.first_problem,
                }
                for s in result.suites
            },
        }
    return rows


def measure(app: App, services: Sequence[int | None], only: Sequence[str] = ()) -> dict[str, Any]:
    """analyze → suggest → migrate (each plan) → verify, for one application.

    ``only`` names the architectures to verify (each with the monolith it is held
    to); empty: every architecture of each output.
    """
    work = WORK / app.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.monotonic()
    monosplit("analyze", str(app.source))
    monosplit("suggest", str(app.source), "-o", str(work / "plan.json"))
    app.timings["analyze+suggest s"] = time.monotonic() - started
    figures: dict[str, Any] = {}
    for count in services:
        label = "default" if count is None else f"--services {count}"
        out = work / ("default" if count is None else f"services-{count}")
        started = time.monotonic()
        monosplit(
            "migrate",
            str(app.source),
            "--out",
            str(out),
            "--no-verify",
            "-q",
            *([] if count is None else ["--services", str(count)]),
        )
        if count is None:
            add_original(out, app.source)
        app.timings[f"migrate {label} s"] = time.monotonic() - started
        print(f"  {app.name} {label}: verifying", flush=True)
        started = time.monotonic()
        if only:
            rows: dict[str, Any] = {}
            for name in only:
                if (out / name).is_dir():
                    for architecture, row in verify(app, out / name).items():
                        rows.setdefault(architecture, row)  # the monolith: from its first run
            figures[label] = rows
        else:
            figures[label] = verify(app, out)
        app.timings[f"verify {label} s"] = time.monotonic() - started
    return figures


def table(name: str, figures: dict[str, Any]) -> list[str]:
    lines = [
        f"{name}",
        f"  {'plan':<13} {'architecture':<14} {'starts':<8} {'GET routes like the monolith':<30} "
        f"{'journey steps':<15} own tests passed/total",
    ]
    for plan, rows in figures.items():
        for architecture, row in rows.items():
            starts = "yes" if row["starts"] else f"{row['ready']}/{row['units']}"
            tests = (
                ", ".join(
                    (f"{unit} " if len(row["own_tests"]) > 1 else "")
                    + (
                        "could not run"
                        if t["error"]
                        else "-"
                        if t["files"] == 0
                        else f"{t['passed']}/{t['total']}"
                    )
                    for unit, t in row["own_tests"].items()
                )
                or "-"
            )
            lines.append(
                f"  {plan:<13} {architecture:<14} {starts:<8} {row['routes']:<30} {row['journey']:<15} {tests}"
            )
    return lines


def prepare_pinned(name: str, cache: Path, env: Sequence[str]) -> App:
    """A pinned PyPI application: its sdist, and a virtualenv made for it."""
    spec = APPS[name]
    print(f"{name}: fetching {spec.requirement}", flush=True)
    source = fetch_sdist(spec, cache)
    started = time.monotonic()
    python = make_venv(spec, generated_requirements(name, source), cache)
    set_up(source, spec.setup, python)
    tests = source / spec.tests if spec.tests else None
    journeys = (JOURNEYS_DIR / spec.journey,) if spec.journey else ()
    seed = make_seed(name, source, APPS_DIR / spec.seed, python) if spec.seed else None
    app = App(name, source, tests, python, spec.env + tuple(env), journeys, seed)
    app.timings["venv s"] = time.monotonic() - started
    return app


def prepare_clone(
    name: str,
    path: Path,
    python: str | None,
    cache: Path,
    env: Sequence[str],
    journeys: Sequence[Path],
    tests: Path | None,
) -> App:
    """A known GitHub application from the clone at ``path``, with its journey and tests."""
    spec = CLONES[name]
    source = path.resolve()
    revision = clone_revision(spec, source)
    print(f"{name}: github.com/{spec.repository} at {revision}, from {source}", flush=True)
    started = time.monotonic()
    if python is None:
        # the app's working set replaces the generated requirements (make_venv reads spec.pins)
        requirements = APPS_DIR / spec.pins if spec.pins else generated_requirements(name, source)
        python = make_venv(spec, requirements, cache)
    suite = tests if tests is not None else source / spec.tests if spec.tests else None
    app = App(
        name,
        source,
        suite_folder(name, suite) if suite is not None else None,
        python,
        spec.env + tuple(env),
        (JOURNEYS_DIR / spec.journey, *journeys),
    )
    app.timings["venv s"] = time.monotonic() - started
    return app


def generated_requirements(name: str, source: Path) -> Path:
    """The generated monolith's requirements.txt for ``source`` (kept beside the work folder)."""
    scratch = WORK / f"{name}-requirements"
    shutil.rmtree(scratch, ignore_errors=True)
    monosplit("migrate", str(source), "--out", str(scratch), "--no-verify", "-q")
    kept = WORK / f"{name}-requirements.txt"
    shutil.copy(scratch / "monolith" / "requirements.txt", kept)
    shutil.rmtree(scratch, ignore_errors=True)
    return kept


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--app",
        action="append",
        choices=sorted({*APPS, *CLONES}),
        help=f"a pinned app (repeatable; default: all), or with --path a known clone ({', '.join(sorted(CLONES))})",
    )
    parser.add_argument("--path", type=Path, help="an application folder: a known clone (--app), or your own")
    parser.add_argument("--tests", type=Path, help="with --path: its test folder (or one test module)")
    parser.add_argument("--python", help="with --path: the interpreter of its virtualenv")
    parser.add_argument(
        "--journey", type=Path, action="append", default=[], help="with --path: a journey file"
    )
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for verify (repeatable)")
    parser.add_argument("--services", type=int, default=3, help="the forced split (default 3)")
    parser.add_argument(
        "--plan",
        action="append",
        choices=("default", "forced"),
        help="the plans measured: the default plan, the --services split (default: both)",
    )
    parser.add_argument(
        "--architecture",
        action="append",
        default=[],
        help="verify only this architecture (and the monolith it is held to); repeatable",
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--json", type=Path, default=HERE / ".work" / "real_apps.json")
    args = parser.parse_args(argv)
    clones = [name for name in args.app or () if name in CLONES]
    pinned = [name for name in args.app or () if name in APPS]
    if clones and (len(clones) > 1 or args.path is None):
        parser.error(
            "a GitHub application is measured from your clone: one --app "
            + " or ".join(f"{n} (github.com/{CLONES[n].repository} at {CLONES[n].commit})" for n in clones)
            + " with --path CLONE"
        )
    if args.path is not None and not clones and not args.python:
        parser.error("--path needs --python: the interpreter where the application's libraries are")
    plans = [None if plan == "default" else args.services for plan in args.plan or ("default", "forced")]
    apps: list[App] = []
    try:
        if clones:
            apps.append(
                prepare_clone(
                    clones[0], args.path, args.python, args.cache, args.env, args.journey, args.tests
                )
            )
        elif args.path is not None:
            source = args.path.resolve()
            tests = suite_folder(source.name, args.tests) if args.tests is not None else None
            apps.append(App(source.name, source, tests, args.python, tuple(args.env), tuple(args.journey)))
        for name in pinned or ([] if args.path else sorted(APPS)):
            apps.append(prepare_pinned(name, args.cache, args.env))
        results: dict[str, Any] = {}
        for app in apps:
            print(f"{app.name}: analyze, suggest, migrate, verify", flush=True)
            figures = measure(app, plans, tuple(args.architecture))
            results[app.name] = {"figures": figures, "timings": app.timings}
    except BenchError as exc:
        print(f"bench_real_apps: {exc}", file=sys.stderr)
        return 1
    print()
    for name, result in results.items():
        print("\n".join(table(name, result["figures"])))
        print("  " + ", ".join(f"{k} {v:.0f}" for k, v in result["timings"].items()))
        print()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
