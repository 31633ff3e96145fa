from . import validators
from .validators import check_email


def register(username, email):
    if not validators.check_username(username):
        raise ValueError("invalid username")
    if not check_email(email):
        raise ValueError("invalid email")
    return {"username": username, "email": email}
