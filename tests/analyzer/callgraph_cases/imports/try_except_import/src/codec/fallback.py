def _escape(text):
    return text.replace('"', "'")


def encode(text):
    return '"' + _escape(text) + '"'
