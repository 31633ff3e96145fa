def _read_defaults():
    return {"retries": 3, "timeout": 10}


def merge(base, overrides):
    result = dict(base)
    result.update(overrides)
    return result


DEFAULTS = _read_defaults()
