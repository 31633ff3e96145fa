def multiply(a, b):
    return a * b


def tax_rate(region):
    return {"eu": 0.2, "us": 0.07}.get(region, 0.0)


def init_logging():
    return "logging ready"


square = lambda x: multiply(x, x)  # noqa: E731
with_tax = lambda amount, region: amount * (1 + tax_rate(region))  # noqa: E731


def report(values):
    return [square(value) for value in values]


print((lambda: init_logging())())
print(report([1, 2, 3]), with_tax(100, "eu"))
