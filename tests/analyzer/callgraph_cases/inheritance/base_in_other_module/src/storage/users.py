from .base import Repository


class UserRepository(Repository):
    def __init__(self):
        super().__init__("users")

    def add_user(self, username):
        self.add(username, {"username": username})
