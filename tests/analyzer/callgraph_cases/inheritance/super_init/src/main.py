class Model:
    def __init__(self, table):
        self.table = table
        self.fields = {}

    def set(self, key, value):
        self.fields[key] = value


class User(Model):
    def __init__(self, username):
        super().__init__("users")
        self.set("username", username)


class Admin(User):
    def __init__(self, username, level):
        super().__init__(username)
        self.level = level


admin = Admin("root", 3)
print(admin.table, admin.fields, admin.level)
