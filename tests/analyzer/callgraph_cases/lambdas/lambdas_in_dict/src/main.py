def scale(value, factor):
    return value * factor


def offset(value, delta):
    return value + delta


def build_transforms():
    return {
        "double": lambda value: scale(value, 2),
        "shift": lambda value: offset(value, 10),
    }


def apply_all(value):
    transforms = build_transforms()
    return {name: transform(value) for name, transform in transforms.items()}


print(apply_all(5))
