def check_email(value):
    return "@" in value and "." in value.split("@")[-1]


def check_username(value):
    return value.isalnum() and 3 <= len(value) <= 20
