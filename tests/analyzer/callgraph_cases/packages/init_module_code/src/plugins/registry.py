_PLUGINS = []


def register(name):
    _PLUGINS.append(name)


def register_defaults():
    for name in ("csv", "json"):
        register(name)


def available():
    return sorted(_PLUGINS)
