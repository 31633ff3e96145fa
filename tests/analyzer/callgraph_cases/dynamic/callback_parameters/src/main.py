def notify_admin(event):
    return f"admin notified: {event}"


def log_event(event):
    return f"logged: {event}"


def dispatch(event, callback):
    return callback(event)


def run():
    return [dispatch("boot", notify_admin), dispatch("shutdown", log_event)]


print(run())
