def create_user(name):
    return f"created {name}"


def delete_user(name):
    return f"deleted {name}"


def list_users(name):
    return "ada, linus"


COMMANDS = {"create": create_user, "delete": delete_user, "list": list_users}


def run_command(command, name):
    return COMMANDS[command](name)


for command in ("create", "delete", "list"):
    print(run_command(command, "ada"))
