def render_subject(text):
    return f"[shop] {text}"


def send(address, text):
    return f"to={address} subject={render_subject(text)}"
