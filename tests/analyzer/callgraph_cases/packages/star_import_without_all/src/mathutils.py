def clamp(value, low, high):
    return max(low, min(value, high))


def scale(value, factor):
    return _checked(value * factor)


def _checked(value):
    if value != value:
        raise ValueError("NaN")
    return value
