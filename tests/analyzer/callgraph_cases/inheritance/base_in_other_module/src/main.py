from storage.users import UserRepository

repo = UserRepository()
repo.add_user("ada")
print(repo.get("ada"))
