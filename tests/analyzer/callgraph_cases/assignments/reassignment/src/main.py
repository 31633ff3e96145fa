def add(a, b):
    return a + b


def subtract(a, b):
    return a - b


def legacy_hash(value):
    return sum(ord(char) for char in value) % 997


def fast_hash(value):
    return len(value) * 31 % 997


def run_ops():
    op = add
    first = op(5, 3)
    op = subtract
    second = op(5, 3)
    return first, second


def fingerprint(value, fast=False):
    hasher = legacy_hash
    if fast:
        hasher = fast_hash
    return hasher(value)


print(run_ops(), fingerprint("abc"), fingerprint("abc", fast=True))
