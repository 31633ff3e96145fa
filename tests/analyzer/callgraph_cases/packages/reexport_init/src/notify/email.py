def format_address(name, domain):
    return f"{name}@{domain}"


def send_email(user, body):
    return f"to {format_address(user, 'example.com')}: {body}"
