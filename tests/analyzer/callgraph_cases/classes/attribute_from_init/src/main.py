class Database:
    def __init__(self):
        self.rows = {}

    def insert(self, key, value):
        self.rows[key] = value

    def fetch(self, key):
        return self.rows.get(key)


class AuditLog:
    def record(self, event):
        print(f"audit: {event}")


class UserService:
    def __init__(self):
        self.db = Database()
        self.audit = AuditLog()

    def create(self, name):
        self.db.insert(name, {"name": name})
        self.audit.record(f"created {name}")
        return self.db.fetch(name)


service = UserService()
print(service.create("ada"))
