"""What a generated unit installs: the application's declared requirements, reconciled with the runtime's.

Pure. :func:`unit_requirements` takes the project's requirement sources,
already read (path relative to the project root → text, see
:func:`generator.generate.codebase.read_codebase`), and the runtime's needs,
and returns the lines of the unit's ``requirements.txt`` with notes of what
it changed. :func:`included_files` tells the reader which further files the
sources name, so includes are followed without this module touching the disk.

Where the application's requirements come from, the first found wins:

1. a requirements file (``requirements.txt``, else a well-known deploy file
   under ``requirements/``), with its ``-r`` and ``-c`` includes: what people
   deploy from, usually pinned;
2. Pipfile's ``[packages]``;
3. the package metadata: pyproject.toml's ``[project].dependencies``,
   Poetry's ``[tool.poetry.dependencies]``, setup.cfg's or setup.py's
   ``install_requires`` (setup.py is read as a syntax tree, never run).
"""

from __future__ import annotations

import configparser
import posixpath
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

#: requirement files a project deploys from, most common first; the first present is used
REQUIREMENT_FILES = (
    "requirements.txt",
    "requirements/production.txt",
    "requirements/prod.txt",
    "requirements/base.txt",
)
PIPFILE = "Pipfile"
PYPROJECT = "pyproject.toml"
SETUP_CFG = "setup.cfg"
SETUP_PY = "setup.py"
#: every file a project may declare its requirements in (includes come on top)
DECLARATION_FILES = (*REQUIREMENT_FILES, PIPFILE, PYPROJECT, SETUP_CFG, SETUP_PY)

_COMMENT = re.compile(r"(^|\s+)#.*$")
#: where a requirement's own options (``--hash``, ``--config-settings``) start
_OPTIONS_START = re.compile(r"\s+--?[A-Za-z]")
_HASH = re.compile(r"\s*--hash(?:=|\s+)\S+")
#: a requirement's name and extras as written (``Flask[async]``)
_NAME_AND_EXTRAS = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_SIMPLE_VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")

_INCLUDE_OPTIONS = {"-r": False, "--requirement": False, "-c": True, "--constraint": True}
_EDITABLE_OPTIONS = frozenset({"-e", "--editable"})
_INDEX_OPTIONS = frozenset(
    {"-i", "--index-url", "--extra-index-url", "--no-index", "-f", "--find-links", "--trusted-host"}
)
#: options that change how pip picks or builds what the unit installs; meaningful anywhere, so kept
_KEPT_OPTIONS = frozenset({"--pre", "--prefer-binary", "--only-binary", "--no-binary"})


@dataclass(frozen=True, slots=True)
class RuntimeNeed:
    """A package the generated runtime needs: the pin it is tested with, and the versions it works with."""

    name: str
    version: str
    #: a PEP 440 specifier: an application's pin inside it is kept (its code is tested with it)
    works_with: str
    #: why versions outside ``works_with`` do not do, for the note that replaces one
    why: str
    #: written too whenever this need's own pin is (Flask's dependencies, at what that pin wants)
    companions: tuple[RuntimeNeed, ...] = ()

    @property
    def pin(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass(frozen=True, slots=True)
class UnitRequirements:
    """A unit's requirements: the application's lines in their order, then what the runtime adds."""

    #: where the application's requirements came from (``requirements.txt``); None: nowhere
    source: str | None
    lines: tuple[str, ...]
    #: what was changed, dropped or could not be read, one sentence each
    notes: tuple[str, ...]
    #: the canonical name of every package the lines install
    names: frozenset[str]


def included_files(sources: Mapping[str, str]) -> frozenset[str]:
    """Every file the sources name that the reader should read too (present or not).

    The ``-r``/``-c`` includes of the requirement file in use, followed as far
    as the sources reach, and files pyproject.toml takes its dependencies from.
    """
    named: set[str] = set()
    chosen = _requirement_file(sources)
    pending = [chosen] if chosen else []
    pending += _dynamic_dependency_files(sources)
    while pending:
        path = pending.pop()
        if path in named:
            continue
        named.add(path)
        for value, _ in _includes(sources.get(path, "")):
            target, problem = _include_target(path, value)
            if not problem:
                pending.append(target)
    return frozenset(named)


def unit_requirements(sources: Mapping[str, str], needs: Sequence[RuntimeNeed]) -> UnitRequirements:
    """The unit's requirement lines: the application's declared ones, then the runtime's needs.

    An application pin of a runtime package inside the range the runtime works
    with is kept; one outside it is replaced by the runtime's pin, with a note.
    Same sources, same lines, byte for byte.
    """
    application = _application(sources)
    lines, constraint_notes = _apply_constraints(application.lines, application.constraints, needs)
    lines, additions, runtime_notes = _reconcile(lines, application.constraints, needs)
    names = {line.name for line in lines if line.name} | {canonicalize_name(_name_of(a)) for a in additions}
    return UnitRequirements(
        application.source,
        (*(line.written for line in lines), *additions),
        (*application.notes, *constraint_notes, *runtime_notes),
        frozenset(names),
    )


# -- the application's requirements -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of the unit's requirements: a comment, or a requirement and the file it came from."""

    text: str
    origin: str = ""
    #: parsed, for a requirement given by name (with or without a version)
    requirement: Requirement | None = None
    #: canonical name, also for a URL requirement that names its package (``#egg=``)
    name: str | None = None
    #: the inline comment as written, dropped if the line is rewritten
    comment: str = ""
    #: the constraint file that pinned it, if one did
    constrained_by: str = ""
    #: its own pip options as written (``--config-settings``), hashes taken out
    options: str = ""

    @property
    def is_comment(self) -> bool:
        return self.text.startswith("#")

    @property
    def written(self) -> str:
        options = f" {self.options}" if self.options else ""
        return f"{self.text}{options}  {self.comment}" if self.comment else f"{self.text}{options}"


@dataclass(frozen=True, slots=True)
class _Declared:
    """Dependencies read from package metadata or a Pipfile: PEP 508 strings, not yet checked."""

    source: str
    file: str
    dependencies: tuple[str, ...]
    extras: tuple[tuple[str, tuple[str, ...]], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass
class _Walk:
    """What following one requirement file and its includes collects (local to one call)."""

    sources: Mapping[str, str]
    metadata: _Declared | None
    lines: list[_Line] = field(default_factory=list)
    constraints: dict[str, list[tuple[Requirement, str]]] = field(default_factory=lambda: defaultdict(list))
    notes: list[str] = field(default_factory=list)
    followed: set[tuple[str, bool]] = field(default_factory=set)
    hashed: list[str] = field(default_factory=list)
    index_options: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    used_metadata: bool = False


@dataclass(frozen=True, slots=True)
class _Application:
    """The application's own requirements, from the one source that wins."""

    source: str | None
    lines: tuple[_Line, ...]
    constraints: Mapping[str, list[tuple[Requirement, str]]]
    notes: tuple[str, ...]


def _application(sources: Mapping[str, str]) -> _Application:
    metadata = _package_metadata(sources)
    pipfile = _pipfile(sources[PIPFILE]) if PIPFILE in sources else None
    chosen = _requirement_file(sources)
    if chosen is None:
        return _from_declaration(pipfile, metadata, why="no requirements file")
    walk = _Walk(sources, metadata)
    walk.followed.add((chosen, False))
    _read_requirement_file(walk, chosen, stack=(chosen,), constraint=False)
    if not any(not line.is_comment for line in walk.lines) and metadata and metadata.dependencies:
        # an empty requirements.txt beside a package's metadata is a placeholder, not a deploy set
        return _from_declaration(pipfile, metadata, why=f"{chosen} lists none")
    notes = walk.notes + _option_notes(walk)
    unused = [d for d in (pipfile, None if walk.used_metadata else metadata) if d and d.dependencies]
    if unused:
        notes.insert(0, _unused_note(chosen, walk.lines, unused))
    return _Application(chosen, tuple(walk.lines), walk.constraints, tuple(notes))


def _unused_note(chosen: str, lines: list[_Line], unused: list[_Declared]) -> str:
    listed = {line.name for line in lines if line.name}
    declared = {line.name for d in unused for line in _declared_lines(d.dependencies, d.file) if line.name}
    left_out = sorted(declared - listed)
    return (
        f"the application's requirements come from {chosen}; {' and '.join(d.source for d in unused)} are "
        "not used: a requirements file is the set people deploy from, usually pinned"
        + (f"; they name packages {chosen} does not: {', '.join(left_out)}." if left_out else ".")
    )


def _from_declaration(pipfile: _Declared | None, metadata: _Declared | None, *, why: str) -> _Application:
    """The application's requirements from its Pipfile, else its package metadata."""
    declared = pipfile if pipfile is not None and pipfile.dependencies else metadata
    if declared is None:
        return _Application(
            None,
            (),
            {},
            (
                "the project declares no requirements (no requirements.txt, Pipfile, or dependencies in "
                "pyproject.toml, setup.cfg or setup.py): only the runtime's are installed; add the "
                "application's own, pinned.",
            ),
        )
    lines = _declared_lines(declared.dependencies, declared.file)
    instead = f", not {metadata.source}" if declared is pipfile and metadata and metadata.dependencies else ""
    ranges = any(line.requirement and _exact_version(line.requirement.specifier) is None for line in lines)
    advice = (
        ": they are version ranges, so two builds may install different versions; pin them in a "
        "requirements.txt for units that install the same thing every time"
        if ranges
        else ""
    )
    note = f"the application's requirements come from {declared.source}{instead} ({why}){advice}."
    return _Application(declared.source, tuple(lines), {}, (*declared.notes, note))


def _requirement_file(sources: Mapping[str, str]) -> str | None:
    return next((path for path in REQUIREMENT_FILES if path in sources), None)


def _logical_lines(text: str) -> Iterator[str]:
    """Lines as pip reads them: a trailing backslash joins the next line."""
    pending = ""
    for raw in text.splitlines():
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        yield pending + raw
        pending = ""
    if pending:
        yield pending


def _option(body: str) -> tuple[str, str]:
    """(``--option``, its value) of a line that starts with one: ``-r x``, ``-rx``, ``--requirement=x``."""
    if body.startswith("--"):
        match = re.match(r"(--[A-Za-z0-9-]+)(?:=|\s+|$)(.*)$", body)
        return (match.group(1), match.group(2).strip()) if match else (body, "")
    return body[:2], body[2:].lstrip(" =").strip()


def _includes(text: str) -> Iterator[tuple[str, bool]]:
    """(path as written, whether it is a constraints file) for each ``-r``/``-c`` line."""
    for line in _logical_lines(text):
        body = _COMMENT.sub("", line).strip()
        if body.startswith("-"):
            name, value = _option(body)
            if name in _INCLUDE_OPTIONS and value:
                yield value, _INCLUDE_OPTIONS[name]


def _include_target(including: str, value: str) -> tuple[str, str]:
    """(path relative to the project root, why it is not followed or "") of an include.

    Relative to the including file, as pip resolves ``-r`` and ``-c``.
    """
    if _URL.match(value) or value.startswith("file:"):
        return value, "is a URL"
    if value.startswith(("/", "~")) or re.match(r"[A-Za-z]:[\\/]", value):
        return value, "is an absolute path"
    target = posixpath.normpath(posixpath.join(posixpath.dirname(including), value.replace("\\", "/")))
    if target == ".." or target.startswith("../"):
        return target, "is outside the project"
    return target, ""


def _read_requirement_file(walk: _Walk, path: str, *, stack: tuple[str, ...], constraint: bool) -> None:
    for line in _logical_lines(walk.sources[path]):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if not constraint:
                walk.lines.append(_Line(stripped))
            continue
        comment_match = _COMMENT.search(line)
        comment = comment_match.group(0).strip() if comment_match else ""
        body = _COMMENT.sub("", line).strip()
        if not body:
            continue
        if body.startswith("-"):
            _read_option(walk, path, body, comment, stack=stack, constraint=constraint)
        elif constraint:
            _read_constraint(walk, path, body)
        else:
            _read_requirement(walk, path, body, comment)


def _read_option(
    walk: _Walk, path: str, body: str, comment: str, *, stack: tuple[str, ...], constraint: bool
) -> None:
    name, value = _option(body)
    if name in _INCLUDE_OPTIONS:
        _follow(walk, path, value, stack=stack, constraint=constraint or _INCLUDE_OPTIONS[name])
    elif name in _EDITABLE_OPTIONS:
        _read_requirement(walk, path, value, comment, editable=True)
    elif name in _INDEX_OPTIONS:
        # The unit is installed from the index its build is configured with (PIP_INDEX_URL or
        # pip.conf, where credentials belong); a URL written here would ship inside every image,
        # and a find-links folder is not in the unit.
        walk.index_options[name].append(path)
    elif name == "--require-hashes":
        walk.hashed.append(path)
    elif name in _KEPT_OPTIONS:
        if not constraint:
            walk.lines.append(_Line(body, path))
    else:
        walk.notes.append(
            f"`{name}` ({path}) is not an option of requirement files monosplit knows: dropped."
        )


def _follow(walk: _Walk, path: str, value: str, *, stack: tuple[str, ...], constraint: bool) -> None:
    target, problem = _include_target(path, value)
    kind = "constraints file" if constraint else "requirements file"
    if problem:
        walk.notes.append(f"the {kind} `{value}` included by {path} {problem}: not followed.")
    elif target in stack:
        walk.notes.append(
            f"{path} includes {target}, which is already being read ({' → '.join((*stack, target))}): "
            "the cycle is not followed."
        )
    elif target not in walk.sources:
        walk.notes.append(
            f"the {kind} {target} included by {path} is missing: its "
            f"{'pins' if constraint else 'requirements'} are not in the unit."
        )
    elif (target, constraint) not in walk.followed:  # a file included twice is read once
        walk.followed.add((target, constraint))
        if not constraint:
            walk.lines.append(_Line(f"# from {target}"))
        _read_requirement_file(walk, target, stack=(*stack, target), constraint=constraint)


def _split_options(walk: _Walk, path: str, body: str) -> tuple[str, str]:
    """(the requirement as written, its own options) with ``--hash`` options taken out."""
    start = _OPTIONS_START.search(body)
    if start is None:
        return body, ""
    requirement, options = body[: start.start()].strip(), body[start.start() :]
    without_hashes = _HASH.sub("", options).strip()
    if without_hashes != options.strip() and path not in walk.hashed:
        walk.hashed.append(path)
    return requirement, without_hashes


def _read_requirement(walk: _Walk, path: str, body: str, comment: str, *, editable: bool = False) -> None:
    text, options = _split_options(walk, path, body)
    try:
        requirement: Requirement | None = Requirement(text)
    except InvalidRequirement:
        requirement = None
    url = requirement.url if requirement is not None else (text if _URL.match(text) else None)
    if requirement is None and _looks_local(text):
        _read_local(walk, path, text, editable=editable)
    elif url is not None and (url.startswith("file:") or not _URL.match(url)):  # ``name @ ./libs/x``
        _read_local(walk, path, url, editable=editable, written=text)
    elif url is not None:
        name = requirement.name if requirement is not None else _egg_name(text)
        if editable:
            walk.notes.append(
                f"`-e {text}` ({path}) is installed, not as an editable checkout: a deployed unit does not "
                "develop its libraries."
            )
        known = canonicalize_name(name) if name else None
        walk.lines.append(_Line(text, path, None, known, comment, options=options))
    elif requirement is None:
        walk.notes.append(f"`{text}` ({path}) is not a requirement monosplit can read: kept as written.")
        walk.lines.append(_Line(text, path, comment=comment, options=options))
    else:
        name = canonicalize_name(requirement.name)
        walk.lines.append(_Line(text, path, requirement, name, comment, options=options))


def _looks_local(text: str) -> bool:
    return not _URL.match(text) and (text.startswith((".", "/", "~")) or "/" in text or "\\" in text)


def _read_local(walk: _Walk, path: str, text: str, *, editable: bool, written: str = "") -> None:
    """A local path: the project itself becomes its declared dependencies; another folder is not carried."""
    written = f"-e {written or text}" if editable else written or text
    location = re.sub(r"^file:(//)?", "", text)
    extras_match = re.search(r"\[([^\]]*)\]$", location)
    folder = posixpath.normpath(location[: extras_match.start()] if extras_match else location)
    if folder != ".":
        walk.notes.append(
            f"`{written}` ({path}) installs a folder the unit does not carry: dropped; publish that "
            "library to the index the units are built from, or copy it into the unit."
        )
        return
    metadata = walk.metadata
    if metadata is None:
        walk.notes.append(
            f"`{written}` ({path}) is the project itself: dropped, the unit carries its code as source "
            "(and the project declares no dependencies of its own)."
        )
        return
    wanted = [e.strip() for e in extras_match.group(1).split(",")] if extras_match else []
    extras = dict(metadata.extras)
    dependencies = list(metadata.dependencies)
    for extra in wanted:
        if extra in extras:
            dependencies += extras[extra]
        elif extra:
            walk.notes.append(
                f"`{written}` ({path}) asks for extra `{extra}`, which {metadata.file} does not define."
            )
    walk.used_metadata = True
    walk.notes.extend(metadata.notes)
    walk.notes.append(
        f"`{written}` ({path}) is the project itself: the unit carries its code as source, so it installs "
        f"the project's dependencies ({metadata.source}) in its place."
    )
    walk.lines.append(_Line(f"# {written}: the project's dependencies, from {metadata.source}"))
    walk.lines.extend(_declared_lines(tuple(dependencies), metadata.file))


def _read_constraint(walk: _Walk, path: str, body: str) -> None:
    text, _ = _split_options(walk, path, body)
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        walk.notes.append(f"the constraint `{text}` ({path}) is not one monosplit can read: not used.")
        return
    walk.constraints[canonicalize_name(requirement.name)].append((requirement, path))


def _egg_name(url: str) -> str | None:
    match = _EGG.search(url)
    return match.group(1) if match else None


def _option_notes(walk: _Walk) -> list[str]:
    notes = []
    if walk.hashed:
        # Hash-checking mode needs a hash for every requirement, the runtime's included, and the
        # unit's set is not the application's (pins replaced, includes merged): the app's hashes
        # cannot vouch for it. The unit installs by exact pins instead.
        notes.append(
            f"hashes ({', '.join(walk.hashed)}) are dropped: pip's hash-checking needs one for every "
            "requirement, the runtime's too, and the unit's set differs from the application's."
        )
    if walk.index_options:
        where = sorted({path for paths in walk.index_options.values() for path in paths})
        notes.append(
            f"index options ({', '.join(f'`{name}`' for name in sorted(walk.index_options))}; {', '.join(where)}) "
            "are dropped: the unit is installed from the index its build is configured with (PIP_INDEX_URL "
            "or pip.conf, where credentials belong); a URL written here would ship inside every image."
        )
    return notes


def _declared_lines(dependencies: tuple[str, ...], origin: str) -> list[_Line]:
    lines = []
    for dependency in dependencies:
        try:
            requirement = Requirement(dependency)
        except InvalidRequirement:
            lines.append(_Line(dependency, origin))
            continue
        name = canonicalize_name(requirement.name)
        lines.append(_Line(dependency, origin, None if requirement.url else requirement, name))
    return lines


# -- package metadata and Pipfile -----------------------------------------------------------------


def _package_metadata(sources: Mapping[str, str]) -> _Declared | None:
    """The project's own dependencies: PEP 621, else Poetry, else setup.cfg, else setup.py."""
    pyproject, problem = _toml(sources, PYPROJECT)
    found = _pep621(pyproject, sources) or _poetry(pyproject)
    if found is None and SETUP_CFG in sources:
        found = _setup_cfg(sources[SETUP_CFG])
    if found is None and SETUP_PY in sources:
        found = _setup_py(sources[SETUP_PY])
    if problem and found is not None:
        found = _Declared(found.source, found.file, found.dependencies, found.extras, (problem, *found.notes))
    return found


def _toml(sources: Mapping[str, str], path: str) -> tuple[dict[str, Any], str]:
    if path not in sources:
        return {}, ""
    try:
        return tomllib.loads(sources[path]), ""
    except tomllib.TOMLDecodeError as exc:
        return {}, f"{path} is not valid TOML ({exc}): its dependencies are not read."


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(item.strip() for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def _pep621(pyproject: dict[str, Any], sources: Mapping[str, str]) -> _Declared | None:
    project = pyproject.get("project")
    if not isinstance(project, dict):
        return None
    extras = project.get("optional-dependencies")
    optional = tuple((k, _strings(v)) for k, v in extras.items()) if isinstance(extras, dict) else ()
    if "dependencies" in project.get("dynamic", ()):
        files = _dynamic_dependency_files(sources)
        if not files:
            return None  # setup.cfg or setup.py declares them
        dependencies = tuple(
            body
            for path in files
            for line in _logical_lines(sources.get(path, ""))
            if (body := _COMMENT.sub("", line).strip()) and not body.startswith("-")
        )
        missing = [path for path in files if path not in sources]
        return _Declared(
            f"{', '.join(files)} ({PYPROJECT} [tool.setuptools.dynamic])",
            PYPROJECT,
            dependencies,
            optional,
            tuple(f"{path}, which {PYPROJECT} takes its dependencies from, is missing." for path in missing),
        )
    if "dependencies" not in project:
        return None
    return _Declared(
        f"{PYPROJECT} [project].dependencies", PYPROJECT, _strings(project["dependencies"]), optional
    )


def _dynamic_dependency_files(sources: Mapping[str, str]) -> list[str]:
    pyproject, _ = _toml(sources, PYPROJECT)
    dynamic = pyproject.get("tool", {}).get("setuptools", {}).get("dynamic", {}).get("dependencies")
    files = dynamic.get("file") if isinstance(dynamic, dict) else None
    listed = [files] if isinstance(files, str) else _strings(files)
    return [posixpath.normpath(path) for path in listed if not _include_target(PYPROJECT, path)[1]]


def _poetry(pyproject: dict[str, Any]) -> _Declared | None:
    poetry = pyproject.get("tool", {}).get("poetry", {})
    table = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if not isinstance(table, dict):
        return None
    notes: list[str] = []
    dependencies: list[str] = []
    optional: dict[str, str] = {}
    for name, spec in table.items():
        if canonicalize_name(name) == "python":
            continue  # the interpreter, not a package
        converted = _poetry_dependency(name, spec, notes)
        if converted is None:
            continue
        if isinstance(spec, dict) and spec.get("optional"):
            optional[canonicalize_name(name)] = converted
        else:
            dependencies.append(converted)
    extras_table = poetry.get("extras", {})
    extras = tuple(
        (
            extra,
            tuple(
                optional[canonicalize_name(n)] for n in _strings(names) if canonicalize_name(n) in optional
            ),
        )
        for extra, names in (extras_table.items() if isinstance(extras_table, dict) else ())
    )
    return _Declared(
        f"{PYPROJECT} [tool.poetry.dependencies]", PYPROJECT, tuple(dependencies), extras, tuple(notes)
    )


def _poetry_dependency(name: str, spec: Any, notes: list[str]) -> str | None:
    """A Poetry dependency as a PEP 508 string; None (with a note) for what does not convert simply."""
    where = f"{PYPROJECT} [tool.poetry.dependencies]"
    if isinstance(spec, str):
        version = _poetry_constraint(spec)
        if version is None:
            notes.append(
                f'`{name} = "{spec}"` ({where}) is not a simple constraint: written without a version.'
            )
            return name
        return name + version
    if not isinstance(spec, dict):
        notes.append(f"`{name}` ({where}) has several constraints: written without a version.")
        return name
    if "path" in spec:
        notes.append(f"`{name}` ({where}) is a local folder the unit does not carry: dropped.")
        return None
    extras = _strings(spec.get("extras"))
    head = name + (f"[{','.join(extras)}]" if extras else "")
    markers = [f"({spec['markers']})"] if isinstance(spec.get("markers"), str) else []
    if isinstance(spec.get("python"), str):
        python = _poetry_constraint(spec["python"])
        if python is None:
            notes.append(
                f"`{name}` ({where}): its python constraint `{spec['python']}` is not simple: ignored."
            )
        elif python:
            markers += [
                f'python_{"full_" if item.version.count(".") > 1 else ""}version {item.operator} "{item.version}"'
                for item in sorted(SpecifierSet(python), key=str)
            ]
    marker = f"; {' and '.join(markers)}" if markers else ""
    if "git" in spec:
        url = str(spec["git"])
        ref = spec.get("rev") or spec.get("tag") or spec.get("branch")
        return f"{head} @ {'' if url.startswith('git+') else 'git+'}{url}{f'@{ref}' if ref else ''}{marker}"
    if "url" in spec:
        return f"{head} @ {spec['url']}{marker}"
    version = _poetry_constraint(str(spec.get("version", "*")))
    if version is None:
        notes.append(
            f"`{name}` ({where}): version `{spec.get('version')}` is not simple: written without one."
        )
        version = ""
    return f"{head}{version}{marker}"


def _poetry_constraint(text: str) -> str | None:
    """A Poetry version constraint as a PEP 440 specifier ("" for any); None when not simple."""
    text = text.strip()
    if text in ("", "*"):
        return ""
    if "|" in text:
        return None
    clauses: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if part.startswith("^"):
            converted = _caret(part[1:].strip())
        elif part.startswith("~") and not part.startswith("~="):
            converted = _tilde(part[1:].strip())
        elif re.match(r"\d", part):
            converted = [f"=={part}"]
        elif re.fullmatch(r"(==|!=|<=|>=|<|>|~=)\s*\S+", part):
            converted = [part.replace(" ", "")]
        else:
            converted = None
        if converted is None:
            return None
        clauses += converted
    spec = ",".join(clauses)
    try:
        SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    return spec


def _caret(version: str) -> list[str] | None:
    """``^1.2.3`` → ``>=1.2.3,<2.0.0``: up to the next change of the leftmost non-zero part."""
    parts = _version_parts(version)
    if parts is None:
        return None
    bump = next((i for i, part in enumerate(parts) if part), len(parts) - 1)
    upper = [*parts[:bump], parts[bump] + 1] + [0] * (len(parts) - bump - 1)
    return [f">={version}", f"<{'.'.join(map(str, upper))}"]


def _tilde(version: str) -> list[str] | None:
    """``~1.2.3`` → ``>=1.2.3,<1.3.0``; ``~1`` → ``>=1,<2``."""
    parts = _version_parts(version)
    if parts is None:
        return None
    bump = 1 if len(parts) > 1 else 0
    upper = [*parts[:bump], parts[bump] + 1] + [0] * (len(parts) - bump - 1)
    return [f">={version}", f"<{'.'.join(map(str, upper))}"]


def _version_parts(version: str) -> list[int] | None:
    match = _SIMPLE_VERSION.fullmatch(version)
    return [int(p) for p in match.groups() if p is not None] if match else None


def _setup_cfg(text: str) -> _Declared | None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        return _Declared(
            f"{SETUP_CFG} install_requires", SETUP_CFG, (), (), (f"{SETUP_CFG} cannot be read ({exc}).",)
        )
    if not parser.has_option("options", "install_requires"):
        return None
    extras = (
        tuple((key, _cfg_list(value)) for key, value in parser.items("options.extras_require"))
        if parser.has_section("options.extras_require")
        else ()
    )
    return _Declared(
        f"{SETUP_CFG} install_requires",
        SETUP_CFG,
        _cfg_list(parser.get("options", "install_requires")),
        extras,
    )


def _cfg_list(value: str) -> tuple[str, ...]:
    return tuple(
        line.strip() for line in value.splitlines() if line.strip() and not line.strip().startswith("#")
    )


class _SetupCalls(cst.CSTVisitor):
    """Every ``setup(...)`` / ``setuptools.setup(...)`` call, wherever it sits (``if __name__ == ...``)."""

    def __init__(self) -> None:
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (isinstance(func, cst.Name) and func.value == "setup") or (
            isinstance(func, cst.Attribute) and func.attr.value == "setup"
        ):
            self.calls.append(node)


def _setup_py(text: str) -> _Declared | None:
    """``install_requires`` of setup.py's ``setup(...)``, read as a syntax tree: setup.py is never run."""
    source = f"{SETUP_PY} install_requires"
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return _Declared(
            source, SETUP_PY, (), (), (f"{SETUP_PY} does not parse: its install_requires is not read.",)
        )
    bindings: dict[str, cst.BaseExpression] = {}
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name):
                        bindings[target.value] = small.value
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value:
                    bindings[small.target.value] = small.value
    finder = _SetupCalls()
    module.visit(finder)
    if not finder.calls:
        return None
    arguments = {arg.keyword.value: arg.value for arg in finder.calls[0].args if arg.keyword is not None}
    notes: list[str] = []
    dependencies: tuple[str, ...] = ()
    if "install_requires" in arguments:
        found = _literal_strings(arguments["install_requires"], bindings)
        if found is None:
            notes.append(
                f"{SETUP_PY} computes install_requires (it is not a literal list or a name bound to one): "
                "not read, setup.py is never run; list the dependencies in a requirements.txt."
            )
        dependencies = found or ()
    extras: list[tuple[str, tuple[str, ...]]] = []
    value = arguments.get("extras_require")
    if isinstance(value, cst.Name):
        value = bindings.get(value.value)
    if isinstance(value, cst.Dict):
        for element in value.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                key = element.key.evaluated_value
                listed = _literal_strings(element.value, bindings)
                if isinstance(key, str) and listed is not None:
                    extras.append((key, listed))
    return _Declared(source, SETUP_PY, dependencies, tuple(extras), tuple(notes))


def _literal_strings(
    node: cst.BaseExpression, bindings: Mapping[str, cst.BaseExpression]
) -> tuple[str, ...] | None:
    if isinstance(node, cst.Name):
        bound = bindings.get(node.value)
        return None if bound is None or isinstance(bound, cst.Name) else _literal_strings(bound, bindings)
    if not isinstance(node, (cst.List, cst.Tuple)):
        return None
    found: list[str] = []
    for element in node.elements:
        if not isinstance(element, cst.Element) or not isinstance(
            element.value, (cst.SimpleString, cst.ConcatenatedString)
        ):
            return None
        value = element.value.evaluated_value
        if not isinstance(value, str):
            return None
        found.append(value.strip())
    return tuple(found)


def _pipfile(text: str) -> _Declared:
    source = f"{PIPFILE} [packages]"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return _Declared(source, PIPFILE, (), (), (f"{PIPFILE} is not valid TOML ({exc}): not read.",))
    packages = data.get("packages", {})
    notes: list[str] = []
    dependencies: list[str] = []
    for name, spec in packages.items() if isinstance(packages, dict) else ():
        if isinstance(spec, str):
            version = "" if spec.strip() in ("", "*") else spec.strip()
            dependencies.append(name + ("==" + version if version[:1].isdigit() else version))
            continue
        if not isinstance(spec, dict):
            continue
        if "path" in spec:
            notes.append(f"`{name}` ({source}) is a local folder the unit does not carry: dropped.")
            continue
        extras = _strings(spec.get("extras"))
        head = name + (f"[{','.join(extras)}]" if extras else "")
        markers = [str(spec["markers"])] if "markers" in spec else []
        markers += [
            f"{key} {spec[key]}"
            for key in ("os_name", "sys_platform", "platform_machine", "python_version", "platform_system")
            if isinstance(spec.get(key), str)
        ]
        marker = f"; {' and '.join(markers)}" if markers else ""
        if "git" in spec:
            url = str(spec["git"])
            ref = spec.get("ref")
            dependencies.append(
                f"{head} @ {'' if url.startswith('git+') else 'git+'}{url}{f'@{ref}' if ref else ''}{marker}"
            )
        elif "file" in spec:
            dependencies.append(f"{head} @ {spec['file']}{marker}")
        else:
            version = str(spec.get("version", "*")).strip()
            dependencies.append(f"{head}{'' if version == '*' else version}{marker}")
    return _Declared(source, PIPFILE, tuple(dependencies), (), tuple(notes))


# -- constraints and the runtime ----------------------------------------------------------------


def _exact_version(specifier: SpecifierSet) -> str | None:
    """The one version a specifier pins (``==1.2``, ``===1.2``), or None for a range."""
    items = list(specifier)
    if len(items) == 1 and items[0].operator in ("==", "===") and not items[0].version.endswith(".*"):
        return items[0].version
    return None


def _rewritten(line: _Line, specifier: str, *, constrained_by: str = "") -> _Line:
    """The line with another version specifier: its name, extras and markers as written."""
    match = _NAME_AND_EXTRAS.match(line.text)
    assert match is not None and line.requirement is not None  # only requirements given by name get here
    marker = line.text.split(";", 1)[1].strip() if ";" in line.text else ""
    text = f"{match.group(1)}{match.group(2) or ''}{specifier}" + (f"; {marker}" if marker else "")
    return _Line(
        text,
        line.origin,
        Requirement(text),
        line.name,
        "",
        constrained_by or line.constrained_by,
        line.options,
    )


def _apply_constraints(
    lines: Sequence[_Line],
    constraints: Mapping[str, list[tuple[Requirement, str]]],
    needs: Sequence[RuntimeNeed],
) -> tuple[list[_Line], list[str]]:
    """Constraint files pin what the requirements leave open; the unit has no constraints file."""
    if not constraints:
        return list(lines), []
    result: list[_Line] = []
    named: set[str] = set()
    pinned: list[str] = []
    for line in lines:
        requirement = line.requirement
        if requirement is None or line.name is None:
            result.append(line)
            continue
        named.add(line.name)
        usable = [(c, origin) for c, origin in constraints.get(line.name, ()) if c.marker is None]
        if not usable or _exact_version(requirement.specifier) is not None:
            result.append(line)
            continue
        combined = requirement.specifier
        for constraint, _ in usable:
            combined &= constraint.specifier
        exact = next((v for c, _ in usable if (v := _exact_version(c.specifier)) is not None), None)
        specifier = (
            f"=={exact}"
            if exact and requirement.specifier.contains(exact, prereleases=True)
            else str(combined)
        )
        rewritten = _rewritten(line, specifier, constrained_by=usable[0][1])
        result.append(rewritten)
        pinned.append(f"`{rewritten.text}`")
    notes = []
    if pinned:
        files = sorted({origin for found in constraints.values() for _, origin in found})
        notes.append(f"pinned by the constraints in {', '.join(files)}: {', '.join(pinned)}.")
    runtime = {canonicalize_name(n.name) for need in needs for n in (need, *need.companions)}
    unused = sorted(name for name in constraints if name not in named and name not in runtime)
    if unused:
        notes.append(
            "constraints on packages the requirements do not name are not carried (the unit has no "
            f"constraints file, and what it installs is pinned by its requirements): {', '.join(unused)}."
        )
    return result, notes


@dataclass
class _Settling:
    """What settling the runtime's needs collects (local to one call)."""

    lines: list[_Line]
    constraints: Mapping[str, list[tuple[Requirement, str]]]
    additions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: application requirements left open that now carry the runtime's pin
    pinned: list[str] = field(default_factory=list)


def _reconcile(
    lines: list[_Line], constraints: Mapping[str, list[tuple[Requirement, str]]], needs: Sequence[RuntimeNeed]
) -> tuple[list[_Line], list[str], list[str]]:
    """The lines with the runtime's needs settled, the lines the runtime adds, and notes."""
    settling = _Settling(list(lines), constraints)
    for need in needs:
        _settle(settling, need)
    notes = settling.notes
    if settling.pinned:
        notes.append(f"pinned to the versions the runtime is tested with: {', '.join(settling.pinned)}.")
    return settling.lines, settling.additions, notes


def _settle(settling: _Settling, need: RuntimeNeed) -> None:
    name = canonicalize_name(need.name)
    indices = [i for i, line in enumerate(settling.lines) if line.name == name]
    written = _settle_listed(settling, need, indices) if indices else _settle_unlisted(settling, need)
    if written:  # the runtime's own pin, so the versions it wants of its dependencies too
        for companion in need.companions:
            _settle(settling, companion)


def _settle_listed(settling: _Settling, need: RuntimeNeed, indices: list[int]) -> bool:
    """Settle a need the application lists; whether the runtime's pin is written."""
    named = [i for i in indices if settling.lines[i].requirement is not None]
    if not named:
        line = settling.lines[indices[0]]
        settling.notes.append(
            f"`{line.text}` ({line.origin}) installs {need.name} from a URL: its version cannot be checked "
            f"against what the runtime needs ({need.name}{need.works_with})."
        )
        return False
    specifiers = [requirement.specifier for i in named if (requirement := settling.lines[i].requirement)]
    exact = sorted({version for s in specifiers if (version := _exact_version(s)) is not None})
    if (
        len(exact) == 1
        and SpecifierSet(need.works_with).contains(exact[0], prereleases=True)
        and all(s.contains(exact[0], prereleases=True) for s in specifiers)
    ):
        return False  # the application's pin, which its code is tested with, works for the runtime too
    old = ", ".join(f"`{settling.lines[i].text}` ({_where(settling.lines[i])})" for i in named)
    if not exact and all(s.contains(need.version, prereleases=True) for s in specifiers):
        settling.pinned.append(f"{old} → `{need.pin}`")
    else:
        settling.notes.append(f"{old} is replaced by `{need.pin}`: {need.why}.")
    for i in named:
        settling.lines[i] = _rewritten(settling.lines[i], f"=={need.version}")
    return True


def _settle_unlisted(settling: _Settling, need: RuntimeNeed) -> bool:
    """Add a need the application does not list, at its constraint's pin if that works; whether it is the runtime's."""
    found = [
        (c, origin)
        for c, origin in settling.constraints.get(canonicalize_name(need.name), ())
        if not c.marker
    ]
    exact = [version for c, _ in found if (version := _exact_version(c.specifier)) is not None]
    if len(exact) == 1 and SpecifierSet(need.works_with).contains(exact[0], prereleases=True):
        settling.additions.append(f"{need.name}=={exact[0]}")  # the version the application is tested with
        return False
    settling.additions.append(need.pin)
    conflicting = [
        f"`{c}` ({origin})" for c, origin in found if not c.specifier.contains(need.version, prereleases=True)
    ]
    if conflicting:
        settling.notes.append(
            f"the constraint {', '.join(conflicting)} gives way to `{need.pin}`: {need.why}."
        )
    return True


def _where(line: _Line) -> str:
    return f"{line.origin}, pinned by {line.constrained_by}" if line.constrained_by else line.origin


def _name_of(requirement: str) -> str:
    match = _NAME_AND_EXTRAS.match(requirement)
    return match.group(1) if match else requirement
