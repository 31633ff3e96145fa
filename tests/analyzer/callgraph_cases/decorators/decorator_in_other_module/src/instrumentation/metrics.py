import functools

COUNTS = {}


def counted(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        COUNTS[func.__name__] = COUNTS.get(func.__name__, 0) + 1
        return func(*args, **kwargs)

    return wrapper


def cached(maxsize):
    def decorator(func):
        return functools.lru_cache(maxsize=maxsize)(func)

    return decorator
