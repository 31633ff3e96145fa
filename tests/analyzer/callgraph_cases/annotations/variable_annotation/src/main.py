class Cache:
    def __init__(self):
        self.store = {}

    def get(self, key):
        return self.store.get(key)

    def put(self, key, value):
        self.store[key] = value


_REGISTRY = {"default": Cache()}


def lookup_cache(name):
    return _REGISTRY[name]


def remember(key, value):
    cache: Cache = lookup_cache("default")
    cache.put(key, value)
    return cache.get(key)


print(remember("answer", 42))
