class Connection:
    def __init__(self, dsn):
        self.dsn = dsn
        self.is_open = False


class Pool:
    def __init__(self, dsn, size):
        self.connections = [Connection(dsn) for _ in range(size)]


class Sentinel:
    """Marker for a missing value."""


MISSING = Sentinel()
pool = Pool("sqlite:///app.db", 3)
print(len(pool.connections), MISSING)
