def clamp(value, low, high):
    raise RuntimeError("replaced by the star import below")


def _checked(value):
    return value


from mathutils import *  # noqa: E402,F403

print(clamp(scale(7, 2), 0, 10))
print(_checked(3))
