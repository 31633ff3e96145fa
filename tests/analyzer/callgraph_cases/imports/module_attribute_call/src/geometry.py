PI = 3.14159


def square(value):
    return value * value


def circle_area(radius):
    return PI * square(radius)
