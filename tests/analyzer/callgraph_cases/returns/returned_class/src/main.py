class SqliteBackend:
    def __init__(self, path=":memory:"):
        self.path = path

    def connect(self):
        return f"sqlite:{self.path}"


def backend_class():
    return SqliteBackend


Backend = backend_class()
database = Backend("app.db")
print(database.connect())
