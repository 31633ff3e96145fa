def handle_get(path):
    return f"GET {path}"


def handle_post(path):
    return f"POST {path}"


def get_handler(method):
    if method == "POST":
        return handle_post
    return handle_get


print(get_handler("GET")("/users"))
print(get_handler("POST")("/users"))
