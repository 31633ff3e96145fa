def is_active(user):
    return user["active"]


def display_name(user):
    return user["name"].title()


def active_names(users):
    return list(map(lambda user: display_name(user), filter(lambda user: is_active(user), users)))


USERS = [{"name": "ada", "active": True}, {"name": "bob", "active": False}]
print(active_names(USERS))
