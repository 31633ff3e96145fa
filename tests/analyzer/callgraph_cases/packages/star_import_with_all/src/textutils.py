__all__ = ["shout", "whisper"]


def shout(text):
    return _emphasize(text.upper())


def whisper(text):
    return text.lower()


def banner(text):
    return f"*** {text} ***"


def _emphasize(text):
    return text + "!"
