import functools
import time

TIMINGS = {}


def record_timing(name, seconds):
    TIMINGS[name] = seconds


def timed(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            record_timing(func.__name__, time.perf_counter() - start)

    return wrapper


def normalize(name):
    return name.strip().lower()


@timed
def load_users():
    return [normalize(name) for name in [" Ada", "Linus "]]


print(load_users(), sorted(TIMINGS))
