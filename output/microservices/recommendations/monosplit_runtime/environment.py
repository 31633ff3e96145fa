"""Settings the deployment hands over as files.

Kubernetes mounts the unit's Secrets as read-only files and names each with
``NAME_FILE`` (the convention of the official database images), so that no
secret sits in the environment of every process or in ``kubectl describe``.
The application still reads ``NAME`` (``DATABASE_URL``, ``SECRET_KEY``): this
sets it from the file before the application's configuration is imported.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, MutableMapping

_SUFFIX = "_FILE"
#: names that end in _FILE but are files by meaning, never read into another variable
_NOT_SECRETS = frozenset({"MONOSPLIT_UNIT_AUTH_KEY_FILE"})


def read_secret_files(environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Set ``NAME`` from the file ``NAME_FILE`` names, for each one set; return the names set.

    A name already set keeps its value; a file that cannot be read leaves the
    name unset, as if no secret were given (the application then says what
    is missing). Trailing newlines are dropped, as ``kubectl create secret``
    and editors add them.
    """
    environ = os.environ if environ is None else environ
    found = []
    for variable, path in sorted(environ.items()):
        if not variable.endswith(_SUFFIX) or variable in _NOT_SECRETS or len(variable) == len(_SUFFIX):
            continue
        name = variable[: -len(_SUFFIX)]
        if name in environ:
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                environ[name] = handle.read().rstrip("\r\n")
        except OSError:
            continue
        found.append(name)
    return found


def settings_from_environment(keys: Collection[str], environ: Mapping[str, str] | None = None) -> None:
    """Make every Flask app created after this read each of ``keys`` from the environment, when set there.

    Each unit needs its own database, but an app may fix its URL in a configuration
    class (FlaskBB's ``SQLALCHEMY_DATABASE_URI``, under its own folder) instead of
    reading it from the environment. The unit's entry point calls this before the app
    is built, so the deployment's value wins whatever the app's configuration assigns,
    from the first read on: the app factory itself may open the database. An app
    whose Flask subclass sets its own ``config_class`` gets it too, as the base's
    subclass is the one patched.
    """
    import flask

    wanted = frozenset(keys)
    source = os.environ if environ is None else environ
    base: type[flask.Config] = flask.Flask.config_class

    class UnitConfig(base):  # type: ignore[valid-type,misc]
        """The app's configuration, with the deployment's settings put over its own."""

        def __setitem__(self, key: str, value: object) -> None:
            super().__setitem__(key, source[key] if key in wanted and key in source else value)

        def __getitem__(self, key: str) -> object:
            if key in wanted and key in source:
                return source[key]
            return super().__getitem__(key)

        def get(self, key: str, default: object = None) -> object:
            if key in wanted and key in source:
                return source[key]
            return super().get(key, default)

    flask.Flask.config_class = UnitConfig
