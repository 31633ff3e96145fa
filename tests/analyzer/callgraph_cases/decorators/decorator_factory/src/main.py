ATTEMPTS = {"count": 0}


def retry(times):
    def decorate(func):
        def wrapper(*args, **kwargs):
            for attempt in range(times):
                try:
                    return func(*args, **kwargs)
                except ConnectionError:
                    if attempt == times - 1:
                        raise
            return None

        return wrapper

    return decorate


def parse_status(text):
    return text.strip().lower()


@retry(3)
def fetch_status():
    ATTEMPTS["count"] += 1
    if ATTEMPTS["count"] < 2:
        raise ConnectionError("flaky network")
    return parse_status(" OK ")


print(fetch_status(), ATTEMPTS)
