"""Settings the deployment hands over as files.

Kubernetes mounts the unit's Secrets as read-only files and names each with
``NAME_FILE`` (the convention of the official database images), so that no
secret sits in the environment of every process or in ``kubectl describe``.
The application still reads ``NAME`` (``DATABASE_URL``, ``SECRET_KEY``): this
sets it from the file before the application's configuration is imported.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

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
