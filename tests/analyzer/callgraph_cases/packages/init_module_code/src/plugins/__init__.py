from .registry import available, register_defaults

register_defaults()


def describe():
    return ", ".join(available())
