class Session:
    def __init__(self, user):
        self.user = user

    def refresh(self):
        return f"refreshed {self.user}"

    def close(self):
        return f"closed {self.user}"


_ACTIVE = []


def open_session(user) -> Session:
    session = Session(user)
    _ACTIVE.append(session)
    return session


def current_session() -> "Session":
    return _ACTIVE[-1]


print(open_session("ada").refresh())
session = current_session()
print(session.close())
